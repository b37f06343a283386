from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "labora.web"
    label = "web"
    verbose_name = "Web shell"
