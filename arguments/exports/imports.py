"""Importing a map from a file: Warrant JSON (lossless) or AIF (AIFdb / OVA), recognised by its content.

The page, the API and `manage.py import_map` all import through `import_document`.
"""

from arguments.models import ArgumentMap

from .aif import import_aif
from .common import ImportProblem, parse_document
from .warrant_json import import_map

IMPORT_FORMATS = ("json", "aif")
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def detect_format(document: dict) -> str | None:
    """'json' for a Warrant JSON document, 'aif' for AIFdb or OVA, None if it looks like neither."""
    if "schema_version" in document:
        return "json"
    if "nodes" in document or isinstance(document.get("AIF"), dict):
        return "aif"
    return None


def import_document(data: bytes, owner, title: str) -> ArgumentMap:
    """A new map owned by `owner` from a Warrant JSON or AIF file; ImportProblem, and nothing written, if broken."""
    document = parse_document(data)
    kind = detect_format(document)
    if kind == "json":
        return import_map(document, owner=owner)
    if kind == "aif":
        return import_aif(document, owner=owner, title=title or None)
    raise ImportProblem("it is neither a Warrant JSON document (no schema_version) nor AIF (no nodes)")
