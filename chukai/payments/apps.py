from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "chukai.payments"
    label = "payments"
