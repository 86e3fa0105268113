from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "chukai.support"
    label = "support"

    def ready(self) -> None:
        from chukai.support import integration

        integration.connect()
