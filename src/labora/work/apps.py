from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "labora.work"
    label = "work"
    verbose_name = "Work"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from labora.work import activity_text, permissions  # noqa: F401  (registration)
