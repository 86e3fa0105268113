from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "chukai.reputation"
    label = "reputation"

    def ready(self) -> None:
        from chukai.accounts.selectors import PROFILE_EXTRAS
        from chukai.contracts import hooks
        from chukai.reputation import actions, texts  # noqa: F401 - registers the `rate` action
        from chukai.reputation.selectors import profile_reputation
        from chukai.reputation.services import rating_window_open  # also registers the window handler

        if rating_window_open not in hooks._ended:
            hooks.on_contract_ended(rating_window_open)
        if profile_reputation not in PROFILE_EXTRAS:
            PROFILE_EXTRAS.append(profile_reputation)
        texts.register()
