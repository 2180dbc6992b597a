"""Import of strategy documents as towns have them, split into sections with heading paths.

Formats: Markdown (``#`` headings), HTML (``h1``–``h6``), plain text (numbered headings such
as ``4.2.1 Systemlandschaft`` and short title lines are recognised) and PDF (text layer via
pypdf, then treated as plain text). Each section keeps the path of headings above it
("4 Digitale Strategie › 4.4 Unsere Kernziele 2026"); long sections are cut into passages
of about ``MAX_SECTION`` characters at paragraph boundaries, each with the same path.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from core.errors import FieldError, ValidationFailed

MAX_SECTION = 1200
MIN_SECTION = 40
FORMATS = ("markdown", "html", "text", "pdf")


@dataclass(frozen=True)
class Section:
    heading_path: tuple[str, ...]
    text: str


def detect_format(filename: str, data: bytes) -> str:
    name = filename.lower()
    if name.endswith(".pdf") or data[:5] == b"%PDF-":
        return "pdf"
    if name.endswith((".html", ".htm")):
        return "html"
    if name.endswith((".md", ".markdown")):
        return "markdown"
    head = data[:2000].decode("utf-8", errors="ignore").lower()
    if "<html" in head or "<h1" in head or "<body" in head:
        return "html"
    if re.search(r"^#{1,6}\s+\S", head, re.M):
        return "markdown"
    return "text"


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ValidationFailed(
            [FieldError("file", f"Die PDF-Datei lässt sich nicht lesen ({exc}).")]
        ) from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise ValidationFailed([FieldError("file", "Die PDF-Datei enthält keinen Text (nur Bilder?).")])
    return text


# --- splitting ------------------------------------------------------------------------------
_TAG = re.compile(r"</?(?:b|i|u|em|strong|span|sup|sub)>", re.I)


def _clean(line: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", _TAG.sub("", line)).strip()


class _Builder:
    def __init__(self) -> None:
        self.path: list[tuple[int, str]] = []
        self.buffer: list[str] = []
        self.sections: list[Section] = []

    def heading(self, level: int, title: str) -> None:
        self.flush()
        title = _clean(title).strip("#* ").strip()
        if not title:
            return
        while self.path and self.path[-1][0] >= level:
            self.path.pop()
        self.path.append((level, title[:200]))

    def line(self, text: str) -> None:
        self.buffer.append(text)

    def flush(self) -> None:
        text = "\n".join(self.buffer).strip()
        self.buffer = []
        text = re.sub(r"\n{3,}", "\n\n", text)
        if len(text) < MIN_SECTION and not text:
            return
        heading_path = tuple(t for _, t in self.path)
        for chunk in _chunks(text):
            if len(chunk) >= MIN_SECTION or (chunk and not self.sections):
                self.sections.append(Section(heading_path, chunk))


def _chunks(text: str) -> list[str]:
    if len(text) <= MAX_SECTION:
        return [text] if text else []
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out: list[str] = []
    current = ""
    for para in paragraphs:
        while len(para) > MAX_SECTION:  # one huge paragraph: cut at a sentence end
            cut = para.rfind(". ", 0, MAX_SECTION)
            cut = cut + 1 if cut > MAX_SECTION // 3 else MAX_SECTION
            if current:
                out.append(current)
                current = ""
            out.append(para[:cut].strip())
            para = para[cut:].strip()
        if current and len(current) + len(para) + 2 > MAX_SECTION:
            out.append(current)
            current = para
        else:
            current = f"{current}\n\n{para}" if current else para
    if current:
        out.append(current)
    return out


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_TOC_LINE = re.compile(r"\.{4,}\s*(?:<b>)?\d+")


def split_markdown(text: str) -> list[Section]:
    b = _Builder()
    for raw in text.splitlines():
        m = _MD_HEADING.match(raw.strip())
        if m:
            b.heading(len(m.group(1)), m.group(2))
        elif not _TOC_LINE.search(raw):
            b.line(_clean(raw))
    b.flush()
    return b.sections


_NUMBERED = re.compile(r"^((?:\d{1,2}\.){0,3}\d{1,2})\.?\s+([A-ZÄÖÜ][^\n]{2,90})$")


def split_text(text: str) -> list[Section]:
    """Plain text: numbered headings ("4.2 Bewertung") give the levels; a short line standing
    alone between blank lines, without a final full stop, is a heading below them."""
    lines = [_clean(x) for x in text.splitlines()]
    b = _Builder()
    for i, line in enumerate(lines):
        if not line or _TOC_LINE.search(line):
            b.line("")
            continue
        m = _NUMBERED.match(line)
        if m and not line.endswith((".", ",", ";", ":")) and len(line) <= 100:
            b.heading(m.group(1).count(".") + 1, line)
            continue
        prev_blank = i == 0 or not lines[i - 1]
        next_blank = i + 1 >= len(lines) or not lines[i + 1]
        if (
            prev_blank
            and next_blank
            and 3 <= len(line) <= 80
            and line[0].isupper()
            and not line.endswith((".", ",", ";"))
            and len(line.split()) <= 10
            and not line[0].isdigit()
        ):
            b.heading(5, line)
            continue
        b.line(line)
    b.flush()
    return b.sections


class _HtmlSplitter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.b = _Builder()
        self.heading_level: int | None = None
        self.heading_text: list[str] = []
        self.skip = 0
        self.current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "nav", "head"):
            self.skip += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self._end_block()
            self.heading_level = int(tag[1])
            self.heading_text = []
        elif tag in ("p", "li", "tr", "br", "div", "table", "ul", "ol"):
            self._end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "nav", "head"):
            self.skip = max(0, self.skip - 1)
        elif re.fullmatch(r"h[1-6]", tag) and self.heading_level is not None:
            self.b.heading(self.heading_level, " ".join(self.heading_text))
            self.heading_level = None
        elif tag in ("p", "li", "tr", "div", "table"):
            self._end_block()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.heading_level is not None:
            self.heading_text.append(data.strip())
        else:
            self.current.append(data)

    def _end_block(self) -> None:
        text = _clean(" ".join(self.current))
        self.current = []
        if text:
            self.b.line(text)
            self.b.line("")

    def sections(self) -> list[Section]:
        self._end_block()
        self.b.flush()
        return self.b.sections


def split_html(text: str) -> list[Section]:
    parser = _HtmlSplitter()
    parser.feed(text)
    parser.close()
    return parser.sections()


def split_document(
    data: bytes, filename: str = "", source_format: str | None = None
) -> tuple[str, list[Section]]:
    """Detect the format, extract text, split; returns ``(format, sections)``."""
    fmt = source_format or detect_format(filename, data)
    if fmt not in FORMATS:
        raise ValidationFailed([FieldError("source_format", f"Unbekanntes Format „{fmt}“.")])
    if fmt == "pdf":
        sections = split_text(pdf_text(data))
    else:
        text = decode_text(data)
        if fmt == "html":
            sections = split_html(text)
        elif fmt == "markdown":
            sections = split_markdown(html.unescape(text))
        else:
            sections = split_text(text)
    if not sections:
        raise ValidationFailed([FieldError("file", "Das Dokument enthält keinen verwertbaren Text.")])
    return fmt, sections
