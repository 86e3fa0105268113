from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "chukai.marketplace"
    label = "marketplace"
