"""How drf-spectacular describes the API's operations (settings: REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from rest_framework.viewsets import ViewSetMixin


class ApiSchema(AutoSchema):
    """Groups operations by the resource they act on."""

    def get_tags(self) -> list[str]:
        # /api/v1/maps/{slug}/claims/{claim_id}/ → "claims"; /api/v1/maps/{slug}/ → "maps".
        words = [part for part in self.path.strip("/").split("/") if part and not part.startswith("{")]
        return [words[-1] if len(words) > 2 else "api"]

    def get_description(self) -> str:
        # A view set's class docstring is for developers: an operation says only what its action says.
        if isinstance(self.view, ViewSetMixin):
            return get_doc(getattr(self.view, self.view.action, None))
        return super().get_description()
