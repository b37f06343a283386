from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    name = "labora.collaboration"
    label = "collaboration"
    verbose_name = "Collaboration"

    def ready(self) -> None:
        from labora.collaboration import subscribers  # noqa: F401  (registration)
