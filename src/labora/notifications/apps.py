from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "labora.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from labora.core import worker
        from labora.notifications import activity_text, permissions, subscribers, tasks  # noqa: F401  (registration)

        if tasks.periodic_digest_tick not in worker.PERIODIC:
            worker.PERIODIC.append(tasks.periodic_digest_tick)
