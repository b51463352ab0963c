from django.contrib import admin

from .models import ArgumentMap, Claim, Comment, Event, Evidence, MapSource, Membership, Relation


class MapSourceInline(admin.TabularInline):
    model = MapSource
    extra = 0
    raw_id_fields = ["source"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(ArgumentMap)
class ArgumentMapAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "visibility", "revision", "updated"]
    list_filter = ["visibility"]
    search_fields = ["title", "question"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["revision", "version"]
    inlines = [MapSourceInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "map", "role"]
    list_filter = ["role", "map"]
    raw_id_fields = ["user", "map"]


@admin.register(MapSource)
class MapSourceAdmin(admin.ModelAdmin):
    list_display = ["map", "source", "position"]
    raw_id_fields = ["map", "source"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "map", "version", "updated"]
    list_filter = ["kind", "map"]
    search_fields = ["text"]
    raw_id_fields = ["map", "created_by"]


@admin.register(Relation)
class RelationAdmin(admin.ModelAdmin):
    list_display = ["from_claim", "kind", "to_claim", "map"]
    list_filter = ["kind", "map"]
    raw_id_fields = ["map", "from_claim", "to_claim", "created_by"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["passage", "stance", "claim", "map"]
    list_filter = ["stance", "map"]
    raw_id_fields = ["map", "passage", "claim", "created_by"]
    list_select_related = ["passage__source", "claim"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "claim", "author", "created"]
    raw_id_fields = ["claim", "parent", "author"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only."""

    list_display = ["created", "map", "actor", "verb", "object_type", "object_id"]
    list_filter = ["verb", "object_type", "map"]
    readonly_fields = ["map", "actor", "verb", "object_type", "object_id", "payload", "created"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
