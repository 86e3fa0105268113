from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "chukai.messaging"
    label = "messaging"

    def ready(self) -> None:
        from chukai.accounts.selectors import ME_EXTRAS
        from chukai.contracts import hooks
        from chukai.messaging import core_texts, outbox, services  # noqa: F401 - texts, worker step, handler
        from chukai.messaging.selectors import me_banners

        hooks.on_notify(services.notification_listener)
        ME_EXTRAS.append(me_banners)
