"""Pages of the planning app: each module contributes its own urlpatterns."""
