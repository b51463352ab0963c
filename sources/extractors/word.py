"""Word (.docx): the text of the main document's paragraphs, read from the zip archive in bounded steps.

A .docx file is a zip archive of XML parts. Two traps make the obvious way (python-docx) unfit for uploads:
zipfile's read() inflates a member in one step however large it truly is, trimming it to the size the
archive's directory declares only afterwards, so a 1 MB file whose directory understates a member inflates a
gigabyte; and python-docx builds a tree of every part, hundreds of bytes per element. So only the parts that
hold what is needed are read (package relationships, the main document, its styles, the core properties), each
inflated chunk by chunk with a counter that trusts no declared size, and fed as it comes to an XML parser that
refuses document type declarations, and so entity expansion (defusedxml).

The text is what python-docx's Paragraph.text gives for the paragraphs of the body, table cells and content
controls, in reading order; list items are marked for the normaliser.
"""

import copy
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from .common import Budget, IngestError, Raw

# A Word document unzips to a few dozen parts, at most tens of megabytes; anything far beyond is a zip bomb.
DOCX_MAX_MEMBERS = 2000
DOCX_MAX_UNCOMPRESSED = 50 * 1024 * 1024  # declared by the directory, all members together
DOCX_MAX_RATIO = 100
DOCX_MAX_READ = 50 * 1024 * 1024  # truly inflated, counted while reading the parts that are read
CHUNK = 64 * 1024

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CORE_PROPERTIES = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}coreProperties"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
DEFAULT_MAIN_PART = "word/document.xml"
# What the run elements python-docx reads stand for in its text (w:t is its text, w:br depends on its type).
RUN_CHARACTERS = {W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", W + "noBreakHyphen": "-"}
ON = {"1", "true", "on"}

DAMAGED = "This Word document is damaged and cannot be read."


def extract_docx(data: bytes) -> Raw:
    archive = _open_archive(data)
    with archive:
        package = _Package(archive, Budget("This Word document"))
        main = package.main_part()
        styles_part = package.related(main, "/styles")
        styles = package.parse(styles_part, _Styles()) if styles_part else _Styles()
        body = package.parse(main, _Body(styles, package.budget))
        core = package.related("", "/metadata/core-properties")
        title = package.parse(core, _CoreTitle()) if core else ""
    return Raw("".join(body.parts), " ".join(title.split()), paged=False)


def _open_archive(data: bytes) -> zipfile.ZipFile:
    """The archive, once its directory passes the cheap checks; nothing has been inflated yet."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise IngestError("This Word document is damaged: it is not a readable zip archive.") from error
    declared = sum(member.file_size for member in members)
    if len(members) > DOCX_MAX_MEMBERS or declared > DOCX_MAX_UNCOMPRESSED:
        raise IngestError("This Word document unpacks to far more data than any real document; it was refused.")
    if declared > DOCX_MAX_RATIO * len(data):
        raise IngestError("This Word document is compressed suspiciously well (a possible zip bomb); it was refused.")
    if any(member.flag_bits & 0x1 for member in members):
        raise IngestError("This Word document is encrypted; remove the password and upload it again.")
    return archive


class _Package:
    """Reads parts of the archive: relationships resolved, every byte inflated counted against DOCX_MAX_READ."""

    def __init__(self, archive: zipfile.ZipFile, budget: Budget) -> None:
        self.archive = archive
        self.budget = budget
        self.names = set(archive.namelist())
        self.inflated = 0

    def main_part(self) -> str:
        main = self.related("", "/officeDocument") or DEFAULT_MAIN_PART
        if main not in self.names:
            raise IngestError(f"This file is a zip archive but not a Word document (it has no {main}).")
        return main

    def related(self, part: str, kind: str) -> str | None:
        """The part that `part` ("" for the package) names as its first relationship of `kind`, if it exists."""
        folder, name = posixpath.split(part)
        relationships = posixpath.join(folder, "_rels", f"{name}.rels")
        if relationships not in self.names:
            return None
        for kind_uri, target in self.parse(relationships, _Relationships()):
            if kind_uri.endswith(kind):
                found = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                return found if found in self.names else None
        return None

    def parse(self, name: str, target):
        """Feed the part to `target` (an ElementTree parser target) as it is inflated; what target.close() returns."""
        parser = DefusedXMLParser(target=target, forbid_dtd=True)
        try:
            for chunk in self._inflate(name):
                parser.feed(chunk)
            return parser.close()
        except DefusedXmlException as error:
            raise IngestError(
                "This Word document contains an XML document type declaration, which Word never writes; it was refused."
            ) from error
        except ParseError as error:
            raise IngestError(DAMAGED) from error

    def _inflate(self, name: str) -> Iterator[bytes]:
        declared = self.archive.getinfo(name)
        # zipfile stops at the declared size; told one beyond the limit, it reads what the member really holds,
        # and the counter below decides. Each read inflates at most CHUNK bytes.
        info = copy.copy(declared)
        info.file_size = DOCX_MAX_READ + CHUNK + 1
        misstated = IngestError(
            f"This Word document's zip directory misstates the size of {name} (a possible zip bomb); it was refused."
        )
        size = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    self.inflated += len(chunk)
                    if self.inflated > DOCX_MAX_READ:
                        raise IngestError(
                            f"This Word document unpacks to more than {DOCX_MAX_READ // (1024 * 1024)} MB of text "
                            "and markup, far more than any real document; it was refused."
                        )
                    yield chunk
                    self.budget.check_time()
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as error:
            # A checksum that fails past the declared size is the directory's error, not the data's.
            raise (misstated if size > declared.file_size else IngestError(DAMAGED)) from error
        if size != declared.file_size:
            raise misstated


class _Relationships:
    """Parser target for a .rels part: (type, target) of each internal relationship, in order."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def start(self, tag: str, attributes: dict) -> None:
        if tag == RELATIONSHIP and attributes.get("TargetMode") != "External" and attributes.get("Target"):
            self.found.append((attributes.get("Type", ""), attributes["Target"]))

    def close(self) -> list[tuple[str, str]]:
        return self.found


class _Styles:
    """Parser target for the styles part: each paragraph style's name by id, and the default paragraph style's."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # paragraph styles only; the first style with an id wins, as in python-docx
        self.seen: set[str] = set()
        self.default = ""
        self.depth = 0
        self.style: dict | None = None

    def start(self, tag: str, attributes: dict) -> None:
        self.depth += 1
        if self.depth == 2 and tag == W + "style":
            self.style = {"id": attributes.get(W + "styleId"), "attributes": attributes, "name": None}
        elif self.depth == 3 and self.style is not None and tag == W + "name" and self.style["name"] is None:
            self.style["name"] = attributes.get(W + "val") or ""

    def end(self, tag: str) -> None:
        if self.depth == 2 and self.style is not None:
            style, self.style = self.style, None
            is_paragraph = style["attributes"].get(W + "type") == "paragraph"
            name = style["name"] or ""
            if style["id"] and style["id"] not in self.seen:
                self.seen.add(style["id"])
                if is_paragraph:
                    self.names[style["id"]] = name
            if is_paragraph and style["attributes"].get(W + "default") in ON:
                self.default = name  # the last default wins
        self.depth -= 1

    def close(self) -> "_Styles":
        return self

    def name_of(self, style_id: str | None) -> str:
        """A paragraph's style name: its own style's if that is a paragraph style, else the default's."""
        if style_id and style_id in self.names:
            return self.names[style_id]
        return self.default


class _CoreTitle:
    """Parser target for the core properties: the text of dc:title."""

    def __init__(self) -> None:
        self.path: list[str] = []
        self.title: list[str] | None = None

    def start(self, tag: str, attributes: dict) -> None:
        self.path.append(tag)
        if self.title is None and self.path == [CORE_PROPERTIES, DC_TITLE]:
            self.title = []

    def end(self, tag: str) -> None:
        self.path.pop()

    def data(self, text: str) -> None:
        if self.path == [CORE_PROPERTIES, DC_TITLE] and self.title is not None:
            self.title.append(text)

    def close(self) -> str:
        return "".join(self.title or [])


# What each open element of the main document is to the reader: a place whose w:p children are paragraphs
# (the body, a table cell, a content control's content), a table or row or content control on the way to one,
# an open paragraph or its parts, or something whose content is not read.
CONTAINER, TABLE, ROW, CONTROL, PARAGRAPH, PROPERTIES, RUN, LINK, TEXT, OTHER = range(10)
CHILD_ROLES = {
    CONTAINER: {W + "p": PARAGRAPH, W + "tbl": TABLE, W + "sdt": CONTROL},
    TABLE: {W + "tr": ROW},
    ROW: {W + "tc": CONTAINER},
    CONTROL: {W + "sdtContent": CONTAINER},
    PARAGRAPH: {W + "r": RUN, W + "hyperlink": LINK},
    LINK: {W + "r": RUN},
    RUN: {W + "t": TEXT},
}


class _Body:
    """Parser target for the main document: paragraphs separated by blank lines, list items line by line."""

    def __init__(self, styles: _Styles, budget: Budget) -> None:
        self.styles = styles
        self.budget = budget
        self.roles: list[int] = []
        self.body_seen = False
        self.parts: list[str] = []
        self.previous_was_item = False
        self.text: list[str] = []  # the open paragraph's text
        self.properties_seen = self.style_seen = self.numbering_seen = False
        self.style_id: str | None = None

    def start(self, tag: str, attributes: dict) -> None:
        self.roles.append(role := self._role(tag))
        if role == PARAGRAPH:
            self.text = []
            self.properties_seen = self.style_seen = self.numbering_seen = False
            self.style_id = None
        elif role == PROPERTIES:
            self.properties_seen = True
        elif self.roles[-2:-1] == [PROPERTIES] and tag == W + "pStyle" and not self.style_seen:
            self.style_seen = True
            self.style_id = attributes.get(W + "val")
        elif self.roles[-2:-1] == [PROPERTIES] and tag == W + "numPr":
            self.numbering_seen = True
        elif self.roles[-2:-1] == [RUN]:
            if tag in RUN_CHARACTERS:
                self.text.append(RUN_CHARACTERS[tag])
            elif tag == W + "br" and attributes.get(W + "type", "textWrapping") == "textWrapping":
                self.text.append("\n")

    def end(self, tag: str) -> None:
        if self.roles.pop() == PARAGRAPH:
            self._paragraph_done()

    def data(self, text: str) -> None:
        if self.roles and self.roles[-1] == TEXT:
            self.budget.spend(len(text))
            self.text.append(text)

    def close(self) -> "_Body":
        return self

    def _role(self, tag: str) -> int:
        if not self.roles:
            return OTHER
        parent = self.roles[-1]
        if len(self.roles) == 1 and tag == W + "body" and not self.body_seen:
            self.body_seen = True  # python-docx reads the first body only
            return CONTAINER
        if parent == PARAGRAPH and tag == W + "pPr" and not self.properties_seen:
            return PROPERTIES
        return CHILD_ROLES.get(parent, {}).get(tag, OTHER)

    def _paragraph_done(self) -> None:
        text = "".join(self.text)
        if not text.strip():
            return
        # Word keeps bullets and numbers out of the text; the normaliser needs a marker to keep items apart.
        style_name = self.styles.name_of(self.style_id).lower()
        is_item = not style_name.startswith(("heading", "title")) and (
            style_name.startswith("list") or self.numbering_seen
        )
        self.parts.append("\n" if is_item and self.previous_was_item else "\n\n")
        self.parts.append("• " + text.strip() if is_item else text)
        self.previous_was_item = is_item
