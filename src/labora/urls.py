from django.urls import include, path

from labora.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("labora.accounts.urls")),
    path("", include("labora.workspaces.urls")),
    path("", include("labora.work.urls")),
    path("", include("labora.planning.urls")),
    path("", include("labora.collaboration.urls")),
    path("", include("labora.notifications.urls")),
    path("", include("labora.chat.urls")),
    path("", include("labora.web.urls")),
]
