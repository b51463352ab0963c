"""What reading one upload costs a worker: peak memory growth and time, for hostile files and large real ones.

Builds each file once (the hostile ones with tests/bombs.py), then reads each in a fresh Python process, so
that one file's memory cannot hide another's: the process imports Django and warms the extractors up, notes
its peak resident size (VmHWM), reads the file, and reports how far the peak grew and how long it took
(the best of --runs runs, each in a process of its own; memory: the most it grew).

Two ways to read a file:
- extract: sources.ingest.extract(name, bytes), the whole import pipeline short of the database;
- page: a POST of the file to the upload page, handed to the ASGI application as uvicorn would (the body in
  64 KB messages, built before measuring), in a throwaway SQLite database (SQLITE_PATH, default
  /tmp/warrant-bench-uploads.sqlite3, deleted and migrated first): the body spooled, multipart parsing, the
  upload handler, extraction, and the new source saved with its original.

--root reads with another checkout's code (the files are still built with this one's), to compare before and
after a change: .venv/bin/python bench/uploads.py --root /path/to/older/checkout --way extract

Run: .venv/bin/python bench/uploads.py [--way extract|page|both] [--only NAME ...] [--root DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_PATH = Path(os.environ.get("SQLITE_PATH", "/tmp/warrant-bench-uploads.sqlite3"))
MB = 1024 * 1024
SIZE = 10 * MB - 4096  # just under the default upload limit

SENTENCE = (
    "coalitions of the willing act quickly when the council is blocked and critics answer that such "
    "coalitions lack accountability and legitimacy in the eyes of many states"
)
WORDS = SENTENCE.split(" ")


def prose_paragraphs(size: int) -> list[str]:
    rng = random.Random(1)
    paragraphs, total = [], 0
    while total < size:
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 120))]
        paragraph = " ".join(words).capitalize() + "."
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return paragraphs


def real_docx(text_size: int) -> bytes:
    """A Word document of about `text_size` characters, in runs of a dozen words as Word writes them."""
    from tests.bombs import small_docx

    runs = []
    for paragraph in prose_paragraphs(text_size):
        words = paragraph.split(" ")
        pieces = [" ".join(words[i : i + 12]) + " " for i in range(0, len(words), 12)]
        runs.append("<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{p}</w:t></w:r>' for p in pieces) + "</w:p>")
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + "".join(runs)
        + "</w:body></w:document>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(small_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, body if info.filename == "word/document.xml" else source.read(info))
    return out.getvalue()


def real_pdf(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    for paragraph in prose_paragraphs(pages * 3_000):
        pdf.multi_cell(0, 5, paragraph)
        pdf.ln(3)
    return bytes(pdf.output())


def build(folder: Path) -> list[tuple[str, Path]]:
    from tests import bombs

    prose = prose_paragraphs(SIZE)
    text = "\n\n".join(prose)[:SIZE]
    files = {
        # hostile
        "lying-directory-1GiB.docx": lambda: bombs.docx_with_lying_directory(padding=1024 * MB),
        "zeros-1GiB.docx": lambda: bombs.docx_with_huge_member(1024 * MB),
        "nested.html": lambda: bombs.nested_html(SIZE),
        "dense.html": lambda: bombs.dense_html(SIZE),
        "emphasis.md": lambda: bombs.markdown_emphasis(SIZE),
        "mentions-script.md": lambda: ("Never put a <script> tag in prose.\n\n" + text[: SIZE // 2]).encode(),
        "inflating-20-pages.pdf": lambda: bombs.pdf_with_inflating_page(70 * MB, pages=20),
        "dense-drawing.pdf": lambda: bombs.pdf_with_inflating_page(int(1.9 * MB), filler=b"(x) Tj "),
        # large and real
        "prose.txt": lambda: text.encode(),
        "prose-one-emoji.txt": lambda: (text[: SIZE // 4 - 2] + "😀").encode(),
        "short-lines.txt": lambda: b"a\n" * (SIZE // 2),
        "prose.html": lambda: (
            "<html><body>" + "".join(f"<p>{p.replace(' act ', ' <em>act</em> ')}</p>\n" for p in prose) + "</body>"
        ).encode()[:SIZE],
        "prose.md": lambda: "\n\n".join(
            ("## " + p[:40]) if n % 20 == 0 else p.replace(" the ", " **the** ", 1) for n, p in enumerate(prose)
        ).encode()[:SIZE],
        "prose-10M-chars.docx": lambda: real_docx(SIZE),
        "book-1000-pages.pdf": lambda: real_pdf(1_000),
    }
    built = []
    for name, make in files.items():
        path = folder / name
        path.write_bytes(make())
        built.append((name, path))
    return built


CHILD = r"""
import asyncio, json, os, sys, time
root, way, name, path = sys.argv[1:5]
sys.path.insert(0, root)
os.chdir(root)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from django.conf import settings
settings.DEBUG = False  # as in production: no log of every query (with its parameters: the whole document)
from sources.ingest import IngestError, extract

def peak():
    # The peak resident size of this process's own memory (ru_maxrss would start from the parent's at fork).
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

def prepare_extract(filename, data):
    def go():
        try:
            return f"accepted, {len(extract(filename, data).text):,} characters"
        except IngestError as error:
            return f"refused: {error}"
    return go

def prepare_page(filename, data):
    # The request as uvicorn hands it to the ASGI application: the body in chunks, a session and a CSRF cookie.
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
    from config.asgi import application
    client = Client()
    client.force_login(User.objects.get_or_create(username="bench")[0])
    secret = "b" * 32
    fields = {"file": SimpleUploadedFile(filename, data), "kind": "other", "csrfmiddlewaretoken": secret}
    body = encode_multipart(BOUNDARY, fields)
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={secret}"
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/sources/upload/", "raw_path": b"/sources/upload/", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"localhost"), (b"content-type", MULTIPART_CONTENT.encode()),
                    (b"content-length", str(len(body)).encode()), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000), "server": ("localhost", 8000),
    }
    del body, fields

    async def call():
        messages = iter(
            [{"type": "http.request", "body": c, "more_body": n < len(chunks) - 1} for n, c in enumerate(chunks)]
        )
        answer = {"status": None, "body": []}

        async def receive():
            message = next(messages, None)
            if message is None:  # the client waits for the answer (Django listens for a disconnect meanwhile)
                await asyncio.Event().wait()
            return message

        async def send(message):
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))

        await application(scope, receive, send)
        return answer

    def go():
        answer = asyncio.run(call())
        if answer["status"] == 302:
            return "accepted"
        text = b"".join(answer["body"]).decode()
        start = text.find('class="errorlist')
        if start < 0:
            return f"answered {answer['status']}"
        return "refused: " + text[text.find("<li>", start) + 4 : text.find("</li>", start)]
    return go

prepare = prepare_page if way == "page" else prepare_extract
for warm in (("w.txt", b"Warm up."), ("w.html", b"<p>Warm up.</p>"), ("w.md", b"*Warm* up.")):
    prepare(*warm)()
go = prepare(name, open(path, "rb").read())
before = peak()
start = time.perf_counter()
outcome = go()
seconds = time.perf_counter() - start
print(json.dumps({"outcome": outcome, "grew_mb": peak() - before, "seconds": seconds}))
"""


def measure(root: Path, way: str, name: str, path: Path, timeout: int) -> dict:
    env = {**os.environ, "SQLITE_PATH": str(DB_PATH), "WARRANT_RATE_LIMIT_WRITE": "off"}
    env.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a shared database
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(root), way, name, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": f"still reading after {timeout} s (stopped)", "grew_mb": float("nan"), "seconds": timeout}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"outcome": f"crashed: {last[:90]}", "grew_mb": float("nan"), "seconds": float("nan")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--way", choices=["extract", "page", "both"], default="both")
    parser.add_argument("--only", nargs="*", help="file names to measure (default: all)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code reads the files")
    parser.add_argument("--timeout", type=int, default=300, help="seconds before a reading process is stopped")
    parser.add_argument("--runs", type=int, default=1, help="runs per file and way (the best time is shown)")
    args = parser.parse_args()
    ways = ["extract", "page"] if args.way == "both" else [args.way]

    if "page" in ways:
        DB_PATH.unlink(missing_ok=True)
        env = {**os.environ, "SQLITE_PATH": str(DB_PATH)}
        env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=args.root, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=args.root, env=env, check=True)

    with tempfile.TemporaryDirectory() as folder:
        print("building the files…", flush=True)
        files = [(n, p) for n, p in build(Path(folder)) if not args.only or n in args.only]
        print(f"reading with the code in {args.root}\n")
        for way in ways:
            print(f"{way}:")
            print(f"  {'file':<28} {'size':>9} {'grew':>9} {'time':>8}  outcome")
            for name, path in files:
                runs = [measure(args.root, way, name, path, args.timeout) for _ in range(args.runs)]
                result = min(runs, key=lambda run: run["seconds"])
                result["grew_mb"] = max(run["grew_mb"] for run in runs)
                size = f"{path.stat().st_size / MB:.2f} MB"
                grew = f"{result['grew_mb']:.0f} MB"
                print(f"  {name:<28} {size:>9} {grew:>9} {result['seconds']:7.2f}s  {result['outcome'][:110]}")
            print()


if __name__ == "__main__":
    main()
