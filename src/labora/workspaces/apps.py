from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "labora.workspaces"
    label = "workspaces"
    verbose_name = "Workspaces"

    def ready(self) -> None:
        from labora.workspaces import permissions, subscribers  # noqa: F401  (registration)
