from django.apps import AppConfig


class ArgumentsConfig(AppConfig):
    name = "arguments"
    verbose_name = "Argument maps"
