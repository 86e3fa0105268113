from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "chukai.payouts"
    label = "payouts"

    def ready(self) -> None:
        from chukai.payouts import texts  # noqa: F401 - notification texts
