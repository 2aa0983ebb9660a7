"""The minimum group size: which counts a report keeps private (docs/group-debrief.md)."""

from __future__ import annotations

from collections.abc import Sequence


def hide(counts: Sequence[int], min_group: int) -> list[bool]:
    """Which of ``counts``, the parts of one whole, to keep private so that no
    number of 1 to ``min_group`` - 1 players is shown or can be worked out
    from what is shown (docs/group-debrief.md): those below ``min_group``,
    then the smallest shown ones, until the hidden ones add up to at least
    ``min_group`` (or all are hidden). Give every table the rest of its whole
    as one more count, so that no total gives a hidden count away either."""
    if 0 < sum(counts) < min_group:  # the whole is shown: with it, shown parts (zeros too) give the rest away
        return [True] * len(counts)
    hidden = [0 < c < min_group for c in counts]
    while 0 < sum(c for c, h in zip(counts, hidden) if h) < min_group:
        shown = [(c, i) for i, c in enumerate(counts) if c and not hidden[i]]
        if not shown:
            break
        hidden[min(shown)[1]] = True
    return hidden


def visible(counts: Sequence[int], min_group: int) -> list[int | None]:
    """``counts`` with the private ones (see hide) as None."""
    return [None if h else c for c, h in zip(counts, hide(counts, min_group))]
