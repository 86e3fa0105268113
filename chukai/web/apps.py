from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "chukai.web"
    label = "web"
