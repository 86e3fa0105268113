from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "chukai.messaging"
    label = "messaging"
