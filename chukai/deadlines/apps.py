from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "chukai.deadlines"
    label = "deadlines"
