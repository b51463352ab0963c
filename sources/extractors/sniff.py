"""What a plain-text file really is, told from its text: Markdown, wikitext, or plain text.

Each kind is recognised by marks that plain prose does not make by chance, and only when there are several of
them: a stray `#` or `*`, a title in capitals ("CHAPTER I") or a slug with underscores (`joe_biden`) does not make a
file Markdown. Only the start of a long file is looked at; its kind shows there.
"""

import re

from .wikitext import HEADING, HEADING_LINE

PLAIN, MARKDOWN, WIKITEXT = "plain", "markdown", "wikitext"
SNIFF_CHARS = 256 * 1024

MARKDOWN_SIGNS = {
    # `# Heading`, `####Heading`, `\### Heading`
    "heading": re.compile(r"^ {0,3}(?:#{1,6}[ \t]+\S|\\?#{2,6}[^\s#]|\\#)", re.MULTILINE),
    "link": re.compile(r"\[[^\]\n]{1,300}\]\((?:https?://|mailto:|/|#|\.{0,2}/)[^)\s]*(?:\s+\"[^\"\n]*\")?\)"),
    "strong": re.compile(
        r"(?<![\w*])\*\*(?=\S)[^*\n]{1,300}(?<=\S)\*\*(?!\*)|(?<!\w)__(?=\S)[^_\n]{1,300}(?<=\S)__(?!\w)"
    ),
    "escape": re.compile(r"\\[\\`*_{}\[\]#>!|-]"),
    "quote": re.compile(r"^>[ \t]?\S", re.MULTILINE),
}
# Two or more marks before a heading (`## Charter`, `####Charter`, `\### Article`): prose never starts a line so.
DEEP_HEADING = re.compile(r"^ {0,3}\\?#{2,6}(?:[ \t]+\S|[^\s#])", re.MULTILINE)
# A lone `# words` line is as likely a number sign in prose ("# of members") as a heading.
LONE_HASH = re.compile(r"^ {0,3}#[ \t]+\S", re.MULTILINE)
WIKI_SIGNS = re.compile(r"\[\[[^\]\n]+\]\]|'''[^'\n]+'''|\{\{[^}\n]+\}\}")


def sniff(text: str) -> str:
    sample = text[:SNIFF_CHARS]
    counts = {name: len(pattern.findall(sample)) for name, pattern in MARKDOWN_SIGNS.items()}
    if counts["heading"] == 1 and LONE_HASH.search(sample):
        counts["heading"] = 0
    kinds = sum(1 for count in counts.values() if count)
    wiki_lines = [match.group(0) for match in HEADING_LINE.finditer(sample)]
    wiki_headings = [marks for line in wiki_lines for marks, _ in HEADING.findall(line)]
    deep_wiki_headings = sum(1 for marks in wiki_headings if len(marks) >= 2)
    # Wiki headings are whole lines fenced by equals signs, which Markdown never writes.
    is_wiki = deep_wiki_headings or (wiki_headings and WIKI_SIGNS.search(sample))
    if is_wiki and counts["heading"] + counts["link"] <= len(wiki_headings):
        return WIKITEXT
    if (
        DEEP_HEADING.search(sample)
        or kinds >= 2
        or counts["heading"] >= 2
        or counts["link"] >= 2
        or counts["escape"] >= 3
        or counts["strong"] >= 3
    ):
        return MARKDOWN
    return PLAIN
