from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "chukai.payments"
    label = "payments"

    def ready(self) -> None:
        from chukai.contracts import hooks
        from chukai.payments import services, texts  # noqa: F401 - the payment_due handler; notification texts

        hooks.cancel_on_end("payment_due")
