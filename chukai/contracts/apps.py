from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "chukai.contracts"
    label = "contracts"
