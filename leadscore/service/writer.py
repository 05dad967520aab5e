"""The one writer: a thread that commits queued ingest requests, many per transaction.

Requests wait on a bounded queue (full: ``OverloadedError``, 503 with Retry-After). The
writer takes what is queued (up to ``max_batch`` messages), writes it in one transaction and
only then answers each request: a 200 means committed. When a group fails, each request is
retried alone, so one bad request never fails the others.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from leadscore.errors import LeadscoreError, OverloadedError
from leadscore.store import Message, Store

log = logging.getLogger("leadscore.service.writer")


@dataclass
class _Job:
    messages: list[Message]
    done: Future[dict[str, str]] = field(default_factory=Future)


class Writer:
    """Group commit of ingest requests on one thread; ``on_commit`` gets the touched leads."""

    def __init__(
        self, store: Store, on_commit: Callable[[dict[str, str]], None], *, queue_size: int = 256, max_batch: int = 5000,
        observe: Callable[[int, int, float], None] | None = None,
    ) -> None:
        self.store = store
        self.on_commit = on_commit
        self.queue: queue.Queue[_Job | None] = queue.Queue(maxsize=queue_size)
        self.max_batch = max_batch
        self.observe = observe
        self._thread = threading.Thread(target=self._run, name="leadscore-writer", daemon=True)
        self._stopping = False

    def start(self) -> None:
        self._thread.start()

    def submit(self, messages: list[Message]) -> Future[dict[str, str]]:
        """Queue one request's messages; the future resolves once they are committed."""
        if self._stopping:
            raise OverloadedError("the service is shutting down", retry_after=5)
        job = _Job(messages)
        try:
            self.queue.put_nowait(job)
        except queue.Full:
            raise OverloadedError("the ingest queue is full: try again shortly", retry_after=1) from None
        return job.done

    def depth(self) -> int:
        return self.queue.qsize()

    def stop(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop."""
        self._stopping = True
        self.queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self.queue.get()
            if job is None:
                return
            jobs = [job]
            count = len(job.messages)
            stop = False
            while count < self.max_batch:
                try:
                    more = self.queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                jobs.append(more)
                count += len(more.messages)
            self._commit(jobs)
            if stop:
                return

    def _commit(self, jobs: list[_Job]) -> None:
        started = time.monotonic()
        try:
            touched = self.store.write([m for j in jobs for m in j.messages])
        except Exception as exc:
            if len(jobs) == 1:
                self._fail(jobs[0], exc)
                return
            for job in jobs:  # one bad request must not fail the others
                self._commit([job])
            return
        if self.observe is not None:
            self.observe(len(jobs), sum(len(j.messages) for j in jobs), time.monotonic() - started)
        if touched:  # queued before anyone is answered: a read after the 200 knows the lead waits
            try:
                self.on_commit(touched)
            except Exception:  # pragma: no cover - the rescorer's queue never raises
                log.exception("could not queue the rescoring")
        for job in jobs:
            job.done.set_result(touched)

    def _fail(self, job: _Job, exc: Exception) -> None:
        if not isinstance(exc, LeadscoreError):
            log.error("write failed: %s", type(exc).__name__, exc_info=exc)
        job.done.set_exception(exc)
