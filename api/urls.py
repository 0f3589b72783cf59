from django.urls import path

from api import views

app_name = "api_keys"

urlpatterns = [
    path("secret/", views.secret_regenerate, name="regenerate"),
]
