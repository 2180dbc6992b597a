"""The page store: one entry per key, valid for one revision, bounded in bytes (LRU)."""

from __future__ import annotations

from core.revisions import Revisions
from web.page_cache import PageCache

R1, R2 = Revisions(tenant=1, platform=0), Revisions(tenant=2, platform=0)


def test_an_entry_is_valid_for_its_revision_only() -> None:
    cache = PageCache(max_bytes=1000)
    cache.put("plan", R1, {"content": "alt"})
    assert cache.get("plan", R1) == {"content": "alt"}
    assert cache.get("plan", R2) is None
    cache.put("plan", R2, {"content": "neu"})
    assert cache.get("plan", R1) is None and cache.get("plan", R2) == {"content": "neu"}
    assert cache.bytes == 3


def test_least_recently_used_goes_first_when_full() -> None:
    cache = PageCache(max_bytes=1000)
    for key in ("a", "b", "c", "d"):
        cache.put(key, R1, {"content": key * 240})
    assert cache.bytes == 960
    cache.get("a", R1)  # used: now "b" is the oldest
    cache.put("e", R1, {"content": "e" * 240})
    assert cache.get("b", R1) is None
    assert all(cache.get(k, R1) is not None for k in ("a", "c", "d", "e"))
    assert cache.bytes == 960


def test_a_page_larger_than_a_quarter_of_the_store_is_not_kept() -> None:
    cache = PageCache(max_bytes=400)
    cache.put("small", R1, {"content": "x" * 50})
    cache.put("huge", R1, {"content": "x" * 101})
    assert cache.get("huge", R1) is None and cache.get("small", R1) is not None
