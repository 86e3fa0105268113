from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "chukai.common"
    label = "common"
