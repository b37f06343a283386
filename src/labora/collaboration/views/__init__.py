"""Pages of the collaboration app: each module contributes its own urlpatterns."""
