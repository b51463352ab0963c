"""What the importers and exporters share: the error type, reading untrusted input, writing JSON,
checking values with a path for the error message, and opening and closing an imported map."""

import functools
import json
import math
import re
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from arguments import services
from arguments.models import ArgumentMap, Membership, Role, Verb, Visibility
from sources.citations import DEFAULT_STYLE

# Hard limits on untrusted documents; far above any real map, low enough to keep a server alive.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_TEXT_CHARS = 5_000_000
MAX_CLAIMS = 50_000
# Offsets are stored in 32-bit integer columns.
MAX_OFFSET = 2**31 - 1

# NUL is refused by PostgreSQL and lone surrogates cannot be encoded as UTF-8: neither is text.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


class ImportProblem(ValidationError):
    """An imported document is unreadable or inconsistent; `where` names the offending part."""

    def __init__(self, message: str, *, where: str = "") -> None:
        self.where = where
        self.text = f"{where}: {message}" if where else message
        super().__init__(self.text, code="import_problem")

    def __str__(self) -> str:
        return self.text


def parse_document(data: Any) -> dict:
    """The top-level JSON object of `data` (a dict, str or bytes), or ImportProblem."""
    if isinstance(data, dict):
        return data
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, str | bytes):
        raise ImportProblem(f"expected JSON text, bytes or a dict, not {type(data).__name__}")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportProblem(f"the document is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(data, parse_constant=_no_constant)
    except ImportProblem:
        raise
    except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ImportProblem(f"not valid JSON ({_short(error)})") from None
    if not isinstance(document, dict):
        raise ImportProblem(f"the document must be a JSON object, not {json_type(document)}")
    return document


def _no_constant(name: str):
    raise ImportProblem(f"not valid JSON ({name} is not a number JSON allows)")


def _short(error: Exception) -> str:
    text = str(error)
    return text if len(text) <= 120 else text[:117] + "..."


def dumps(data: dict) -> str:
    """Deterministic JSON: keys in the order the exporter built them, UTF-8 text, two-space indent.

    The same text as json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) in about half
    the time: json uses its C encoder only without indent, so the long lists of flat objects and of
    plain values that exports consist of go to the C encoder with the indentation as its item
    separator (a newline inside a JSON string is always escaped, so every newline in the output is
    a separator), and only the structure around them is walked in Python.
    """
    parts: list[str] = []
    try:
        _write_json(data, 0, parts)
    except (_Unusual, RecursionError, TypeError, ValueError):  # json's own path, for its own errors too
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    parts.append("\n")
    return "".join(parts)


class _Unusual(Exception):
    pass


_SCALAR = (str, int, float, type(None))
_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))


@functools.cache
def _c_encode(depth: int) -> Callable[[Any], str]:
    """json's C encoder, separating items by a newline and the indent of `depth`."""
    return json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",\n" + "  " * depth, ": ")).encode


def _all_scalars(values: Iterable) -> bool:
    # Types, not isinstance, so that the test runs in C; a subclass takes the slower path.
    return set(map(type, values)) <= _SCALAR_TYPES


def _all_flat(items: list | tuple) -> bool:
    """Whether every item is a non-empty object whose values are all plain values."""
    return set(map(type, items)) == {dict} and all(items) and _all_scalars(chain.from_iterable(map(dict.values, items)))


def _write_json(value: Any, depth: int, parts: list[str]) -> None:
    outer, inner = "\n" + "  " * depth, "\n" + "  " * (depth + 1)
    if isinstance(value, _SCALAR):
        parts.append(_c_encode(0)(value))
    elif type(value) is dict:
        if _all_scalars(value.values()):
            text = _c_encode(depth + 1)(value)
            parts += (text,) if not value else ("{" + inner, text[1:-1], outer + "}")
            return
        for n, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _Unusual
            parts.append(("," if n else "{") + inner + _c_encode(0)(key) + ": ")
            _write_json(item, depth + 1, parts)
        parts.append(outer + "}")
    elif type(value) is list or type(value) is tuple:
        if not value:
            parts.append("[]")
        elif _all_scalars(value):
            parts += ("[" + inner, _c_encode(depth + 1)(value)[1:-1], outer + "]")
        elif _all_flat(value):
            # One C call for the whole list: its items come out separated by "},<newline><indent>{",
            # which nothing else in the text can look like (a value before a comma is never a "}").
            deeper = inner + "  "
            text = _c_encode(depth + 2)(value).replace("}," + deeper + "{", inner + "}," + inner + "{" + deeper)
            parts += ("[" + inner + "{" + deeper, text[2:-2], inner + "}" + outer + "]")
        else:
            for n, item in enumerate(value):
                parts.append(("," if n else "[") + inner)
                _write_json(item, depth + 1, parts)
            parts.append(outer + "]")
    else:
        raise _Unusual


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def show(value: Any) -> str:
    """A short, safe rendering of an offending value for a message."""
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        text = repr(value)
    else:
        text = json_type(value)
    return text if len(text) <= 60 else text[:57] + "..."


# Checking values. Each takes the value and its path ("claims[3].kind") and returns the clean value.


def need_dict(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ImportProblem(f"expected an object, found {json_type(value)}", where=where)
    return value


def need_list(value: Any, where: str, *, limit: int, missing_ok: bool = False) -> list:
    if value is None and missing_ok:
        return []
    if not isinstance(value, list):
        raise ImportProblem(f"expected a list, found {json_type(value)}", where=where)
    if len(value) > limit:
        raise ImportProblem(f"{len(value)} items is more than the limit of {limit}", where=where)
    return value


def need_text(
    value: Any,
    where: str,
    *,
    limit: int = MAX_TEXT_CHARS,
    blank: bool = True,
    default: str | None = None,
    choices: tuple[str, ...] | list[str] | None = None,
) -> str:
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise ImportProblem(f"expected a string, found {json_type(value)}", where=where)
    if choices is not None and value not in choices:
        raise ImportProblem(f"{show(value)} is not one of {', '.join(choices)}", where=where)
    if len(value) > limit:
        raise ImportProblem(f"longer than {limit} characters", where=where)
    if not blank and not value.strip():
        raise ImportProblem("must not be empty", where=where)
    if _NOT_TEXT.search(value):
        raise ImportProblem("contains a NUL character or an unpaired surrogate", where=where)
    return value


def need_int(value: Any, where: str, *, low: int = 0, high: int = MAX_OFFSET) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImportProblem(f"expected a whole number, found {json_type(value)}", where=where)
    if not low <= value <= high:
        raise ImportProblem(f"{value} is outside {low}..{high}", where=where)
    return value


def need_unit_float(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ImportProblem(f"expected a number or null, found {json_type(value)}", where=where)
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise ImportProblem(f"{value!r} is not between 0 and 1", where=where)
    return float(value)


def need_ref(value: Any, where: str, known: dict, what: str):
    """The object a local id refers to; `known` maps ids to objects."""
    if not isinstance(value, str):
        raise ImportProblem(f"expected the id of a {what}, found {json_type(value)}", where=where)
    if value not in known:
        raise ImportProblem(f"{show(value)} is not the id of any {what}", where=where)
    return known[value]


# Opening and closing an imported map: one transaction, the owner's membership, one Event.


def open_map(
    *, owner, title: str, slug: str, question: str, description: str, citation_style: str = DEFAULT_STYLE
) -> ArgumentMap:
    """The new map (call inside the import's transaction); `slug` is kept if free, else made unique.

    An imported map is always private, whatever the file says: it holds whatever the file holds, and
    its owner shares it, if they want to, from its settings.
    """
    if not slug or ArgumentMap.objects.filter(slug=slug).exists():
        slug = services.unique_map_slug(slug or title)
    argument_map = ArgumentMap.objects.create(
        title=title,
        slug=slug,
        question=question,
        description=description,
        citation_style=citation_style,
        visibility=Visibility.PRIVATE,
        created_by=owner,
    )
    Membership.objects.create(map=argument_map, user=owner, role=Role.OWNER)
    return argument_map


def close_map(argument_map: ArgumentMap, *, owner, imported_from: str, counts: dict) -> ArgumentMap:
    assert transaction.get_connection().in_atomic_block, "imports write in one transaction"
    services.record_event(
        argument_map=argument_map,
        actor=owner,
        verb=Verb.CREATED,
        obj=argument_map,
        payload={"imported_from": imported_from, "title": argument_map.title, "counts": counts},
    )
    argument_map.refresh_from_db()
    argument_map.import_counts = counts
    return argument_map
