from django.urls import path

from labora.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:ws>/", views.workspace_home, name="workspace_home"),
    path("_styleguide/", views.styleguide, name="styleguide"),
]
