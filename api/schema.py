"""How drf-spectacular describes the API's operations (settings: REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from drf_spectacular.openapi import AutoSchema


class ApiSchema(AutoSchema):
    """Groups operations by the resource they act on, and names list endpoints apart from details."""

    def get_tags(self) -> list[str]:
        # /api/v1/maps/{slug}/claims/{claim_id}/ → "claims"; /api/v1/maps/{slug}/ → "maps".
        words = [part for part in self.path.strip("/").split("/") if part and not part.startswith("{")]
        return [words[-1] if len(words) > 2 else "api"]

    def get_operation_id(self) -> str:
        # A list's GET would otherwise be `…_retrieve`, colliding with its detail's.
        operation_id = super().get_operation_id()
        if self.method == "GET" and type(self.view).__name__.endswith("List"):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id
