"""Pages of the work app. Each module owns its views and its own `urlpatterns` list;
labora.work.urls joins them (so the list pages and the board can grow independently)."""
