from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "chukai.marketplace"
    label = "marketplace"

    def ready(self) -> None:
        from chukai.marketplace import texts  # noqa: F401 - notification texts
