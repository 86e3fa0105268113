from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chukai.accounts"
    label = "accounts"
