from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Bulk customer imports"

    def ready(self):
        from django_q.signals import post_spawn

        from imports.recovery import on_worker_start

        # Each django-q2 worker, as it starts, sweeps once (imports.recovery).
        post_spawn.connect(on_worker_start, dispatch_uid="imports-sweep-on-worker-start")
