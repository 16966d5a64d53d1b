"""Portal URLs: the client's pages and the clinic's review."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.start, name="start"),
    path("in/<str:token>/", views.enter, name="enter"),
    path("home/", views.home, name="home"),
    path("questionnaire/", views.questionnaire, name="questionnaire"),
    path("consent/", views.consent, name="consent"),
    path("problem/", views.problem, name="problem"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("clients/<int:pk>/", views.review, name="review"),
    path("clients/<int:pk>/send/", views.send, name="send"),
    path("submissions/<int:pk>/accept/", views.accept, name="accept"),
]
