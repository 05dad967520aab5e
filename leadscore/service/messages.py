"""Segment-spec bodies → checked store messages, or every problem with its index and path.

Nothing a client sends makes this raise anything but a LeadscoreError with a 4xx status:
bodies are size-capped before and while they are decompressed (a gzip bomb stops at the
limit: 413), must be UTF-8 JSON objects nested at most ``MAX_DEPTH`` deep, and every
message is checked before any is stored (a batch is all or nothing: 400 with every problem).
"""

from __future__ import annotations

import json
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadscore.errors import InputError, InvalidMessagesError, TooLargeError
from leadscore.moments import parse_moment
from leadscore.store.records import Message

MAX_REQUEST = 500 * 1024
MAX_MESSAGE = 32 * 1024
MAX_DEPTH = 64
MAX_ID = 512
TYPES = ("track", "page", "screen", "identify", "group", "alias")
EVENT_OF = {"page": "page_view", "screen": "screen_view"}
NOT_STORED = ("writeKey",)


def decode_body(raw: bytes, encoding: str | None) -> Any:
    """The JSON value of a request body (decompressed when gzip- or deflate-encoded)."""
    encoding = (encoding or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        raw = _inflate(raw, gzip=encoding != "deflate")
    elif encoding not in ("identity", ""):
        raise InputError(f"unsupported Content-Encoding {encoding!r}: send gzip or nothing")
    if len(raw) > MAX_REQUEST:
        raise TooLargeError(f"the request is over {MAX_REQUEST // 1024} KB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise InputError(f"the body is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise InputError(f"the body is not JSON: {exc}") from None
    _check_value(value)
    return value


def _inflate(raw: bytes, *, gzip: bool) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, MAX_REQUEST + 1)
    except zlib.error as exc:
        raise InputError(f"the body is not valid {'gzip' if gzip else 'deflate'} data: {exc}") from None
    if len(out) > MAX_REQUEST or inflater.unconsumed_tail:
        raise TooLargeError(f"the request decompresses to over {MAX_REQUEST // 1024} KB")
    if not inflater.eof:
        raise InputError("the compressed body is truncated")
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_value(value: Any) -> None:
    """Depth, NUL characters and lone surrogates (which no database can store)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"the body is nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            for key, inner in item.items():
                _check_text(key)
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and item != item:  # pragma: no cover - parse_constant refuses NaN
            raise InputError("NaN is not a JSON number")


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise InputError("the body holds a NUL character (\\u0000), which cannot be stored")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("the body holds an unpaired surrogate escape (such as \\ud800), which is not text") from None


@dataclass
class Checked:
    """The messages of one request, ready for the writer."""

    messages: list[Message]
    key: str | None
    """The ``writeKey`` of the body, when one was sent."""


def read_messages(body: Any, kind: str, received_at: datetime) -> Checked:
    """Check one request's body (``kind``: track, page, identify, group or batch); all or nothing.

    Raises:
        InputError: the body is not a JSON object.
        InvalidMessagesError: some message is invalid (every problem listed, nothing stored).
        TooLargeError: a message is over 32 KB.
    """
    if not isinstance(body, dict):
        raise InputError("the body must be a JSON object")
    key = body.get("writeKey") if isinstance(body.get("writeKey"), str) else None
    if kind == "batch":
        items = body.get("batch")
        if not isinstance(items, list):
            raise InvalidMessagesError([{"index": None, "path": "batch", "message": "batch must be a list of messages"}])
        if not items:
            raise InvalidMessagesError([{"index": None, "path": "batch", "message": "batch is empty"}])
        envelope = {k: body.get(k) for k in ("sentAt", "context") if k in body}
    else:
        items, envelope = [body], {}
    problems: list[dict[str, Any]] = []
    messages: list[Message] = []
    for index, item in enumerate(items):
        found: list[dict[str, Any]] = []
        message = _message(item, None if kind == "batch" else kind, envelope, received_at, index, found)
        problems += found
        if message is not None:
            messages.append(message)
    if problems:
        raise InvalidMessagesError(problems)
    return Checked(messages, key)


def _problem(found: list[dict[str, Any]], index: int, path: str, message: str) -> None:
    found.append({"index": index, "path": path, "message": message})


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return value if isinstance(value, str) else None


def _moment(item: dict[str, Any], name: str, index: int, found: list[dict[str, Any]]) -> datetime | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        _problem(found, index, name, f"{name} must be an ISO-8601 timestamp text")
        return None
    try:
        return parse_moment(value, name)
    except InputError:
        _problem(found, index, name, f"{name} {value[:60]!r} is not an ISO-8601 timestamp")
        return None


def _message(
    item: Any, route: str | None, envelope: dict[str, Any], received_at: datetime, index: int, found: list[dict[str, Any]]
) -> Message | None:
    if not isinstance(item, dict):
        _problem(found, index, "", "a message must be a JSON object")
        return None
    # the stored body is the message's compact JSON without the write key: its size is the
    # message's, unless a write key was sent in it (then measured with the key, as sent)
    stored = {k: v for k, v in item.items() if k not in NOT_STORED}
    body = json.dumps(stored, ensure_ascii=False, separators=(",", ":"))
    size = len(body) if body.isascii() else len(body.encode("utf-8"))
    if len(stored) != len(item):
        size = len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_MESSAGE:
        raise TooLargeError(
            f"message {index} is {size // 1024} KB, over the {MAX_MESSAGE // 1024} KB limit",
        )
    kind = route
    if kind is None:
        kind = item.get("type")
        if kind is None:
            _problem(found, index, "type", "type is missing: track, page, screen, identify, group or alias")
            return None
        if not isinstance(kind, str) or kind not in TYPES:
            _problem(found, index, "type", f"unknown type {str(kind)[:40]!r}: use track, page, screen, identify, group or alias")
            return None
    before = len(found)
    ids: dict[str, str | None] = {}
    for name in ("userId", "anonymousId"):
        value = item.get(name)
        ids[name] = _id(value)
        if value is not None and (ids[name] is None and not isinstance(value, str)):
            _problem(found, index, name, f"{name} must be a text or a number")
        elif ids[name] is not None and len(ids[name] or "") > MAX_ID:
            _problem(found, index, name, f"{name} is longer than {MAX_ID} characters")
        if ids[name] == "":
            ids[name] = None
    lead_id, anonymous_id = ids["userId"], ids["anonymousId"]
    if kind != "alias" and lead_id is None and anonymous_id is None and len(found) == before:
        _problem(found, index, "userId", "a message needs a userId or an anonymousId")
    message_id = _id(item.get("messageId"))
    if item.get("messageId") is not None and message_id is None:
        _problem(found, index, "messageId", "messageId must be a text")
    elif message_id is not None and not 0 < len(message_id) <= MAX_ID:
        _problem(found, index, "messageId", f"messageId must have 1 to {MAX_ID} characters")
    for name in ("properties", "traits", "context", "integrations"):
        if item.get(name) is not None and not isinstance(item.get(name), dict):
            _problem(found, index, name, f"{name} must be an object")
    timestamp = _moment(item, "timestamp", index, found)
    original = _moment(item, "originalTimestamp", index, found)
    sent = _moment(item, "sentAt", index, found)
    if sent is None and "sentAt" not in item:
        sent = _moment(envelope, "sentAt", index, found)
    event = None
    group_id = None
    link = None
    traits = item.get("traits") if isinstance(item.get("traits"), dict) else {}
    properties = dict(item.get("properties") or {}) if isinstance(item.get("properties") or {}, dict) else {}
    if kind == "track":
        event = item.get("event")
        if not isinstance(event, str) or not event.strip():
            _problem(found, index, "event", "track needs the event's name (a non-empty text)")
        elif len(event) > MAX_ID:
            _problem(found, index, "event", f"event is longer than {MAX_ID} characters")
    elif kind in EVENT_OF:
        event = EVENT_OF[kind]
        name = item.get("name")
        if name is not None:
            if not isinstance(name, str):
                _problem(found, index, "name", "name must be a text")
            else:
                properties["name"] = name
    elif kind == "identify":
        if "created_at" in traits and traits["created_at"] is not None:
            value = traits["created_at"]
            try:
                traits = {**traits, "created_at": parse_moment(value, "created_at").isoformat()} if isinstance(value, str) else None
            except InputError:
                traits = None
            if traits is None:
                _problem(found, index, "traits.created_at", f"created_at {str(value)[:60]!r} is not an ISO-8601 timestamp")
                traits = {}
        if lead_id is not None and anonymous_id is not None:
            link = anonymous_id
    elif kind == "group":
        group_id = _id(item.get("groupId"))
        if group_id is None or group_id == "":
            _problem(found, index, "groupId", "group needs a groupId (a text or a number)")
        elif len(group_id) > MAX_ID:
            _problem(found, index, "groupId", f"groupId is longer than {MAX_ID} characters")
    elif kind == "alias":
        link = _id(item.get("previousId"))
        if not link:
            _problem(found, index, "previousId", "alias needs a previousId (the anonymous or earlier id)")
        if lead_id is None:
            _problem(found, index, "userId", "alias needs a userId")
    if len(found) > before:
        return None
    if timestamp is not None:
        moment = timestamp
    elif original is not None:
        moment = original + (received_at - sent) if sent is not None else original
    else:
        moment = received_at
    return Message(
        message_id=message_id or f"generated-{uuid.uuid4()}",
        type="event" if event is not None else kind,
        kind=kind,
        timestamp=moment,
        received_at=received_at,
        lead_id=lead_id,
        anonymous_id=anonymous_id,
        event=event,
        properties=properties if event is not None else None,
        traits=dict(traits or {}) if kind in ("identify", "group") else {},
        group_id=group_id,
        link=link,
        body=body,
    )
