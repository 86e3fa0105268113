from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "chukai.remedies"
    label = "remedies"

    def ready(self) -> None:
        from chukai.contracts import hooks
        from chukai.remedies import actions, services  # noqa: F401 - registers actions and deadline handlers
        from chukai.remedies.texts import register

        register()
        hooks.on_party_acted(services.on_party_acted)
        hooks.on_contract_ended(services.on_contract_ended)
        try:
            from chukai.messaging.selectors import REACHABILITY_EXTRAS
        except ImportError:
            return
        from chukai.remedies.selectors import open_requests

        REACHABILITY_EXTRAS.append(open_requests)
