from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "prospects"
    verbose_name = "Prospects"

    def ready(self):
        # Connects the receivers that relabel pages when a content rule or goal changes.
        from .ingest import labels  # noqa: F401
