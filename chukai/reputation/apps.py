from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "chukai.reputation"
    label = "reputation"
