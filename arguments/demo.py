"""The demo map: the three corpus documents and the map on coalitions of the willing.

The map's content lives in corpus/demo_map.yaml (claims, relations, and evidence as exact quotes);
quotes are located in each source's canonical text when the map is loaded, so the data file keeps
working if the normalisation rules change.
"""

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from sources.anchoring import locate_quote
from sources.models import Source
from sources.services import import_source

from . import services
from .models import ArgumentMap, Claim, ClaimKind, Role, Visibility

CORPUS_DIR = Path(settings.BASE_DIR) / "corpus"
DATA_FILE = CORPUS_DIR / "demo_map.yaml"

DEMO_USERS = {
    "demo-owner": Role.OWNER,
    "demo-editor": Role.EDITOR,
    "demo-annotator": Role.ANNOTATOR,
    "demo-viewer": Role.VIEWER,
}


@dataclass
class DemoResult:
    map: ArgumentMap
    created: bool
    password: str | None
    users_created: list[str] = field(default_factory=list)


def load_demo(*, password: str | None = None, data_file: Path = DATA_FILE) -> DemoResult:
    """Create the demo users, sources and map; a second run finds them all and changes nothing."""
    data = yaml.safe_load(data_file.read_text(encoding="utf-8"))
    with transaction.atomic():
        users, created_users, password = _demo_users(password)
        existing = ArgumentMap.objects.filter(slug=data["map"]["slug"]).first()
        if existing is not None:
            return DemoResult(map=existing, created=False, password=password, users_created=created_users)
        sources = _demo_sources(data["sources"], added_by=users["demo-owner"])
        argument_map = _build_map(data, sources, users)
    return DemoResult(map=argument_map, created=True, password=password, users_created=created_users)


def _demo_users(password: str | None):
    User = get_user_model()
    users, created = {}, []
    for username in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or secrets.token_urlsafe(9)
            user = User.objects.create_user(username=username, email=f"{username}@example.org", password=password)
            created.append(username)
        elif password and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        users[username] = user
    return users, created, password


def _demo_sources(entries: list[dict], added_by) -> dict[str, Source]:
    manifest = json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8"))
    by_file = {item["file"]: item for item in manifest["sources"]}
    sources = {}
    for entry in entries:
        meta = by_file[entry["file"]]
        source = Source.objects.filter(original_name=entry["file"], title=meta["title"]).first()
        if source is None:
            source = import_source(
                filename=entry["file"],
                data=(CORPUS_DIR / entry["file"]).read_bytes(),
                added_by=added_by,
                title=meta["title"],
                authors=meta.get("authors", []),
                container_title=meta.get("container_title", ""),
                publisher=meta.get("publisher", ""),
                place=meta.get("place", ""),
                published=meta.get("published", ""),
                kind=meta.get("kind", "other"),
                language=meta.get("language", "en"),
                url=meta.get("url", ""),
                isbn=meta.get("isbn", ""),
                doi=meta.get("doi", ""),
                notes=meta.get("notes", ""),
            )
        sources[entry["key"]] = source
    return sources


def _build_map(data: dict, sources: dict[str, Source], users: dict) -> ArgumentMap:
    owner, editor, annotator = users["demo-owner"], users["demo-editor"], users["demo-annotator"]
    meta = data["map"]
    argument_map = services.create_map(
        owner=owner,
        title=meta["title"],
        slug=meta["slug"],
        question=meta["question"],
        description=meta.get("description", ""),
        visibility=Visibility.PUBLIC,
    )
    for username, role in DEMO_USERS.items():
        if role != Role.OWNER:
            services.add_member(argument_map=argument_map, user=users[username], role=role, actor=owner)
    for entry in data["sources"]:
        services.add_source(argument_map=argument_map, source=sources[entry["key"]], actor=owner)

    claims: dict[str, Claim] = {}
    for item in data["claims"]:
        kind = item.get("kind", ClaimKind.CLAIM)
        author = owner if kind == ClaimKind.THESIS else editor
        claims[item["key"]] = services.create_claim(
            argument_map=argument_map, actor=author, text=item["text"], kind=kind
        )
    for item in data["claims"]:
        for relation_kind in ("supports", "opposes"):
            for target in item.get(relation_kind) or []:
                services.create_relation(
                    argument_map=argument_map,
                    actor=editor,
                    from_claim=claims[item["key"]],
                    to_claim=claims[target],
                    kind=relation_kind,
                )
    for item in data["claims"]:
        for ev in item.get("evidence") or []:
            source = sources[ev["source"]]
            start, end = locate_quote(source.text, ev["quote"])
            services.add_evidence(
                argument_map=argument_map,
                actor=annotator,
                source=source,
                start=start,
                end=end,
                claim=claims[item["key"]],
                stance=ev["stance"],
                note=ev.get("note", ""),
            )
    return argument_map
