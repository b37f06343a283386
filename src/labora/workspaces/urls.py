"""Workspace pages. Included before labora.web.urls, so /w/new/ wins over /w/<ws>/."""

from django.urls import path

from labora.workspaces import views

urlpatterns = [
    path("w/new/", views.workspace_create, name="workspace_create"),
    path("w/<slug:ws>/settings/", views.workspace_settings, name="workspace_settings"),
    path("w/<slug:ws>/settings/members/", views.workspace_members, name="workspace_members"),
    path("w/<slug:ws>/settings/teams/", views.workspace_teams, name="workspace_teams"),
    path("w/<slug:ws>/settings/teams/<str:team_id>/", views.workspace_team, name="workspace_team"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
