from django.apps import AppConfig


class ArgumentsConfig(AppConfig):
    name = "arguments"
    verbose_name = "Argument maps"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from sources.models import Source

        from .services.maps import source_metadata_changed

        post_save.connect(source_metadata_changed, sender=Source, dispatch_uid="arguments-source-metadata")
