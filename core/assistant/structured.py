"""Structured answers: "Welche LeiKa-Leistungen (im Themenfeld X / zum Thema Y) betreffen uns?"

The question is recognised by its form (LeiKa/Leistungen + "uns/wir/unsere Kommune" + a verb
of applying), not by a list of known questions. The answer is computed, not retrieved:

* every LeiKa service whose type lets a municipality execute it (``core.catalog.rules``),
  narrowed by the tenant's municipality type where the catalogue allows it;
* narrowed by the Themenfeld or Lebenslage named in the question (matched against the
  catalogue's own names), or else by a topic ("zum Thema Abfall"), found by hybrid search
  among those services.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core.assistant.catalog import is_relevant_for
from core.assistant.documents import Hit, Passage
from core.assistant.text import STOPWORDS, stem, words

_ASKS_LEIKA = re.compile(r"\bleika\b|\bleistungen\b|\bdienstleistungen\b|\bverwaltungsleistungen\b", re.I)
_ABOUT_US = re.compile(
    r"\b(uns|wir|unsere?[nmrs]?|kommune|gemeinde|stadt|kreis)\b.*\b(betreff\w*|gelten|gilt|relevant|zuständig|"
    r"vollzieh\w*|anbiet\w*|umsetz\w*|erbring\w*|müssen|muss|sollten)\b"
    r"|\b(betreff\w*|gelten|gilt|relevant|zuständig|vollzieh\w*|anbiet\w*|umsetz\w*|erbring\w*|müssen|muss)\b"
    r".*\b(uns|wir|unsere?[nmrs]?|kommune|gemeinde)\b",
    re.I,
)
_TOPIC = re.compile(
    r"\b(?:zum|zur|im|in der|beim|für das|für den|für die|rund um(?: das| den| die)?)\s+"
    r"(?:thema|bereich|feld|gebiet|sachgebiet)?\s*[„\"]?([^?„\"“]+?)[“\"]?\s*"
    r"(?:betreff|gelten|gilt|sind|haben|müssen|muss|relevant|\?|$)",
    re.I,
)

MAX_TOPIC_RESULTS = 30


@dataclass(frozen=True)
class ServiceRow:
    key: str
    leika_key: str | None
    name: str
    leika_type: str
    ozg_id: str | None
    ozg_name: str | None
    themenfeld: str | None
    lebenslage: str | None
    url: str


@dataclass
class StructuredAnswer:
    text: str
    services: list[ServiceRow]
    themenfeld: str | None = None
    lebenslage: str | None = None
    topic: str | None = None
    filters: list[str] = field(default_factory=list)


def is_applicability_question(question: str) -> bool:
    return bool(_ASKS_LEIKA.search(question)) and bool(_ABOUT_US.search(question))


def _norm_tokens(text: str) -> list[str]:
    return [
        stem(w)
        for w in words(text.replace("&", " und ").replace("-", " "))
        if w not in STOPWORDS and w != "und"
    ]


def match_name(question: str, names: Sequence[str]) -> str | None:
    """The catalogue name (Themenfeld, Lebenslage) all of whose words the question contains;
    the longest such name wins."""
    q = set(_norm_tokens(question))
    best: str | None = None
    best_len = 0
    for name in names:
        tokens = [t for t in _norm_tokens(name) if t]
        if tokens and all(t in q for t in tokens) and len(tokens) > best_len:
            best, best_len = name, len(tokens)
    return best


def extract_topic(question: str) -> str | None:
    m = _TOPIC.search(question)
    if not m:
        return None
    topic = m.group(1).strip(" .,:;")
    topic = re.sub(r"^(?:thema|bereich)\s+", "", topic, flags=re.I)
    if not topic or all(w in STOPWORDS for w in words(topic)):
        return None
    return topic


def _row(p: Passage, ozg_names: dict[str, str]) -> ServiceRow:
    m = p.meta
    ozg_id = m.get("ozg_id")
    return ServiceRow(
        key=p.key,
        leika_key=m.get("leika_key"),
        name=p.title,
        leika_type=m.get("leika_type") or "",
        ozg_id=ozg_id,
        ozg_name=ozg_names.get(ozg_id or ""),
        themenfeld=m.get("themenfeld"),
        lebenslage=m.get("lebenslage"),
        url=p.url,
    )


def answer_applicability(
    question: str,
    catalog: Sequence[Passage],
    municipality_type: str | None,
    search: Callable[[str, Callable[[Passage], bool]], list[Hit]],
    municipality_label: str | None = None,
) -> StructuredAnswer:
    """The services that apply to the tenant, narrowed as the question asks."""
    ozg_names = {p.key: p.title for p in catalog if p.kind == "ozg"}
    themenfelder = sorted(
        {str(p.meta["themenfeld"]) for p in catalog if p.kind == "ozg" and p.meta.get("themenfeld")}
    )
    lebenslagen = sorted(
        {str(p.meta["lebenslage"]) for p in catalog if p.kind == "ozg" and p.meta.get("lebenslage")}
    )

    def applies(p: Passage) -> bool:
        return p.kind == "leika" and is_relevant_for(p.meta.get("leika_type"), municipality_type)

    themenfeld = match_name(question, themenfelder)
    lebenslage = None if themenfeld else match_name(question, lebenslagen)
    topic = None
    filters = []
    if themenfeld:
        services = [p for p in catalog if applies(p) and p.meta.get("themenfeld") == themenfeld]
        filters.append(f"Themenfeld „{themenfeld}“")
    elif lebenslage:
        services = [p for p in catalog if applies(p) and p.meta.get("lebenslage") == lebenslage]
        filters.append(f"Lebenslage „{lebenslage}“")
    else:
        topic = extract_topic(question)
        if topic:
            hits = search(topic, applies)
            services = _relevant(hits)
            filters.append(f"Thema „{topic}“")
        else:
            services = [p for p in catalog if applies(p)]
    services = (
        sorted(services, key=lambda p: (p.meta.get("ozg_id") or "", p.title)) if not topic else services
    )
    rows = [_row(p, ozg_names) for p in services]
    who = f"eine Kommune vom Typ „{municipality_label}“" if municipality_label else "Kommunen"
    where = " im " + filters[0] if themenfeld else (" in der " + filters[0] if lebenslage else "")
    if topic:
        where = f" zum {filters[0]}"
    if rows:
        text = (
            f"{len(rows)} LeiKa-Leistungen{where} kann {who} vollziehen (LeiKa-Typ 2, 3, 2/3, 2b, 3b, 4, 4b "
            f"oder 5; Typ 1 und reine Informationsleistungen sind ausgenommen)."
        )
        if topic:
            text += " Die Liste ist nach Passung zum Thema geordnet."
    else:
        text = f"Im Katalog gibt es keine LeiKa-Leistungen{where}, die {who} vollziehen kann."
    return StructuredAnswer(
        text=text, services=rows, themenfeld=themenfeld, lebenslage=lebenslage, topic=topic, filters=filters
    )


def _relevant(hits: list[Hit]) -> list[Passage]:
    """Hits that match the topic well: both retrieval sides agree, or close to the best."""
    if not hits:
        return []
    best = hits[0].score
    out = [h.passage for h in hits if h.score >= 0.5 * best][:MAX_TOPIC_RESULTS]
    return out
