from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "chukai.documents"
    label = "documents"

    def ready(self) -> None:
        from chukai.contracts import hooks
        from chukai.documents import services

        hooks.on_money_moved(services.on_money_moved)
