"""Front matter: the block of metadata that static-site and notes tools put on top of a text file.

YAML between `---` lines (Jekyll, Hugo, Obsidian, Pandoc) or TOML between `+++` lines (Hugo, Zola). It is the
document's metadata, not its text: it is cut from the text, and the fields a source has are read from it.
Only keys that mean the same thing in every tool are read; the rest are counted and left out.
"""

import datetime
import re
import tomllib
from typing import NamedTuple

import yaml

# A front matter block is a few hundred bytes; a larger one is not front matter but a document that happens to
# start with a rule, and it is left as text.
MAX_FRONT_MATTER_CHARS = 16 * 1024
YAML_BLOCK = re.compile(r"\A\s*---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
TOML_BLOCK = re.compile(r"\A\s*\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL)
# What makes the block between two rules metadata rather than prose: its first line is a key.
YAML_KEY_LINE = re.compile(r"\A\s*[A-Za-z_][\w -]*:(?:\s|\Z)")
TOML_KEY_LINE = re.compile(r"\A\s*(?:[A-Za-z_][\w-]*\s*=|\[)")

# The Source field each common front matter key fills (lower-cased); the first key found for a field wins.
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "authors": ("authors", "author", "creator", "creators", "by"),
    "published": ("date", "published", "pubdate", "publishdate", "publish_date", "issued", "year"),
    "url": ("url", "source_url", "source", "canonical_url", "canonical", "link", "permalink", "original_url"),
    "publisher": ("publisher", "organisation", "organization", "institution"),
    "container_title": ("container_title", "journal", "publication", "site", "site_name", "website", "series"),
    "language": ("language", "lang", "locale"),
    "notes": ("description", "summary", "abstract", "excerpt"),
}
LIMITS = {"title": 500, "publisher": 300, "container_title": 500, "language": 20, "url": 1000}
DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?![\d])")
URL = re.compile(r"https?://\S+\Z")


class FrontMatter(NamedTuple):
    text: str  # the document without its front matter
    metadata: dict  # Source field -> value (authors: a list of names); only fields found and valid
    fields: int  # how many keys the front matter had


def split_front_matter(text: str) -> FrontMatter:
    """The text without its front matter, and what the front matter says; the text unchanged if it has none."""
    for block, key_line, parse in ((YAML_BLOCK, YAML_KEY_LINE, _yaml), (TOML_BLOCK, TOML_KEY_LINE, _toml)):
        match = block.match(text[: MAX_FRONT_MATTER_CHARS + 16])
        if match is None or not key_line.match(match.group(1)):
            continue
        data = parse(match.group(1))
        if data is None:
            continue
        return FrontMatter(text[match.end() :], _metadata(data), len(data))
    return FrontMatter(text, {}, 0)


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, with dates left as the text they are: a date that is not one (2024-13-45) is then one
    field left out, not a document refused."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _yaml(block: str) -> dict | None:
    try:
        # The safe loader builds plain values only; aliases are shared, never copied, so they cannot multiply
        # memory, and only scalars and lists of scalars are read from the result (see _scalar).
        data = yaml.load(block, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _toml(block: str) -> dict | None:
    try:
        return tomllib.loads(block)
    except tomllib.TOMLDecodeError:
        return None


def _metadata(data: dict) -> dict:
    lowered = {str(key).strip().lower(): value for key, value in data.items()}
    metadata: dict = {}
    for field, keys in FIELDS.items():
        for key in keys:
            if key in lowered and (value := _field_value(field, lowered[key])):
                metadata[field] = value
                break
    return metadata


def _field_value(field: str, value) -> str | list[str] | None:
    if field == "authors":
        names = value if isinstance(value, list) else [value]
        found = [_name(name) for name in names[:100]]
        return [name for name in found if name] or None
    if field == "published":
        if isinstance(value, datetime.date):  # YAML reads an unquoted date as one (datetimes are dates too)
            return value.strftime("%Y-%m-%d")
        match = DATE.match(_scalar(value))
        if match is None:
            return None
        year, month, day = match.groups()
        try:
            datetime.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return None
        return "-".join(part for part in (year, month, day) if part)
    text = " ".join(_scalar(value).split()) if field != "notes" else _scalar(value).strip()
    if field == "url" and not URL.match(text):
        return None
    return text[: LIMITS.get(field, 10_000)] or None


def _name(value) -> str:
    """An author as a name string: a string, or a mapping with a name (`{name: …}`, `{given: …, family: …}`)."""
    if isinstance(value, dict):
        lowered = {str(key).lower(): item for key, item in value.items()}
        if "name" in lowered or "literal" in lowered:
            return _scalar(lowered.get("name", lowered.get("literal")))
        return " ".join(_scalar(lowered.get(key)) for key in ("given", "family") if lowered.get(key)).strip()
    return " ".join(_scalar(value).split())[:300]


def _scalar(value) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
