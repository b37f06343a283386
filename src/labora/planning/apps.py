from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "labora.planning"
    label = "planning"
    verbose_name = "Planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from labora.planning import activity_text, permissions, subscribers  # noqa: F401  (registration)
