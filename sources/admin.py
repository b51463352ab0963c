from django.contrib import admin

from .models import Passage, Source, SourceRevision


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "published", "original_format", "revision", "added_by"]
    list_filter = ["kind", "original_format", "language"]
    search_fields = ["title", "container_title", "publisher"]
    # The text changes only from the reader's "Edit text", where passages follow it and the text it
    # replaces is kept (sources/reanchor.py); changed here, it would strand every passage.
    readonly_fields = ["sha256", "revision", "original_name", "original_format", "created", "updated", "text"]
    exclude = ["original"]


@admin.register(SourceRevision)
class SourceRevisionAdmin(admin.ModelAdmin):
    """Kept texts, to read; an administrator may delete one (a text that must not be kept), never change it."""

    list_display = ["source", "revision", "length", "replaced", "replaced_by", "restored"]
    list_select_related = ["source", "replaced_by"]
    search_fields = ["source__title"]
    raw_id_fields = ["source", "replaced_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "start", "end", "anchor_status"]
    list_filter = ["anchor_status", "source"]
    search_fields = ["exact"]
    list_select_related = ["source"]
    raw_id_fields = ["source", "created_by"]
