"""Evidence suggestions on the demo map: retrieval quality against a TF-IDF baseline, speed and memory.

Builds the demo map (corpus/demo_map.yaml) in a throwaway SQLite database (SQLITE_PATH, default
/tmp/warrant-bench-assist.sqlite3). Each claim is a query; the sentences of the three sources that
overlap one of its evidence quotes are the relevant ones, among all the map's sentences. Printed:
recall@10 (relevant sentences in the top 10, over min(relevant, 10)) and MRR (1 / rank of the first
relevant sentence), averaged over claims, for the suggester and for plain TF-IDF, overall and for the
quotes that share few words with their claim (Jaccard of content words below LOW_OVERLAP); then the
time to answer one claim against all the sentences of a map of about 1,500 sentences, the model's
load time and the process's memory.

Run: .venv/bin/python bench/assist.py
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_PATH = Path(os.environ.get("SQLITE_PATH", "/tmp/warrant-bench-assist.sqlite3"))
os.environ["SQLITE_PATH"] = str(DB_PATH)
os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a shared database
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["DEBUG"] = "0"

# A quote "shares few words" with its claim below this Jaccard index of their content words.
LOW_OVERLAP = 0.1
TOP = 10
# Copies of the demo's three sources in the timing map: about 1,500 sentences in all.
COPIES = 5
TIME_TARGET_MS = 200


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def jaccard(a: str, b: str) -> float:
    from arguments.assist.lexical import terms

    x, y = set(terms(a)), set(terms(b))
    return len(x & y) / len(x | y) if x | y else 0.0


def evaluate(rankings: dict[str, list[np.ndarray]], cases: list[tuple[set[int], set[int]]]) -> dict[str, tuple]:
    """recall@TOP and MRR per method; a case is (relevant rows, rows left out of its ranking)."""
    result = {}
    for method, orders in rankings.items():
        recalls, reciprocal = [], []
        for order, (relevant, left_out) in zip(orders, cases, strict=True):
            order = [i for i in order if i not in left_out]
            recalls.append(len(set(order[:TOP]) & relevant) / min(len(relevant), TOP))
            reciprocal.append(1 / (1 + next(k for k, i in enumerate(order) if i in relevant)))
        result[method] = (float(np.mean(recalls)), float(np.mean(reciprocal)), len(orders))
    return result


def main() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    memory = {"after Django setup": rss_mb()}

    from sources import embedding

    start = time.perf_counter()
    embedding.load_model()
    load_seconds = time.perf_counter() - start
    memory["after loading the model"] = rss_mb()

    from arguments.assist.evidence import map_sentences, suggest_evidence
    from arguments.assist.lexical import TfIdf
    from arguments.demo import load_demo
    from arguments.models import Evidence

    demo = load_demo(password="bench").map
    start = time.perf_counter()
    sentences = map_sentences(demo)  # embeds the three sources: nothing is stored yet
    embed_seconds = time.perf_counter() - start
    memory["after embedding the demo's sources"] = rss_mb()

    quality(demo, sentences, Evidence, TfIdf, jaccard)
    print(
        f"\nEmbedding: model loaded in {load_seconds:.2f} s; the demo's {len(sentences)} sentences embedded "
        f"and stored in {embed_seconds:.2f} s ({embed_seconds / len(sentences) * 1000:.1f} ms a sentence)."
    )
    timing(demo, suggest_evidence)
    print("\nMemory (resident set):")
    for label, mb in memory.items():
        print(f"  {label:38s} {mb:7.0f} MB")


def quality(demo, sentences, Evidence, TfIdf, jaccard) -> None:
    from arguments.assist.evidence import _unit

    rows = Evidence.objects.filter(map=demo).values_list(
        "claim_id", "claim__text", "passage__source_id", "passage__start", "passage__end", "passage__exact"
    )
    claims: dict[int, dict] = {}
    for claim_id, text, source_id, start, end, exact in rows:
        hit = set(np.flatnonzero(sentences.overlapping([(source_id, start, end)])).tolist())
        claim = claims.setdefault(claim_id, {"text": text, "all": set(), "low": set(), "quotes": 0, "low_quotes": 0})
        claim["all"] |= hit
        claim["quotes"] += 1
        if jaccard(text, exact) < LOW_OVERLAP:
            claim["low"] |= hit
            claim["low_quotes"] += 1
    from sources.embedding import embed

    texts = [c["text"] for c in claims.values()]
    vectors = embed(texts)
    tfidf = TfIdf(sentences.texts)
    rankings = {
        "Warrant suggests (meaning + words)": [],
        "meaning only (centred)": [],
        "meaning only (plain cosine)": [],
    }
    rankings["TF-IDF baseline"] = []
    for text, vector in zip(texts, vectors, strict=True):
        rankings["Warrant suggests (meaning + words)"].append(
            np.argsort(-sentences.scores(text, vector), kind="stable")
        )
        centred = sentences.centred @ _unit(vector - sentences.mean)
        rankings["meaning only (centred)"].append(np.argsort(-centred, kind="stable"))
        rankings["meaning only (plain cosine)"].append(np.argsort(-(sentences.vectors @ vector), kind="stable"))
        rankings["TF-IDF baseline"].append(np.argsort(-tfidf.scores(text), kind="stable"))
    overall = evaluate(rankings, [(c["all"], set()) for c in claims.values()])
    low_claims = [i for i, c in enumerate(claims.values()) if c["low"]]
    # For the low-overlap quotes, the claim's other relevant sentences are left out of the ranking.
    low = evaluate(
        {m: [orders[i] for i in low_claims] for m, orders in rankings.items()},
        [(c["low"], c["all"] - c["low"]) for c in claims.values() if c["low"]],
    )
    quotes = sum(c["quotes"] for c in claims.values())
    low_quotes = sum(c["low_quotes"] for c in claims.values())
    print(
        f"Demo map: {len(claims)} claims with evidence, {quotes} quotes, {len(sentences)} sentences in "
        f"{len(sentences.titles)} sources; {low_quotes} quotes share few words with their claim "
        f"(Jaccard of content words < {LOW_OVERLAP}), in {len(low_claims)} claims."
    )
    print(f"\n{'method':38s} {'recall@10':>9s} {'MRR':>6s}   {'low-overlap recall@10':>21s} {'MRR':>6s}")
    for method in rankings:
        (r, m, _), (lr, lm, _) = overall[method], low[method]
        print(f"{method:38s} {r:9.3f} {m:6.3f}   {lr:21.3f} {lm:6.3f}")


def timing(demo, suggest_evidence) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from timing import best_against  # bench/timing.py

    from arguments import services
    from sources import embedding
    from sources.services import import_source

    owner = demo.memberships.get(role="owner").user
    big = services.create_map(owner=owner, title="Bench: five copies", slug="bench-five-copies", question="?")
    for copy in range(COPIES):
        for source in demo.sources.all():
            clone = import_source(
                filename=f"copy-{copy}-{source.original_name}",
                data=source.text.encode(),
                title=f"{source.title} {copy}",
            )
            services.add_source(argument_map=big, source=clone, actor=owner)
    claim = demo.claims.order_by("pk").first()
    big_claim = services.create_claim(argument_map=big, actor=owner, text=claim.text)
    start = time.perf_counter()
    from arguments.assist.evidence import map_sentences

    count = len(map_sentences(big))  # embeds and stores the copies once
    print(f"Timing map: {count} sentences in {COPIES * 3} sources, embedded in {time.perf_counter() - start:.1f} s.")

    def trivial() -> dict:
        return {i: i for i in range(1_000)}

    for label, argument_map, one in (("demo", demo, claim), (f"{COPIES} copies", big, big_claim)):
        warm, base, result = best_against(lambda m=argument_map, c=one: suggest_evidence(m, c), trivial, runs=20)
        cold, _, _ = best_against(
            lambda m=argument_map, c=one: suggest_evidence(m, c), trivial, runs=10, before=embedding.forget_cached
        )
        with CaptureQueriesContext(connection) as queries:
            suggest_evidence(argument_map, one)
        print(
            f"  one claim, {label:9s}: {warm * 1000:6.1f} ms with the claim's vector remembered "
            f"({warm / base:,.0f}x a 1,000-item dict), {cold * 1000:6.1f} ms embedding the claim too; "
            f"{len(queries)} queries, {len(result)} suggestions"
        )
    print(f"  (aim: at most {TIME_TARGET_MS} ms for about 1,500 sentences)")


if __name__ == "__main__":
    main()
