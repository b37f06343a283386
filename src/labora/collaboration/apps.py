from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    name = "labora.collaboration"
    label = "collaboration"
    verbose_name = "Collaboration"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from labora.collaboration import activity_text, permissions, subscribers  # noqa: F401  (registration)
        from labora.collaboration.search import ensure_after_migrate

        # The comments' full-text index after every migrate, as work does for tasks (0007).
        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="collaboration.search.ensure")
