"""German text analysis for the keyword (BM25) side of the assistant's retrieval.

General techniques only, nothing tuned to particular questions:

* lower-casing and tokenising on letters/digits (hyphenated words give their parts);
* German stop words (bm25s' list) are dropped;
* Snowball German stemming (PyStemmer), which also folds umlauts and ß;
* the nominal suffix ``-ung`` is folded onto the verb stem (``Anmeldung`` ~ ``anmelden``);
* decompounding: a long word is split into parts that occur as words of the corpus
  (Koehn & Knight 2003: the split whose parts are most frequent wins, linking
  elements ``s``/``es``/``n``/``en``/``e``/``er`` allowed between parts). The word's own stem
  is kept and the parts' stems are added, so ``Hundesteuer`` also matches ``Hund``.

The vocabulary that drives decompounding is learnt from the indexed texts and stored with
the index, so queries are analysed exactly like the passages.

Questions are phrased in everyday words the catalogue does not use (``Perso``, ``Kita``,
``Knöllchen``, ``Mietzuschuss``). ``expand_query`` adds the catalogue's words for them from a
general lexicon of administrative vocabulary (``data/alltagssprache.txt``): an everyday form
matches as a word, a phrase, or the first or last part of a compound whose other part is a
known word (``Kitaplatz``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import Stemmer
from bm25s.stopwords import STOPWORDS_GERMAN

_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+", re.UNICODE)
STOPWORDS: frozenset[str] = frozenset(STOPWORDS_GERMAN) | frozenset(
    {
        "bitte",
        "gibt",
        "wo",
        "wie",
        "was",
        "wer",
        "welche",
        "welcher",
        "welches",
        "kann",
        "muss",
        "möchte",
        "brauche",
        "ich",
        "mein",
        "meine",
        "meinen",
        "meinem",
        "meiner",
        "uns",
        "unser",
        "unsere",
        "unseren",
    }
)
_LINKS = ("", "s", "es", "n", "en", "e", "er", "ens")
MIN_PART = 4
MIN_SPLIT_WORD = 8
MIN_ENDING = 5

_stemmer = Stemmer.Stemmer("german")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    s: str = _stemmer.stemWord(word)
    if s.endswith("ung") and len(s) >= 7:
        s = s[:-3]
    return s


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters or digits), stop words included."""
    return _TOKEN.findall(text.lower())


class Decompounder:
    """Splits German compounds into parts that are known words of the corpus."""

    def __init__(self, frequencies: dict[str, int] | None = None) -> None:
        self.freq: dict[str, int] = dict(frequencies or {})
        # Productive last parts: a string that ends many different words of the corpus
        # (``…ausweis``) is a constituent even if it never stands alone. Harris' predecessor
        # variety separates constituents from mere endings (``ausweis`` follows many different
        # letters); such an ending only counts after a first part that is a word itself.
        preceding: dict[str, set[str]] = {}
        for w in self.freq:
            for i in range(MIN_PART, len(w) - MIN_ENDING + 1):
                preceding.setdefault(w[i:], set()).add(w[i - 1])
        self.endings: dict[str, int] = {
            e: len(letters) for e, letters in preceding.items() if len(letters) >= 3
        }
        self._cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def learn(cls, texts: Iterable[str], base: dict[str, int] | None = None) -> Decompounder:
        """Learn the word list from ``texts``, on top of ``base`` (e.g. the catalogue's words,
        so that small indexes split compounds as well as the large one)."""
        counts: Counter[str] = Counter(base or {})
        for text in texts:
            counts.update(w for w in words(text) if len(w) >= MIN_PART and not w.isdigit())
        return cls(dict(counts))

    def _word(self, part: str) -> int:
        return self.freq.get(part, 0) if len(part) >= MIN_PART and part not in STOPWORDS else 0

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of ``word`` (empty when it is not split)."""
        if len(word) < MIN_SPLIT_WORD or word.isdigit():
            return ()
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        best: tuple[str, ...] = ()
        best_key: tuple[int, float] = (0, 0.0)
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            tail = word[i:]
            for link in _LINKS:
                head_end = i - len(link)
                if head_end < MIN_PART or word[head_end:i] != link:
                    continue
                head = word[:head_end]
                head_freq = self._word(head)
                tail_freq = self._word(tail)
                real = (head_freq > 0) + (tail_freq > 0)
                tail_parts: tuple[str, ...] = (tail,)
                if not tail_freq:
                    sub = self.split(tail)
                    if sub and all(self._word(p) for p in sub):
                        tail_parts, real = sub, real + len(sub)
                        tail_freq = int(math.exp(sum(math.log(self._word(p)) for p in sub) / len(sub)))
                    elif head_freq and self.endings.get(tail, 0):
                        tail_freq = self.endings[tail]
                    else:
                        continue
                if not head_freq:
                    # German compounds are head-final: a productive last part (a word that
                    # ends several others, ``…schein``) is worth keeping even when the first
                    # part is not a word of the corpus.
                    if len(tail_parts) > 1 or not self._word(tail) or self.endings.get(tail, 0) < 3:
                        continue
                    head_freq = 1
                parts = (head, *tail_parts)
                score = math.exp((math.log(head_freq) + len(tail_parts) * math.log(tail_freq)) / len(parts))
                key = (real, score)
                if key > best_key:
                    best, best_key = parts, key
        self._cache[word] = best
        return best


def analyze(text: str, decompounder: Decompounder | None = None) -> list[str]:
    """BM25 terms of ``text``: stems of the non-stop words plus stems of compound parts."""
    out: list[str] = []
    for w in words(text):
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        out.append(stem(w))
        if decompounder is not None:
            out.extend(stem(p) for p in decompounder.split(w))
    return out


LEXICON = Path(__file__).parent / "data" / "alltagssprache.txt"
#: Everyday forms shorter than this match whole words only, never as part of a compound.
MIN_COMPOUND_KEY = 4


@lru_cache(maxsize=1)
def everyday_lexicon() -> dict[tuple[str, ...], str]:
    """Everyday form (as word tokens) -> the catalogue's words for it."""
    out: dict[tuple[str, ...], str] = {}
    for line in LEXICON.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        forms, _, official = line.partition("\t")
        for form in forms.split(","):
            key = tuple(words(form))
            if key and official.strip():
                out[key] = (out[key] + " " + official.strip()) if key in out else official.strip()
    return out


def _compound_match(word: str, key: str, known: dict[str, int]) -> bool:
    """``word`` is a compound with ``key`` as its first or last part and a known word (of at
    least ``MIN_PART`` letters) as the other one."""
    if len(key) < MIN_COMPOUND_KEY or len(word) < len(key) + MIN_PART or word == key:
        return False
    if word.startswith(key):
        rest = word[len(key) :]
        others = [rest[len(link) :] for link in _LINKS if rest.startswith(link)]
    elif word.endswith(key):
        head = word[: -len(key)]
        others = [head[: len(head) - len(link)] for link in _LINKS if head.endswith(link)]
    else:
        return False
    return any(len(o) >= MIN_PART and known.get(o, 0) > 0 for o in others)


def everyday_terms(question: str, known: dict[str, int] | None = None, *, with_words: bool = False) -> Any:
    """The catalogue's words for the everyday forms in ``question`` (each once, in order);
    ``with_words``: also the question's words that matched, as ``(terms, words)``."""
    tokens = words(question)
    lexicon = everyday_lexicon()
    found: list[str] = []
    matched: list[str] = []
    longest = max((len(k) for k in lexicon), default=0)
    i = 0
    while i < len(tokens):  # longest phrase first; its words are not matched again
        step = 1
        for n in range(min(longest, len(tokens) - i), 0, -1):
            official = lexicon.get(tuple(tokens[i : i + n]))
            if official is not None:
                found.append(official)
                matched.extend(tokens[i : i + n])
                step = n
                break
        i += step
    if known:
        singles = [k[0] for k in lexicon if len(k) == 1]
        for token in tokens:
            for key in singles:
                if _compound_match(token, key, known):
                    found.append(lexicon[(key,)])
                    matched.append(token)
    terms = list(dict.fromkeys(found))
    return (terms, list(dict.fromkeys(matched))) if with_words else terms


def expand_query(question: str, known: dict[str, int] | None = None) -> str:
    """``question`` with the catalogue's words for its everyday forms appended."""
    terms = everyday_terms(question, known)
    return f"{question} ({'; '.join(terms)})" if terms else question
