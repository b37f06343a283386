from django.urls import path

from labora.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:ws>/", views.workspace_home, name="workspace_home"),
    path("w/<slug:ws>/activity/", views.workspace_activity, name="workspace_activity"),
    path("_styleguide/", views.styleguide, name="styleguide"),
]
