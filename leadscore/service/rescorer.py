"""Rescoring: leads touched by committed data, in micro-batches, under every active scorecard.

A worker thread takes the leads queued since its last pass (with why: ``event`` or
``profile``), scores them with the compiled query over the store (only those lead ids),
upserts the current scores and writes a history row where the score, grade, level, stage or
label changed. A sweep rescoring every lead (reason ``time``: decay, windows, inactivity)
runs every ``sweep_every`` seconds, and on demand (``sweep()``). Activating a scorecard
version rescored every lead with reason ``scorecard``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from leadscore.spec import Scorecard, parse_scorecard
from leadscore.store import ScorecardVersion, Store
from leadscore.store.prepared import PreparedScore

log = logging.getLogger("leadscore.service.rescorer")
MAX_PASS = 2000
"""At most this many queued leads per pass (the rest wait for the next): a pass stays short, so
the writer keeps its share of the cores and a read's lead waits one short pass at most."""


class Cards:
    """The parsed active scorecard versions (parsed once per version)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._parsed: dict[tuple[str, int], Scorecard] = {}
        self._prepared: dict[tuple[str, int, bool, str], PreparedScore] = {}
        self._lock = threading.Lock()

    def card(self, version: ScorecardVersion) -> Scorecard:
        with self._lock:
            key = (version.name, version.version)
            if key not in self._parsed:
                self._parsed[key] = parse_scorecard(version.yaml, filename=f"{version.name}@{version.version}")
            return self._parsed[key]

    def prepared(self, version: ScorecardVersion, store: Store, *, some: bool = True) -> PreparedScore:
        """The version's scoring query on ``store``'s engine, compiled and rendered once (``some``:
        for the leads of an ids relation; else every lead)."""
        card = self.card(version)
        key = (version.name, version.version, some, store.engine.dialect.name)
        with self._lock:
            found = self._prepared.get(key)
        if found is None:
            found = PreparedScore(card, store.engine, some=some)
            with self._lock:
                self._prepared[key] = found
        return found

    def active(self, store: Store | None = None) -> list[tuple[ScorecardVersion, Scorecard]]:
        return [(v, self.card(v)) for v in (store or self.store).active()]


class Rescorer:
    """The rescoring worker; ``clock`` is the service's clock (read on this thread, the edge)."""

    def __init__(
        self, store: Store, cards: Cards, clock: Callable[[], datetime], *, sweep_every: float = 900.0,
        observe: Callable[[int, float], None] | None = None,
    ) -> None:
        self.store = store
        self.cards = cards
        self.clock = clock
        self.sweep_every = sweep_every
        self.observe = observe
        self._pending: dict[str, str] = {}
        self._inflight: dict[str, str] = {}
        """The leads of the pass under way (their stored scores may not include their latest data yet)."""
        self._jobs: list[tuple[Callable[[], Any], Future[Any]]] = []
        self._cond = threading.Condition()
        self._sweep_requested = False
        self._stopping = False
        self._busy = False
        self._thread = threading.Thread(target=self._run, name="leadscore-rescorer", daemon=True)
        self._next_sweep = time.monotonic() + sweep_every

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def touch(self, leads: dict[str, str]) -> None:
        """Queue leads for rescoring (``event`` wins over ``profile`` for one lead)."""
        with self._cond:
            for lead, reason in leads.items():
                if self._pending.get(lead) not in ("event",):
                    self._pending[lead] = reason
            self._cond.notify_all()

    def waiting(self, lead_id: str) -> bool:
        """Whether ``lead_id`` waits for rescoring (queued, or in the pass under way)."""
        with self._cond:
            return lead_id in self._pending or lead_id in self._inflight

    def sweep(self, wait: bool = True, timeout: float = 60.0) -> None:
        """Ask for a sweep now; with ``wait``, return when it has run."""
        with self._cond:
            self._sweep_requested = True
            self._cond.notify_all()
            if wait:
                self._cond.wait_for(lambda: not self._sweep_requested and not self._busy, timeout)

    def call(self, work: Callable[[], Any], timeout: float | None = None) -> Any:
        """Run ``work`` on the worker thread (between passes, so no pass mixes versions); its result."""
        done: Future[Any] = Future()
        with self._cond:
            self._jobs.append((work, done))
            self._cond.notify_all()
        return done.result(timeout)

    def idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is pending (for tests and shutdown)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._pending and not self._jobs and not self._busy and not self._sweep_requested, timeout
            )

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(
                    lambda: self._pending or self._jobs or self._sweep_requested or self._stopping
                    or time.monotonic() >= self._next_sweep,
                    timeout=max(0.0, self._next_sweep - time.monotonic()),
                )
                if self._stopping and not self._pending:
                    return
                sweep = self._sweep_requested or time.monotonic() >= self._next_sweep
                pending = self._pending
                if len(pending) > MAX_PASS:
                    taken = list(pending)[:MAX_PASS]  # the oldest first
                    pending = {lead: self._pending.pop(lead) for lead in taken}
                else:
                    self._pending = {}
                self._inflight = pending
                jobs, self._jobs = self._jobs, []
                self._busy = True
            for work, done in jobs:
                try:
                    done.set_result(work())
                except Exception as exc:
                    done.set_exception(exc)
            try:
                if sweep:
                    self._next_sweep = time.monotonic() + self.sweep_every
                    self.rescore_all("time")
                if pending:
                    self.rescore(pending)
            except Exception:
                log.exception("rescoring failed; the leads stay queued")
                with self._cond:
                    for lead, reason in pending.items():
                        self._pending.setdefault(lead, reason)
                time.sleep(1.0)
            finally:
                with self._cond:
                    self._busy = False
                    self._inflight = {}
                    if sweep:
                        self._sweep_requested = False
                    self._cond.notify_all()

    def rescore(self, leads: dict[str, str], versions: list[tuple[ScorecardVersion, Scorecard]] | None = None) -> int:
        """Rescore ``leads`` (lead → reason) under the active versions; returns the history rows written."""
        started = time.monotonic()
        written = 0
        ids = sorted(leads)
        with self.store.reader() as reading:
            active = versions if versions is not None else self.cards.active(reading)
            for version, _ in active:
                prepared = self.cards.prepared(version, reading)
                at = self.clock()
                scored = reading.score_prepared(prepared, at, ids)
                written += self.store.save_scores(version, scored, leads, at)
        if self.observe is not None:
            self.observe(len(ids), time.monotonic() - started)
        return written

    def rescore_all(self, reason: str, versions: list[tuple[ScorecardVersion, Scorecard]] | None = None) -> int:
        """Rescore every lead: one scoring query over the store per version, and set-based saving."""
        started = time.monotonic()
        written = 0
        count = 0
        with self.store.reader() as reading:
            active = versions if versions is not None else self.cards.active(reading)
            for version, _ in active:
                prepared = self.cards.prepared(version, reading, some=False)
                at = self.clock()
                scored = reading.score_prepared(prepared, at)
                count = max(count, scored.num_rows)
                with self._cond:  # a lead queued meanwhile changed for its own reason (its data is in)
                    queued = self._inflight | self._pending
                written += self.store.save_scores(version, scored, queued, at, default=reason)
        if self.observe is not None:
            self.observe(count, time.monotonic() - started)
        return written
