"""Fault: a process building an assistant index is killed with SIGKILL half-way.

Two places: while it embeds (most of a build's time), and at every step of persisting the new
index (between each pair of file-system renames of the save). After each kill the previous
index (or, once the swap is done, the new one) is complete, loads and answers; the next build
succeeds and clears the leftovers. The embedding backend is the deterministic hashing backend of
the unit tests: what is tested is the build and its persistence, not the model.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.assistant.documents import Passage
from core.assistant.engine import Engine
from core.assistant.index import HybridIndex
from tests.unit.assistant.fakes import HashingBackend

REPO = Path(__file__).resolve().parents[3]
SCOPE = "tenant:00000000-0000-4000-8000-00000000fa11"

SCRIPT = """
import os, sys, time
from pathlib import Path
from core.assistant.engine import Engine
from tests.integration.faults.test_index_build_killed import SCOPE, passages
from tests.unit.assistant.fakes import HashingBackend

data_dir, mode, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
engine = Engine(data_dir, HashingBackend())

def progress(done, total):
    print(f"progress {done}/{total}", flush=True)
    if mode == "embed" and done >= n:
        time.sleep(600)   # half-way through embedding: killed here

if mode == "save":
    # Stop at the n-th rename of the save (the steps that swap the new index in).
    import core.assistant.index as index_module
    real_replace, calls = os.replace, [0]

    def replace(src, dst):
        real_replace(src, dst)
        calls[0] += 1
        if calls[0] == n:
            print(f"renamed {calls[0]}", flush=True)
            time.sleep(600)

    class _Os:
        def __getattr__(self, name):
            return replace if name == "replace" else getattr(os, name)

    index_module.os = _Os()
engine.sync(SCOPE, passages("neu", 600), progress)
print("saved", flush=True)
"""


def _word(i: int) -> str:
    """A word of letters only for ``i`` (the analyser drops digits)."""
    letters = ""
    while True:
        i, r = divmod(i, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[r]
        if i == 0:
            return "z" + letters + "q"


def passages(version: str, n: int) -> list[Passage]:
    """``n`` passages; each version has its own wording, so a search tells them apart."""
    return [
        Passage(
            kind="measure",
            key=str(i),
            title=f"Maßnahme {i}",
            text=(
                f"Maßnahme {i} {version}: Digitalisierung Antrag {_word(i)} {_word(i * 7 + 3)} "
                f"Fassung{version}"
            ),
            url=f"/massnahmen/{i}",
        )
        for i in range(n)
    ]


def _kill_during(data_dir: Path, mode: str, n: int, wait_for: str) -> list[str]:
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", SCRIPT, str(data_dir), mode, str(n)],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith(wait_for) or line.startswith("saved"):
                break
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=20) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    return lines


def _answers(folder: Path, version: str, n: int) -> None:
    """The persisted index is complete (all ``n`` passages of ``version``) and answers."""
    index = HybridIndex.load(folder)
    assert len(index) == n and index.dense.ntotal == n
    assert {p.text.split()[2].rstrip(":") for p in index.passages.values()} == {version}
    hits = index.search_keyword(_word(7), 3)
    assert hits and index.passages[hits[0][0]].key == "7"
    text = passages(version, 8)[7].text
    dense = index.search_dense(HashingBackend().embed_queries([text])[0], 3)
    assert dense and dense[0][1] > 0.99 and index.passages[dense[0][0]].text == text


def test_index_build_killed_half_way_keeps_the_previous_index(tmp_path: Path) -> None:
    started = time.monotonic()
    engine = Engine(tmp_path, HashingBackend())
    engine.sync(SCOPE, passages("alt", 400))
    folder = engine.folder(SCOPE)
    generation = HybridIndex.load(folder).generation

    # 1. killed while embedding the new version (200 of 600 passages done)
    lines = _kill_during(tmp_path, "embed", 200, "progress 224")
    assert "saved" not in lines and any(line.startswith("progress") for line in lines)
    _answers(folder, "alt", 400)
    assert HybridIndex.load(folder).generation == generation
    # a fresh process (engine) reads the previous index
    assert len(Engine(tmp_path, HashingBackend()).get(SCOPE) or []) == 400

    # 2. killed after each rename of the save: previous or new index, always complete
    outcomes = []
    step = 1
    while True:
        lines = _kill_during(tmp_path, "save", step, "renamed")
        if "saved" in lines:  # the save has fewer renames than this: it finished
            _answers(folder, "neu", 600)
            Engine(tmp_path, HashingBackend()).sync(SCOPE, passages("alt", 400))
            break
        try:
            _answers(folder, "alt", 400)
            outcomes.append("alt")
        except AssertionError:
            _answers(folder, "neu", 600)
            outcomes.append("neu")
        # rebuild back to the previous version, so the next kill again swaps alt → neu
        Engine(tmp_path, HashingBackend()).sync(SCOPE, passages("alt", 400))
        _answers(folder, "alt", 400)
        step += 1
    assert outcomes, "the save was never interrupted"

    # 3. a rebuild afterwards succeeds and leaves no leftovers of the killed builds
    counts = Engine(tmp_path, HashingBackend()).sync(SCOPE, passages("neu", 600))
    assert counts["changed"] == 400 and counts["added"] == 200
    _answers(folder, "neu", 600)
    leftovers = sorted(
        p.name for p in folder.parent.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")
    )
    assert len(leftovers) == 1 and folder.resolve().name == leftovers[0], leftovers
    print(
        f"\nindex build killed: 1 kill while embedding (200/600), {len(outcomes)} kills during the save "
        f"(after rename {', '.join(str(i + 1) for i in range(len(outcomes)))}: index {', '.join(outcomes)}), "
        f"previous index complete each time, rebuild ok ({time.monotonic() - started:.1f} s)"
    )
