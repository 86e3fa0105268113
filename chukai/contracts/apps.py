from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "chukai.contracts"
    label = "contracts"

    def ready(self) -> None:
        # Register this app's deadline handlers (auto_accept …) in every process,
        # `manage.py run_worker` included, not only where the API happens to import them.
        from chukai.contracts import services  # noqa: F401
