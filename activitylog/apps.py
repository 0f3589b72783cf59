from django.apps import AppConfig


class ActivitylogConfig(AppConfig):
    name = "activitylog"
    verbose_name = "Manager activity log"
