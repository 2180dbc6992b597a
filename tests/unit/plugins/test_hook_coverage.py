"""Every hook spec is documented in docs/plugins.md and used by at least one test."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from plugins import hookspecs

ROOT = Path(__file__).resolve().parents[3]


def hook_names() -> set[str]:
    return {
        name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("kommpass_")
    }


def test_there_are_hooks() -> None:
    assert len(hook_names()) >= 15


def test_every_hook_has_a_one_line_docstring() -> None:
    for name in hook_names():
        doc = (getattr(hookspecs, name).__doc__ or "").strip()
        assert doc and "\n" not in doc, f"{name}: one-line docstring missing"


def test_every_hook_is_documented_and_nothing_else() -> None:
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(kommpass_\w+)`", text, flags=re.MULTILINE))
    assert hook_names() - documented == set(), "hooks without documentation in docs/plugins.md"
    assert documented - hook_names() == set(), "docs/plugins.md documents hooks that do not exist"


def test_every_hook_is_used_by_a_test() -> None:
    this = Path(__file__).resolve()
    sources = [
        p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py") if p.resolve() != this
    ]
    missing = {name for name in hook_names() if not any(name in s for s in sources)}
    assert missing == set(), f"hooks without a test: {sorted(missing)}"
