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
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

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
