from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.routes import api
from contacts import invitation_views
from contacts import views as contacts_views

urlpatterns = [
    path("", contacts_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path(
        "invitations/<str:token>/",
        invitation_views.invitation_accept,
        name="invitation_accept",
    ),
    path("api/v1/", api.urls),
    path("c/<slug:channel_slug>/", include("contacts.urls")),
    path("c/<slug:channel_slug>/imports/", include("imports.urls")),
    path("c/<slug:channel_slug>/blocked/", include("blocking.urls")),
    path("c/<slug:channel_slug>/audience/", include("audience.urls")),
    path("c/<slug:channel_slug>/activity/", include("activitylog.urls")),
    path("c/<slug:channel_slug>/settings/api-keys/", include("api.urls")),
    path("notifications/", include("imports.notification_urls")),
]
