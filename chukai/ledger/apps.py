from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "chukai.ledger"
    label = "ledger"
