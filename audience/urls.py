from django.urls import path

from audience import views

app_name = "audience"

urlpatterns = [
    path("", views.audience, name="page"),
    path("download/", views.audience_download, name="download"),
]
