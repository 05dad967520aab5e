"""The service's store (layer 5): canonical tables, attribute history, scores, versions, keys.

See docs/service.md for the tables and how anonymous events join the batch ``events`` relation.
"""

from leadscore.store.asof import sources_at
from leadscore.store.records import SCOPES, ApiKey, Message, ScorecardVersion
from leadscore.store.schema import LATEST, MIGRATIONS
from leadscore.store.store import EPOCH, Store, hash_key, open_store

__all__ = ["EPOCH", "LATEST", "MIGRATIONS", "SCOPES", "ApiKey", "Message", "ScorecardVersion", "Store", "hash_key", "open_store", "sources_at"]
