from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "labora.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from labora.accounts import permissions  # noqa: F401  (registers rules)
