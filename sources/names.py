"""Authors as CSL names: {"family", "given", "suffix"} for people, {"literal"} for organisations.

Names arrive as plain strings (the upload form, the import command, old Warrant JSON files, front
matter) and are parsed here once; everything after that reads the structured name. The parser knows
the forms people type and reference managers write: "Given Family", "Given Family Jr.",
"Family, Given", "Family, Suffix, Given" (BibTeX), and "{A literal name}" to say "do not split".
"""

import re

NAME_PARTS = ("family", "given", "suffix", "non-dropping-particle", "dropping-particle", "literal")
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "phd", "ph.d.", "md", "m.d."}
# Lower-case words that belong to the family name ("Ursula von der Leyen", "Jan de Vries").
PARTICLES = {"de", "da", "del", "della", "der", "di", "du", "la", "le", "van", "von", "den", "ter", "ten", "dos", "das"}
# Words that make a name an organisation's: a person is seldom called "United" or "Council".
ORGANISATION_WORDS = {
    "academy", "agency", "alliance", "assembly", "association", "authority", "bank", "board", "bureau",
    "centre", "center", "coalition", "college", "commission", "committee", "company", "contributors",
    "corporation", "council", "court", "department", "division", "editors", "federation", "forum",
    "foundation", "fund", "government", "group", "inc", "inc.", "institute", "institution", "league",
    "ltd", "ltd.", "ministry", "nations", "network", "office", "organisation", "organization",
    "parliament", "party", "press", "programme", "program", "project", "republic", "secretariat",
    "secretary-general", "service", "society", "staff", "states", "team", "tribunal", "union", "united",
    "university", "wikipedia",
}  # fmt: skip


def parse_name(text: str) -> dict[str, str]:
    """One name as typed, as a CSL name object."""
    text = " ".join(text.split())
    if not text:
        return {}
    if text.startswith("{") and text.endswith("}"):
        return {"literal": text[1:-1].strip()}
    if "," in text:
        parts = [p.strip() for p in text.split(",")]
        # "Biden, Joseph R., Jr." and "Biden, Jr., Joseph R." (BibTeX) both name a suffix.
        if len(parts) >= 3:
            family, middle, rest = parts[0], parts[1], ", ".join(parts[2:])
            if middle.lower() in SUFFIXES:
                return _person(family, rest, middle)
            if rest.lower() in SUFFIXES:
                return _person(family, middle, rest)
        elif len(parts) == 2 and parts[1].lower() not in SUFFIXES:
            return _person(parts[0], parts[1], "")
        elif len(parts) == 2:  # "Joseph R. Biden, Jr."
            name = parse_name(parts[0])
            return {**name, "suffix": parts[1]} if "family" in name else name
    words = text.split()
    if len(words) == 1 or any(w.lower().strip(".,") in ORGANISATION_WORDS for w in words):
        return {"literal": text}
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    # The family name starts at its particles: "Ursula von der Leyen".
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return _person(" ".join(words[start:]), " ".join(words[:start]), suffix)


def _person(family: str, given: str, suffix: str) -> dict[str, str]:
    name = {"family": family, "given": given}
    if suffix:
        name["suffix"] = suffix
    return {k: v for k, v in name.items() if v}


def clean_name(value) -> dict[str, str]:
    """A CSL name object from a string or a dict (unknown keys dropped, values trimmed)."""
    if isinstance(value, str):
        return parse_name(value)
    if not isinstance(value, dict):
        return {}
    name = {k: " ".join(str(value[k]).split()) for k in NAME_PARTS if value.get(k)}
    if "literal" in name:
        return {"literal": name["literal"]}
    if "family" not in name and "given" in name:  # a mononym: "Plato"
        return {"literal": name["given"]}
    return name


def clean_names(values) -> list[dict[str, str]]:
    return [name for name in (clean_name(v) for v in values or []) if name]


def display_name(name) -> str:
    """'Joseph R. Biden Jr.', 'United Nations': a name as it reads in prose."""
    if isinstance(name, str):
        return name
    if "literal" in name:
        return name["literal"]
    parts = [name.get("given"), name.get("dropping-particle"), name.get("non-dropping-particle"), name.get("family")]
    text = " ".join(p for p in parts if p)
    return f"{text} {name['suffix']}" if name.get("suffix") else text


def family_name(name) -> str:
    """'Biden', 'United Nations': what a short citation names."""
    if isinstance(name, str):
        name = parse_name(name)
    if "literal" in name:
        return name["literal"]
    return " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)


def editable_name(name) -> str:
    """A name as the edit form shows it, so that parsing it again gives the same name back."""
    if isinstance(name, str):
        return name
    if "literal" in name:
        text = name["literal"]
        return text if parse_name(text) == name else "{" + text + "}"
    plain = display_name(name)
    if parse_name(plain) == name:
        return plain
    family = family_name(name)
    if name.get("suffix"):
        return f"{family}, {name['suffix']}, {name.get('given', '')}".rstrip(", ")
    return f"{family}, {name.get('given', '')}".rstrip(", ")


def names_line(names) -> str:
    """'Ana Lima and Bo Chen', 'A, B and C'."""
    shown = [display_name(n) for n in names or []]
    if len(shown) <= 2:
        return " and ".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


SPLIT = re.compile(r"\s*;\s*")


def parse_names_field(text: str) -> list[dict[str, str]]:
    """The form's "Ana Lima; Bo Chen" as CSL names."""
    return clean_names(part for part in SPLIT.split(text or "") if part.strip())


def names_field(names) -> str:
    return "; ".join(editable_name(n) for n in names or [])
