from django.contrib import admin

from .models import Passage, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "published", "original_format", "revision", "added_by"]
    list_filter = ["kind", "original_format", "language"]
    search_fields = ["title", "container_title", "publisher"]
    readonly_fields = ["sha256", "revision", "original_name", "original_format", "created", "updated"]
    exclude = ["original"]


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "start", "end", "anchor_status"]
    list_filter = ["anchor_status", "source"]
    search_fields = ["exact"]
    list_select_related = ["source"]
    raw_id_fields = ["source", "created_by"]
