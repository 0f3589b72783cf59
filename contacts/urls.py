from django.urls import path

from contacts import hidden_views, key_views, settings_views, views

app_name = "contacts"

urlpatterns = [
    path("contacts/", views.customer_list, name="list"),
    path("contacts/add-lead/", views.lead_add, name="lead_add"),
    path("contacts/delete/", views.customers_delete_selected, name="delete_selected"),
    path("contacts/delete-tagged/", views.customers_delete_tagged, name="delete_tagged"),
    path("contacts/hidden/", hidden_views.hidden_list, name="hidden"),
    path("contacts/<int:pk>/", views.customer_detail, name="detail"),
    path("contacts/<int:pk>/edit/", views.customer_edit, name="edit"),
    path("contacts/<int:pk>/verify/", views.customer_verify, name="verify"),
    path("contacts/<int:pk>/delete/", views.customer_delete, name="delete"),
    path("keys/", key_views.profile_keys, name="keys"),
    path("keys/add/", key_views.profile_key_add, name="key_add"),
    path("keys/<int:pk>/edit/", key_views.profile_key_edit, name="key_edit"),
    path("settings/", settings_views.channel_settings, name="settings"),
    path("settings/managers/invite/", settings_views.manager_invite, name="manager_invite"),
    path("settings/managers/<int:pk>/", settings_views.manager_update, name="manager_update"),
    path(
        "settings/managers/<int:pk>/remove/", settings_views.manager_remove, name="manager_remove"
    ),
    path(
        "settings/invitations/<int:pk>/revoke/",
        settings_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("settings/mu-limit/", settings_views.mu_limit_update, name="mu_limit"),
]
