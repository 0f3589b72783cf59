from django.urls import path

from activitylog import views

app_name = "activitylog"

urlpatterns = [
    path("", views.entry_list, name="list"),
]
