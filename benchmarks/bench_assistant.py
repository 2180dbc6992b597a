"""The assistant: quality, latency, index build and load time, memory.

Usage::

    python benchmarks/bench_assistant.py [--build] [--data-dir DIR] [--rounds 5] [--eval FILE.tsv ...]

* ``--build``: build the catalogue index from scratch (all 5,806 passages embedded; target
  ≤ 3 min on 2 cores). Without it an index persisted in ``--data-dir`` is reused (built once
  if missing). Wall and CPU time and the machine's load average are printed: other work on
  the machine slows the build down.
* load: reading the persisted catalogue and network indexes (target ≤ 5 s, no embedding).
* quality: hit@10 / MRR@10 per question set (targets 0.90 / 0.75 on the development set;
  the held-out sets are reported without a target), through the same retrieval and answer
  code the app uses (catalogue + the network's sample strategies, as a tenant without own
  content sees it). Default sets: ``shared/eval/assistant-dev.tsv`` and the held-out sets A,
  B and C in ``benchmarks/data`` (see its README); ``--eval`` replaces them, ``--verbose``
  lists the questions not answered at rank 1.
* latency: p50 / p95 per question with a warm index (target p95 ≤ 100 ms), answer included.
* RSS: resident memory of this process with the app created and the assistant loaded
  (target ≤ 1.5 GB).

No database is needed: the catalogue comes from the CSV extract, the network index from the
packaged sample strategies.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def network_passages() -> list:
    from core.assistant.demo import DEMO_TENANT_DOCUMENT, SAMPLE_PUBLICATIONS, SEEDS
    from core.assistant.documents import Passage
    from core.assistant.importer import split_document

    out = []
    items = [*SAMPLE_PUBLICATIONS, (DEMO_TENANT_DOCUMENT[0], "Stadt Dorsten", DEMO_TENANT_DOCUMENT[1], "1.0")]
    for n, (filename, publisher, title, _version) in enumerate(items):
        _, sections = split_document((SEEDS / filename).read_bytes(), filename)
        for i, s in enumerate(sections, start=1):
            out.append(
                Passage(
                    "network",
                    f"bench-{n}:{i}",
                    f"{publisher}: {title}",
                    "\n".join([f"{publisher}: {title}", " › ".join(s.heading_path), s.text])[:2000],
                    f"/assistent/netzwerk/bench-{n}#abschnitt-{i}",
                    None,
                    s.heading_path,
                    {"network_document_id": f"bench-{n}"},
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build", action="store_true", help="Katalogindex neu aufbauen und die Zeit messen")
    parser.add_argument("--data-dir", type=Path, default=Path.home() / ".cache" / "kommpass-bench")
    parser.add_argument("--rounds", type=int, default=3, help="Durchläufe aller Fragen für die Latenz")
    parser.add_argument(
        "--eval",
        type=Path,
        action="append",
        help="Fragenliste (TSV: query, ozg_ids); mehrfach möglich",
    )
    parser.add_argument("--verbose", action="store_true", help="nicht auf Rang 1 beantwortete Fragen zeigen")
    parser.add_argument("--catalog", type=Path, default=None, help="Ordner mit den Katalog-CSVs")
    args = parser.parse_args()

    from core.assistant.answer import ExtractiveGenerator
    from core.assistant.catalog import csv_folder
    from core.assistant.cli import rank_of
    from core.assistant.documents import catalog_passages, read_catalog_csv
    from core.assistant.embeddings import get_backend
    from core.assistant.engine import Engine
    from core.assistant.retrieval import diversify, search
    from core.assistant.service import source_dict

    backend = get_backend()
    folder = args.catalog or csv_folder()
    if folder is None:
        sys.exit("Katalog-CSVs nicht gefunden (--catalog).")
    print(f"backend: {backend.name} ({backend.label})")
    engine = Engine(args.data_dir, backend)

    build_s = None
    if args.build or not engine.exists("catalog"):
        engine.drop("catalog")
        ozg, leika = read_catalog_csv(folder)
        passages = catalog_passages(ozg, leika)
        texts = len({t for p in passages for t in p.embed_texts})
        load_before = os.getloadavg()
        started, cpu_started = time.perf_counter(), time.process_time()
        engine.sync("catalog", passages)
        build_s = time.perf_counter() - started
        build_cpu = time.process_time() - cpu_started
        load_after = os.getloadavg()
        print(
            f"build catalogue index from scratch: {build_s:.1f} s, CPU {build_cpu:.0f} s "
            f"({len(passages)} passages, {texts} distinct texts embedded, {len(passages) / build_s:.0f}/s; "
            f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} / {load_after[1]:.1f} "
            "(1/5 min))"
        )
    engine.sync("network", network_passages())

    # Load as the app does at start: a fresh engine reading the persisted folders.
    fresh = Engine(args.data_dir, backend)
    started = time.perf_counter()
    loaded = fresh.load_all()
    load_s = time.perf_counter() - started
    print(f"load persisted indexes ({', '.join(loaded)}): {load_s:.2f} s")
    indexes = [fresh.get("catalog"), fresh.get("network")]

    sets = args.eval or [
        ROOT.parent / "shared" / "eval" / "assistant-dev.tsv",
        ROOT / "benchmarks" / "data" / "assistant-heldout.tsv",
        ROOT / "benchmarks" / "data" / "assistant-heldout-b.tsv",
        ROOT / "benchmarks" / "data" / "assistant-heldout-c.tsv",
    ]
    generator = ExtractiveGenerator()
    live = [i for i in indexes if i is not None]

    def answer(question: str) -> list[dict]:
        hits = diversify(search(live, backend, question, limit=50))[:10]
        generator.generate(question, hits)
        return [source_dict(n, h) for n, h in enumerate(hits, start=1)]

    answer("Aufwärmen")  # first call loads the model
    quality = []
    questions: list[str] = []
    for path in sets:
        with path.open(encoding="utf-8") as fh:
            rows = [(r["query"], set(r["ozg_ids"].split(","))) for r in csv.DictReader(fh, delimiter="\t")]
        ranks = []
        for q, ids in rows:
            sources = answer(q)
            r = rank_of(sources, ids)
            ranks.append(r)
            if args.verbose and r != 1:
                top = " | ".join(f"{s['ozg_id']}:{s['title'][:30]}" for s in sources[:3])
                print(f"  {r or '–':>2} {q} [{','.join(sorted(ids))}] → {top}")
        hit = sum(r is not None for r in ranks) / len(ranks)
        mrr = sum(1 / r for r in ranks if r) / len(ranks)
        quality.append((path.name, len(rows), hit, mrr))
        questions += [q for q, _ in rows]
    from core.assistant.answer import is_confident

    def confident(question: str) -> bool:
        hits = diversify(search(live, backend, question, limit=50))[:10]
        return bool(hits) and is_confident(hits[0])

    offtopic = [
        line.strip()
        for line in (ROOT / "benchmarks" / "data" / "assistant-offtopic.txt").read_text().splitlines()
        if line.strip()
    ]
    answered = (sum(map(confident, questions)), len(questions), sum(map(confident, offtopic)), len(offtopic))
    times = []
    for _ in range(args.rounds):
        for q in questions:
            started = time.perf_counter()
            answer(q)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]

    from core.settings import Settings, WebSettings
    from web.app import create_app

    create_app(
        Settings(web=WebSettings(secret_key="x" * 40), data_dir=args.data_dir),
        database_url="postgresql+asyncpg://bench:bench@127.0.0.1:1/bench",
    )
    rss = rss_mb()

    for name, n, hit, mrr in quality:
        print(f"quality {name} ({n} questions): hit@10={hit:.3f} MRR@10={mrr:.3f}")
    print(
        f'answered (not "nothing found"): {answered[0]}/{answered[1]} catalogue questions, '
        f"{answered[2]}/{answered[3]} off-topic questions"
    )
    print(
        f"latency per question, warm ({len(times)} runs, load average {os.getloadavg()[0]:.1f}): "
        f"p50={p50:.1f} ms p95={p95:.1f} ms"
    )
    print(f"RSS with app and assistant loaded: {rss:.0f} MB")
    if build_s is not None:
        print(f"catalogue build: {build_s:.1f} s")
    shutil.rmtree(args.data_dir / "assistant" / ".tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
