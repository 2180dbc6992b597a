"""Run every benchmark and write ``docs/benchmarks.md`` (figures, machine, date).

Usage: ``.venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...]``

Each benchmark runs as its own process (its own embedded PostgreSQL, its own app server on
loopback), one after the other, so they do not disturb each other. The summary table takes
the figures from each script's printed lines; the full output of every script follows it.
Targets that are missed are marked as such, with the load average that was measured.
``--quick`` uses smaller data (for trying the runner), never for the figures in the docs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


@dataclass
class Bench:
    name: str
    title: str
    args: list[str]
    quick_args: list[str]
    #: (label, regex on the output, unit, target text, check(value) -> met)
    figures: list[tuple[str, str, str, str, Callable[[float], bool] | None]] = field(default_factory=list)


LE = lambda limit: (lambda v: v <= limit)  # noqa: E731
GE = lambda limit: (lambda v: v >= limit)  # noqa: E731

#: The assistant's question sets as ``bench_assistant.py`` prints them: the bar (hit@10 ≥ 0.90,
#: MRR@10 ≥ 0.75) applies to the development set; the held-out sets are shown without a target.
QUALITY_SETS = [
    ("assistant-dev.tsv", "Entwicklungsfragen (20)", True),
    ("assistant-heldout.tsv", "Held-out A (108)", False),
    ("assistant-heldout-b.tsv", "Held-out B (52)", False),
    ("assistant-heldout-c.tsv", "Held-out C (152)", False),
]
QUALITY_FIGURES = [
    (f"{label} {measure}", rf"quality {re.escape(name)} \(\d+ questions\):.*?{measure}=([\d.]+)", "",
     f"≥ {bar:.2f}".replace(".", ",") if with_bar else "–", GE(bar) if with_bar else None)
    for name, label, with_bar in QUALITY_SETS
    for measure, bar in (("hit@10", 0.90), ("MRR@10", 0.75))
]

BENCHES = [
    Bench("pages20", "Seiten unter Last, 20 Clients (50 Mandanten × 250 Maßnahmen × 130 Online-Dienste × 8 Termine)",
          ["benchmarks/bench_pages.py", "--clients", "20"],
          ["benchmarks/bench_pages.py", "--tenants", "3", "--measures", "40", "--services", "20", "--clients", "5",
           "--seconds", "3", "--requests", "40"],
          [("Übersicht p95", r"(?m)^Übersicht /\s+[\d.]+\s+([\d.]+)", "ms", "≤ 150 ms", LE(150)),
           ("Maßnahmenplan p95", r"(?m)^Maßnahmenplan\s+[\d.]+\s+([\d.]+)", "ms", "≤ 150 ms", LE(150)),
           ("Übersicht erster Aufruf je Mandant p95", r"Übersicht / kalt\s+[\d.]+\s+([\d.]+)", "ms",
            "– (kein Ziel)", None),
           ("Maßnahmenplan erster Aufruf je Mandant p95", r"Maßnahmenplan kalt\s+[\d.]+\s+([\d.]+)", "ms",
            "– (kein Ziel)", None),
           ("Lesen bei 2 Änderungen/s p95", r"Lesen gemischt\s+[\d.]+\s+([\d.]+)", "ms", "– (kein Ziel)", None),
           ("Import 1.000 Zeilen", r"(?m)^\s+import\s+([\d.]+) s", "s", "≤ 5 s", LE(5))]),
    Bench("pages100", "Seiten unter Last, 100 Clients (gleiche Daten)",
          ["benchmarks/bench_pages.py", "--clients", "100", "--requests", "1000", "--no-import",
           "--writes-per-second", "0"],
          ["benchmarks/bench_pages.py", "--tenants", "3", "--measures", "40", "--services", "20", "--clients", "10",
           "--seconds", "3", "--requests", "40", "--no-import", "--writes-per-second", "0"],
          [("Übersicht p95", r"(?m)^Übersicht /\s+[\d.]+\s+([\d.]+)", "ms", "– (kein Ziel)", None),
           ("Maßnahmenplan p95", r"(?m)^Maßnahmenplan\s+[\d.]+\s+([\d.]+)", "ms", "– (kein Ziel)", None)]),
    Bench("catalog", "Katalog-Synchronisation (557 OZG-Leistungen, 5.249 LeiKa-Leistungen)",
          ["benchmarks/bench_catalog_sync.py"], ["benchmarks/bench_catalog_sync.py", "--runs", "2"],
          [("erste Synchronisation", r"first full sync:\s+([\d.]+) s", "s", "≤ 10 s", LE(10)),
           ("Synchronisation ohne Änderung", r"no-change re-sync:\s+([\d.]+) s", "s", "≤ 3 s", LE(3))]),
    Bench("assistant", "Assistent (Qualität auf Entwicklungs- und Held-out-Fragen, Latenz, Index, Speicher)",
          ["benchmarks/bench_assistant.py", "--build"], ["benchmarks/bench_assistant.py", "--rounds", "1"],
          [*QUALITY_FIGURES,
           ("Latenz p95 (warm)", r"p95=([\d.]+) ms", "ms", "≤ 100 ms", LE(100)),
           ("Start mit gespeicherten Indizes", r"load persisted indexes[^:]*:\s*([\d.]+) s", "s", "≤ 5 s", LE(5)),
           ("Speicher (RSS) mit Assistent", r"RSS[^:]*:\s*([\d.]+) MB", "MB", "≤ 1.536 MB", LE(1536)),
           ("Katalogindex neu aufbauen", r"catalogue build:\s*([\d.]+) s", "s", "≤ 180 s", LE(180))]),
    Bench("payments", "Zahlungsbenachrichtigungen (200 gleichzeitig, 50 Zahlungen, Duplikate, Reihenfolge vertauscht)",
          ["benchmarks/bench_payments.py", "--rounds", "5"], ["benchmarks/bench_payments.py", "--rounds", "1"],
          [("Durchsatz", r"=\s*([\d.]+) notifications/s", "/s", "– (alle final, je einmal gebucht)", None),
           ("Latenz p95", r"p95 ([\d.]+) ms", "ms", "–", None)]),
]


#: How to read the figures (written under the table).
NOTES = [
    "**Seiten:** gemessen mit `wrk` (C-Lastgenerator) gegen einen uvicorn-Prozess; Python-Clients "
    "bräuchten auf denselben 2 Kernen je Anfrage etwa so viel CPU wie der Server und maßen vor allem "
    "sich selbst (`bench_pages.py --python-client`). „warm“: Übersicht und Maßnahmenplan kommen aus dem "
    "Seiten-Cache, der je Mandant bis zur nächsten Änderung seiner Daten gilt (`web/page_cache.py`); "
    "„erster Aufruf je Mandant“: nichts gerendert, 20 gleichzeitig (dieselbe Arbeit wie nach einer "
    "Änderung); „Lesen bei 2 Änderungen/s“: beide Seiten lesen, während laufend Fortschritte über die "
    "API geändert werden.",
    "**Katalogindex:** Zeit von Grund auf (alle 5.806 Passagen einbetten) bei der angegebenen Last; "
    "bei Last über 2 wartet der Aufbau auf CPU, die Dauer wächst entsprechend.",
]


def machine() -> dict[str, str]:
    cpu = "unbekannt"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                          if ln.startswith("MemTotal")).split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "unbekannt"
    return {"CPU": f"{os.cpu_count()} Kerne, {cpu}", "Speicher": mem, "System": platform.platform(),
            "Python": platform.python_version()}


def fmt(value: float, unit: str) -> str:
    text = f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return f"{text} {unit}".strip()


def ensure_wrk() -> None:
    """The page benchmarks take their load from ``wrk`` (a C load generator, Debian package
    ``wrk``): Python clients would take as much CPU per request as the server on the same
    two cores. Installed here when missing and we are root; otherwise they fall back."""
    if shutil.which("wrk") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    print("==> apt-get install wrk (Lastgenerator der Seiten-Benchmarks)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False,  # noqa: S603, S607
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="kleine Datenmengen (nur zum Ausprobieren)")
    parser.add_argument("--only", nargs="*", default=None, help="nur diese Benchmarks: " +
                        ", ".join(b.name for b in BENCHES))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    ensure_wrk()

    started = dt.datetime.now(dt.UTC)
    rows: list[str] = []
    raw: list[str] = []
    for bench in BENCHES:
        if args.only and bench.name not in args.only:
            continue
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        print(f"==> {bench.name}: {bench.title}", flush=True)
        proc = subprocess.run([PY, *(bench.quick_args if args.quick else bench.args)], cwd=ROOT,
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "HF_HUB_OFFLINE": "1", "KOMMPASS_LOG_LEVEL": "WARNING"})
        seconds = time.perf_counter() - t0
        output = proc.stdout + (f"\n[stderr, last lines]\n{chr(10).join(proc.stderr.splitlines()[-15:])}"
                                if proc.returncode else "")
        print(proc.stdout, flush=True)
        note = f"Last vorher {load_before:.1f}, Dauer {seconds:.0f} s" + (
            f", **Exit-Code {proc.returncode}**" if proc.returncode else "")
        for label, pattern, unit, target, check in bench.figures:
            match = re.search(pattern, proc.stdout)
            if match is None:
                rows.append(f"| {bench.title} | {label} | – (nicht gemessen) | {target} | **nicht gemessen** | {note} |")
                continue
            value = float(match.group(1).replace(",", ""))
            verdict = "–" if check is None else ("erfüllt" if check(value) else "**nicht erfüllt**")
            rows.append(f"| {bench.title} | {label} | {fmt(value, unit)} | {target} | {verdict} | {note} |")
        raw.append(f"### {bench.title}\n\n`{' '.join(bench.quick_args if args.quick else bench.args)}`\n\n"
                   f"```\n{output.strip()}\n```\n")

    info = machine()
    text = [
        "# Benchmarks",
        "",
        f"Erzeugt von `benchmarks/run_all.py{' --quick' if args.quick else ''}` am "
        f"{started:%d.%m.%Y %H:%M} UTC.",
        "",
        "## Rechner",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "Die Messungen laufen nacheinander, jede mit eigener eingebetteter PostgreSQL und eigenem",
        "App-Server auf Loopback. Die Spalte „Bemerkung“ nennt die Systemlast vor der Messung: bei",
        "Last über der Kernzahl (hier 2) sind die Zeiten nicht aussagekräftig.",
        "",
        "## Ergebnisse",
        "",
        "| Messung | Kennzahl | Wert | Ziel | Bewertung | Bemerkung |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "## Hinweise",
        "",
        *[f"- {r}" for r in NOTES],
        "",
        "## Ausgaben der einzelnen Skripte",
        "",
        *raw,
    ]
    if args.quick:
        text.insert(3, "> **Schnelllauf mit kleinen Datenmengen – keine gültigen Messwerte.**\n")
    args.out.write_text("\n".join(text) + "\n")
    print(f"geschrieben: {args.out}")


if __name__ == "__main__":
    main()
