"""The PDF debate brief two ways, in one run: WeasyPrint (the page's HTML and print CSS) against fpdf2
with text shaping (uharfbuzz) and fallback fonts.

For the demo map and for a 1,000-claim map whose brief holds every claim (a thesis with 333
arguments, each with an objection and a reply, each quoted once, a fifth of the texts in Chinese,
Arabic, Hebrew or with an emoji), each renderer runs in its own child process and reports: the first
render (fonts loaded, stylesheets parsed), the best of a few more, the peak resident memory of the
process, pages and bytes, and which scripts pdftotext finds in the file. Then the installed size of
each renderer's Python packages (the fonts are Debian's and the same for both).

The maps are built in a throwaway SQLite database (SQLITE_PATH, default /tmp/warrant-bench-pdf.sqlite3),
deleted and migrated first. fpdf2 and uharfbuzz are not in requirements.txt: install them into the
venv to run this comparison (`pip install fpdf2 uharfbuzz`); without them the fpdf2 rows are skipped.

Run: .venv/bin/python bench/pdf_brief.py [--claims N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_PATH = Path(os.environ.get("SQLITE_PATH", "/tmp/warrant-bench-pdf.sqlite3"))
os.environ["SQLITE_PATH"] = str(DB_PATH)
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

SAMPLES = {
    "CJK": "联合国安理会陷入僵局时联盟可以迅速行动",
    "Arabic": "مجلس الأمن عاجز عن التحرك",
    "Hebrew": "הקואליציה פועלת מהר יותר",
    "emoji": "🌍",
}
TEXT = (
    "Coalitions of the willing act quickly when the Security Council is blocked. "
    "Critics answer that such coalitions lack accountability and legitimacy. "
) * 30
# Each renderer's own Python packages, beyond what Warrant has anyway (pillow, fonttools: both use them).
PACKAGES = {
    "weasyprint": ["weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "pyphen", "brotli", "zopfli", "cffi"],
    "fpdf2": ["fpdf2", "uharfbuzz", "defusedxml"],
}
NOTO = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto")


def build_world_map(n: int):
    """A map of n claims that the brief prints in full: thesis, then (argument, objection, reply) triples."""
    from django.contrib.auth import get_user_model

    from arguments import services
    from arguments.models import Claim, Evidence, Relation
    from sources.models import Passage, Source

    owner = get_user_model().objects.create_user("bench-pdf", password="x")
    argument_map = services.create_map(owner=owner, title="Bench brief", question="Should states act in coalitions?")
    source = Source.objects.create(
        title="Coalitions remain useful",
        text=TEXT,
        original_format="txt",
        authors=["David L. Phillips"],
        url="https://example.org/a-rather-long-address/that-a-citation-must-wrap/without-justifying",
    )
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    passages = Passage.objects.bulk_create(Passage.from_span(source, k * 75, k * 75 + 74) for k in range(40))
    scripts = list(SAMPLES.values())

    def text(i: int) -> str:
        base = f"Argument number {i}: coalitions answer a blocked Council, at a cost in accountability"
        return base if i % 5 else f"{base} — {scripts[(i // 5) % len(scripts)]}"

    claims = Claim.objects.bulk_create(
        Claim(map=argument_map, kind="thesis" if i == 0 else "claim", text=text(i)) for i in range(n)
    )
    relations = []
    for i in range(1, n):
        role = (i - 1) % 3  # 0: an argument for or against the thesis; 1: an objection to it; 2: a reply
        target = claims[0] if role == 0 else claims[i - 1]
        kind = ("supports" if i % 2 else "opposes") if role == 0 else "opposes"
        relations.append(Relation(map=argument_map, from_claim=claims[i], to_claim=target, kind=kind))
    Relation.objects.bulk_create(relations)
    Evidence.objects.bulk_create(
        Evidence(map=argument_map, passage=passages[i % len(passages)], claim=claims[i], stance="states")
        for i in range(1, n)
    )
    return argument_map


def fpdf_brief(argument_map, briefs, side=None) -> bytes:
    """The brief with fpdf2: Noto fonts, HarfBuzz shaping, fallback fonts per script, citations ragged right."""
    from fpdf import FPDF

    from arguments.exports.brief import SIDES, selected_sides

    pdf = FPDF(format="A4")
    pdf.set_margins(17, 16, 17)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(f"Debate brief: {argument_map.title}")
    for style, name in {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}.items():
        pdf.add_font("Serif", style, NOTO / f"NotoSerif-{name}.ttf")
        pdf.add_font("Sans", style, NOTO / f"NotoSans-{name}.ttf")
    fallbacks = []
    for style, name in {"": "Regular", "B": "Bold"}.items():
        pdf.add_font("Arabic", style, NOTO / f"NotoNaskhArabic-{name}.ttf")
        pdf.add_font("Hebrew", style, NOTO / f"NotoSerifHebrew-{name}.ttf")
        pdf.add_font("CJK", style, CJK / f"NotoSerifCJK-{name}.ttc", collection_font_number=2)  # SC
    pdf.add_font("Emoji", "", NOTO / "NotoColorEmoji.ttf")
    fallbacks = ["Arabic", "Hebrew", "CJK", "Emoji"]
    pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_text_shaping(True)
    pdf.add_page()

    def write(text: str, size: float, family: str = "Serif", style: str = "", indent: float = 0, gap: float = 1.5):
        pdf.set_font(family, style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    write(f"Debate brief: {argument_map.title}", 19, "Sans", "B", gap=2)
    write(f"Motion: {argument_map.question}", 13, gap=4)
    for brief in briefs:
        write(f"Thesis: {brief.thesis.text}", 14, "Sans", "B", gap=2)
        for key in selected_sides(side):
            write(SIDES[key], 12, "Sans", "B")
            for n, arg in enumerate(brief.sides[key], 1):
                write(f"{n}. {arg.claim.text}", 11, style="B", indent=2)
                for q in arg.quotes:
                    write(f"“{q.exact}”", 10.5, style="I", indent=8, gap=0.5)
                    write(q.full_citation, 8.5, "Sans", indent=8)
                for obj in arg.objections:
                    write(f"Objection to answer: {obj.claim.text}", 10, indent=8, gap=0.5)
                    for reply in obj.objections:
                        write(f"Reply: {reply.claim.text}", 10, indent=14, gap=0.5)
    return bytes(pdf.output())


def child(renderer: str, slug: str, runs: int, out: str) -> None:
    """Render one map's brief `runs` + 1 times in this fresh process and print the figures as JSON."""
    import django

    django.setup()
    from arguments.exports.brief import build_brief, to_pdf
    from arguments.models import ArgumentMap

    argument_map = ArgumentMap.objects.get(slug=slug)
    briefs = build_brief(argument_map)
    render = {"weasyprint": lambda: to_pdf(argument_map, briefs), "fpdf2": lambda: fpdf_brief(argument_map, briefs)}[
        renderer
    ]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    pdf = render()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render()
        times.append(time.perf_counter() - start)
    Path(out).write_bytes(pdf)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"first": first, "best": min(times), "rss_mb": peak / 1024, "rss_delta_mb": (peak - rss_before) / 1024}
        )
    )


def measure(renderer: str, slug: str, runs: int) -> dict | None:
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as handle:
        out = handle.name
    result = subprocess.run(
        [sys.executable, __file__, "--child", renderer, slug, "--runs", str(runs), "--out", out],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        print(f"{renderer} on {slug} failed:\n{result.stderr[-2000:]}", file=sys.stderr)
        return None
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    pdf = Path(out).read_bytes()
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", out, "-"], capture_output=True, check=True).stdout.decode()
    text = "".join(text.replace("\u202b", "").replace("\u202c", "").split())
    pages = subprocess.run(["pdfinfo", out], capture_output=True, text=True, check=True).stdout
    figures["pages"] = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
    figures["kb"] = len(pdf) / 1024
    figures["scripts"] = [name for name, sample in SAMPLES.items() if "".join(sample.split()) in text]
    figures["file"] = out
    return figures


def installed_mb(names: list[str]) -> float:
    total = 0
    for name in names:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        total += sum(
            Path(dist.locate_file(f)).stat().st_size for f in dist.files or [] if Path(dist.locate_file(f)).exists()
        )
    return total / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("RENDERER", "SLUG"))
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.runs, args.out)
        return

    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from arguments.demo import load_demo

    call_command("migrate", verbosity=0)
    demo = load_demo(password="bench").map
    big = build_world_map(args.claims)
    renderers = ["weasyprint"]
    try:
        import fpdf  # noqa: F401
        import uharfbuzz  # noqa: F401

        renderers.append("fpdf2")
    except ImportError:
        print("fpdf2 or uharfbuzz is not installed: measuring WeasyPrint alone")

    print(f"\n{'renderer':<11} {'map':<22} {'first s':>8} {'best s':>7} {'peak MB':>8} {'pages':>6} {'KB':>7}  scripts")
    for label, argument_map in [("demo", demo), (f"{args.claims:,} claims", big)]:
        for renderer in renderers:
            f = measure(renderer, argument_map.slug, args.runs)
            if f:
                print(
                    f"{renderer:<11} {label:<22} {f['first']:>8.2f} {f['best']:>7.2f} {f['rss_mb']:>8.0f} "
                    f"{f['pages']:>6} {f['kb']:>7.0f}  {', '.join(f['scripts']) or '-'}   ({f['file']})"
                )
    print()
    for renderer in renderers:
        print(f"installed size of {renderer}'s own Python packages: {installed_mb(PACKAGES[renderer]):.1f} MB")


if __name__ == "__main__":
    main()
