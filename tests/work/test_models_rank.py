"""Fractional ranks (labora.work.rank): always strictly between their neighbours."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labora.work import rank


def test_the_first_rank_and_its_neighbours() -> None:
    assert rank.between(None, None) == "i"
    assert rank.between("i", None) == "i0001"
    assert rank.between(None, "i") == "hzzzz"
    assert rank.between("i", "j") == "ii"


def test_appending_many_keeps_ranks_short_and_increasing() -> None:
    ranks = ["i"]
    for _ in range(5000):
        ranks.append(rank.between(ranks[-1], None))
    assert ranks == sorted(ranks)
    assert max(len(r) for r in ranks) == 5


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=200))
def test_inserting_anywhere_keeps_the_order(positions: list[int]) -> None:
    ranks: list[str] = []
    for position in positions:
        i = position % (len(ranks) + 1)
        before = ranks[i - 1] if i > 0 else None
        after = ranks[i] if i < len(ranks) else None
        new = rank.between(before, after)
        assert rank.is_valid(new)
        assert before is None or before < new
        assert after is None or new < after
        ranks.insert(i, new)


@pytest.mark.parametrize(("before", "after"), [("b", "a"), ("a", "a"), ("a0", None), ("A", None), ("", None)])
def test_bad_neighbours_are_refused(before: str, after: str | None) -> None:
    with pytest.raises(ValueError, match=r"rank|sort before"):
        rank.between(before, after)
