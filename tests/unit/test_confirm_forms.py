"""Every form that deletes, removes, withdraws, revokes, deactivates or closes something asks
first (``data-confirm``, answered in the browser's dialog by web/static/kommpass.js)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "web" / "templates", *sorted((ROOT / "plugins").glob("*/templates"))]
DESTRUCTIVE = re.compile(
    r'action="[^"]*/(loeschen|entfernen|zurueckziehen|widerrufen|deaktivieren|abschliessen)"'
)
FORM = re.compile(r"<form\b[^>]*>", re.DOTALL)


def destructive_forms() -> list[tuple[str, str]]:
    found = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            for tag in FORM.findall(path.read_text(encoding="utf-8")):
                if DESTRUCTIVE.search(tag):
                    found.append((str(path.relative_to(ROOT)), tag))
    return found


def test_every_destructive_form_asks_first() -> None:
    forms = destructive_forms()
    assert len(forms) >= 20  # the scan finds the forms at all
    missing = [f"{path}: {tag[:120]}" for path, tag in forms if "data-confirm=" not in tag]
    assert not missing, "forms without data-confirm:\n" + "\n".join(missing)


def test_the_question_names_the_action() -> None:
    verbs = {"loeschen": "löschen", "entfernen": "entfernen", "zurueckziehen": "zurückziehen",
             "widerrufen": "widerrufen", "deaktivieren": "deaktivieren", "abschliessen": "abschließen"}
    for path, tag in destructive_forms():
        match = DESTRUCTIVE.search(tag)
        assert match
        question = re.search(r'data-confirm="([^"]*)"', tag)
        assert question, path
        assert verbs[match.group(1)] in question.group(1), f"{path}: {question.group(1)}"
        assert question.group(1).rstrip().endswith(("?", ".")), path

