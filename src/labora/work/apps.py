from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "labora.work"
    label = "work"
    verbose_name = "Work"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Full-text index objects after every migrate, also for databases built without
        # migrations (tests) or rebuilt by a later migration (labora.work.search.ensure).
        from django.db.models.signals import post_migrate

        from labora.work import activity_text, permissions  # noqa: F401  (registration)
        from labora.work.search import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="work.search.ensure")
