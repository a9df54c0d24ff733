from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"

    def ready(self) -> None:
        from accounts import (
            mfa_signals,  # noqa: F401 (connects the second-factor receivers)
            signals,
        )
        from accounts.checks import check_cache_is_shared

        signals.connect()
        checks.register(check_cache_is_shared, checks.Tags.caches, deploy=True)
