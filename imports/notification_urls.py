from django.urls import path

from imports import notification_views

app_name = "notifications"

urlpatterns = [
    path("", notification_views.notification_list, name="list"),
    path("<int:pk>/", notification_views.notification_open, name="open"),
    path("read-all/", notification_views.notification_read_all, name="read_all"),
]
