from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "labora.core"
    label = "core"
    verbose_name = "Labora core"
