from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "labora.chat"
    label = "chat"
    verbose_name = "Chat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from labora.chat import activity_text, permissions  # noqa: F401  (registration)
