"""The clock of one decision: when it was put in front of the player, how long
the timer setting gives them, and the pauses in between (help or settings on
top, which cost no time)."""

from __future__ import annotations

from collections.abc import Callable

#: How much longer than written each timer setting lets a decision take; None: no countdown.
FACTOR: dict[str, float | None] = {"on": 1.0, "slow": 2.0, "off": None}
LEAST_LEFT = 5.0  # seconds a resumed decision keeps at least, however long it was left open


class DecisionTimer:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.shown_at = clock()
        self.deadline: float | None = None
        self.paused_at: float | None = None

    def start(self, seconds: float | None, timers: str, waited: float = 0.0) -> None:
        """A new decision, on the screen now, of ``seconds`` as written (None:
        untimed), of which ``waited`` were spent before the player left it."""
        self.shown_at = self.clock() - waited
        self.paused_at = None
        self._set_deadline(seconds, timers)
        if waited and self.deadline is not None:  # the time that was left, but never less than a moment to read
            self.deadline = max(self.deadline, self.clock() + LEAST_LEFT)

    def retime(self, seconds: float | None, before: str, timers: str) -> None:
        """The timer setting changed during the decision: from on to slow the
        time already spent counts; a timer switched on starts now."""
        if before == "off":
            self.shown_at = self.clock()
        self._set_deadline(seconds, timers)

    def _set_deadline(self, seconds: float | None, timers: str) -> None:
        factor = FACTOR.get(timers)
        self.deadline = None if seconds is None or factor is None else self.shown_at + seconds * factor

    def pause(self) -> None:
        if self.paused_at is None:
            self.paused_at = self.clock()

    def go_on(self) -> None:
        if self.paused_at is not None:
            pause = self.clock() - self.paused_at
            self.shown_at += pause
            if self.deadline is not None:
                self.deadline += pause
            self.paused_at = None

    @property
    def running(self) -> bool:
        """Whether a countdown is on, and not paused."""
        return self.deadline is not None and self.paused_at is None

    def left(self) -> float | None:
        """Seconds left to decide; None without a countdown."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - (self.paused_at if self.paused_at is not None else self.clock()))

    def expired(self) -> bool:
        return self.deadline is not None and self.paused_at is None and self.clock() >= self.deadline

    def elapsed_ms(self) -> int:
        now = self.paused_at if self.paused_at is not None else self.clock()
        return round((now - self.shown_at) * 1000)
