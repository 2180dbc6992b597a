"""Import of strategy documents: sections keep their heading path in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.assistant.importer import detect_format, split_document
from core.errors import ValidationFailed

MARKDOWN = """# Digitalisierungsstrategie 2.0

## 1 Einleitung

Die Stadt will bis 2026 zwanzig Online-Dienste anbieten.

## 2 Lösungsbausteine

### 2.1 Dokumentenmanagement

Die E-Akte wird in allen Fachbereichen eingeführt; zuerst in der Kämmerei.
"""

HTML = """<html><head><title>x</title><style>p {}</style></head><body>
<h1>Strategie</h1><p>Vorwort der Bürgermeisterin zur Digitalisierung der Verwaltung.</p>
<h2>Kernziele</h2><ul><li>Zwanzig Online-Dienste mit Reifegrad 3 bis 2026</li>
<li>30 % der Akten digital</li></ul>
<h2>Finanzen</h2><p>Für die E-Akte sind 250.000 Euro eingeplant.</p></body></html>"""

TEXT = """Digitalisierung – aktueller Stand

1 Einleitung
Die Verwaltung hat im letzten Jahr viele Dienste digitalisiert und berichtet darüber.

2 Programm Online-Dienste
2.1 Stand der Umsetzung
Zwölf Online-Dienste sind bereits produktiv, weitere acht sind in Planung.
"""


def test_markdown_sections_keep_heading_path() -> None:
    fmt, sections = split_document(MARKDOWN.encode(), "strategie.md")
    assert fmt == "markdown"
    dms = next(s for s in sections if "E-Akte" in s.text)
    assert dms.heading_path == (
        "Digitalisierungsstrategie 2.0",
        "2 Lösungsbausteine",
        "2.1 Dokumentenmanagement",
    )


def test_html_sections_keep_heading_path_and_drop_style() -> None:
    fmt, sections = split_document(HTML.encode(), "s.html")
    assert fmt == "html"
    money = next(s for s in sections if "250.000" in s.text)
    assert money.heading_path == ("Strategie", "Finanzen")
    assert all("p {}" not in s.text for s in sections)
    goals = next(s for s in sections if "Reifegrad" in s.text)
    assert goals.heading_path == ("Strategie", "Kernziele") and "30 %" in goals.text


def test_plain_text_numbered_headings_give_levels() -> None:
    fmt, sections = split_document(TEXT.encode("cp1252"), "bericht.txt")
    assert fmt == "text"
    status = next(s for s in sections if "Zwölf" in s.text)
    assert status.heading_path[-2:] == ("2 Programm Online-Dienste", "2.1 Stand der Umsetzung")


def test_pdf_text_layer_is_imported() -> None:
    from weasyprint import HTML as WeasyHTML

    pdf = WeasyHTML(string="<h1>Strategie</h1><p>Die E-Akte wird bis 2025 eingeführt.</p>").write_pdf()
    assert detect_format("x.bin", pdf) == "pdf"
    fmt, sections = split_document(pdf, "strategie.pdf")
    assert fmt == "pdf" and any("E-Akte" in s.text for s in sections)


def test_long_sections_are_cut_at_paragraphs() -> None:
    body = "\n\n".join(f"Absatz {i}: " + "Text über Digitalisierung. " * 20 for i in range(10))
    _, sections = split_document(f"# Titel\n\n{body}".encode(), "x.md")
    assert len(sections) > 3 and all(len(s.text) <= 1300 for s in sections)
    assert all(s.heading_path == ("Titel",) for s in sections)


def test_empty_or_broken_files_are_rejected() -> None:
    with pytest.raises(ValidationFailed):
        split_document(b"   \n\n", "leer.txt")
    with pytest.raises(ValidationFailed):
        split_document(b"%PDF-1.4 kaputt", "kaputt.pdf")


def test_seed_strategy_is_split_into_many_sections(shared_dir: Path) -> None:
    data = (shared_dir / "seeds" / "003_1448ec9baa83c9a7.txt").read_bytes()
    _, sections = split_document(data, "dorsten.md")
    assert len(sections) > 30
    assert any(any("Kernziele" in h for h in s.heading_path) for s in sections)
