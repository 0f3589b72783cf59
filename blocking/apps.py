from django.apps import AppConfig


class BlockingConfig(AppConfig):
    name = "blocking"
    verbose_name = "Blocked customers"
