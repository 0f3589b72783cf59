from django.urls import path

from imports import views, wizard_views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", wizard_views.import_new, name="new"),
    path("export/", views.customers_export, name="export"),
    path("templates/<slug:template_kind>.xlsx", wizard_views.import_template, name="template"),
    path("<int:pk>/mapping/", wizard_views.import_mapping, name="mapping"),
    path("<int:pk>/reading/", wizard_views.import_reading, name="reading"),
    path("<int:pk>/check/", wizard_views.import_check, name="check"),
    path("<int:pk>/start/", wizard_views.import_start, name="start"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/stop/", views.import_stop, name="stop"),
    path("<int:pk>/failed-rows.xlsx", views.failures_download, name="failures"),
]
