from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "chukai.remedies"
    label = "remedies"
