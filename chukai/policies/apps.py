from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "chukai.policies"
    label = "policies"

    def ready(self) -> None:
        from chukai.policies.rulebooks import validate_all

        validate_all()  # a bad rulebook stops the start with a clear message
