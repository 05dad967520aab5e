"""Prometheus metrics of one service (its own registry: several apps in one process stay apart)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("leadscore_http_requests", "HTTP requests", ["method", "route", "status"], registry=r)
        self.latency = Histogram("leadscore_http_request_seconds", "HTTP request time", ["route"], registry=r)
        self.ingested = Counter("leadscore_ingest_messages", "Messages acknowledged (committed)", registry=r)
        self.commits = Counter("leadscore_ingest_commits", "Ingest transactions (group commits)", registry=r)
        self.commit_seconds = Histogram("leadscore_ingest_commit_seconds", "Time to write and commit one group", registry=r)
        self.group_requests = Histogram(
            "leadscore_ingest_group_requests", "Requests per group commit", buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256), registry=r
        )
        self.queue_depth = Gauge("leadscore_ingest_queue_depth", "Ingest requests waiting for the writer", registry=r)
        self.rescored_leads = Counter("leadscore_rescored_leads", "Leads rescored", registry=r)
        self.rescore_seconds = Histogram("leadscore_rescore_seconds", "Time of one rescoring pass", registry=r)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def committed(self, requests: int, messages: int, seconds: float) -> None:
        self.commits.inc()
        self.commit_seconds.observe(seconds)
        self.group_requests.observe(requests)

    def rescored(self, leads: int, seconds: float) -> None:
        self.rescored_leads.inc(leads)
        self.rescore_seconds.observe(seconds)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
