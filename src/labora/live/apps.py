from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "labora.live"
    label = "live"
    verbose_name = "Live updates"

    def ready(self) -> None:
        from labora.live import subscribers  # noqa: F401  (registration)
