"""Moving maps in and out of Warrant: Warrant JSON (lossless) and AIF (AIFdb / OVA).

export_map(map) -> dict, import_map(data, owner=...) -> ArgumentMap    Warrant JSON
export_aif(map) -> dict, import_aif(data, owner=..., title=None)        AIF
dumps(dict) -> str                                                     deterministic JSON text
ImportProblem                                                          what any importer raises
"""

from .aif import import_aif
from .aif_export import export_aif
from .common import ImportProblem, dumps, parse_document
from .warrant_json import export_map, import_map

FORMATS = ("json", "aif")


def detect_format(document: dict) -> str | None:
    """'json' for a Warrant JSON document, 'aif' for AIFdb or OVA, None if it looks like neither."""
    if "schema_version" in document:
        return "json"
    if "nodes" in document or isinstance(document.get("AIF"), dict):
        return "aif"
    return None


__all__ = [
    "FORMATS",
    "ImportProblem",
    "detect_format",
    "dumps",
    "export_aif",
    "export_map",
    "import_aif",
    "import_map",
    "parse_document",
]
