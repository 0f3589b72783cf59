from django.urls import path

from contacts import hidden_views, views

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
    path("keys/", views.profile_keys, name="keys"),
    path("keys/add/", views.profile_key_add, name="key_add"),
    path("keys/<int:pk>/edit/", views.profile_key_edit, name="key_edit"),
    path("settings/", views.channel_settings, name="settings"),
    path("settings/managers/invite/", views.manager_invite, name="manager_invite"),
    path("settings/managers/<int:pk>/", views.manager_update, name="manager_update"),
    path("settings/managers/<int:pk>/remove/", views.manager_remove, name="manager_remove"),
    path(
        "settings/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("settings/mu-limit/", views.mu_limit_update, name="mu_limit"),
]
