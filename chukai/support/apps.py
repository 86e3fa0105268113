from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "chukai.support"
    label = "support"
