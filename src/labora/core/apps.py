from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "labora.core"
    label = "core"
    verbose_name = "Labora core"

    def ready(self) -> None:
        from labora.core import jobs, worker

        if jobs.prune_progress not in worker.PERIODIC:
            worker.PERIODIC.append(jobs.prune_progress)
