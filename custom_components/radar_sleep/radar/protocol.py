"""What every device driver shares: decoded messages, a pure parse step, a bounded stream.

A driver for a device family provides

1. a **pure parse function** ``parse(buf: bytes, base_offset: int) -> ParseResult`` that
   decodes every complete message at the start of ``buf``, skips garbage byte by byte until a
   plausible header, and reports how many bytes it consumed (an incomplete message at the end
   is left unconsumed); it never raises on any input. The resync loop is
   :meth:`HeaderSync.parse`: a driver gives its header bytes and a decoder of the one message
   at a header;
2. an **assembler** that turns decoded messages into :class:`~..contracts.VitalsFrame`
   (devices send rates, phases and presence in separate messages; the assembler keeps the
   latest of each and emits a frame when the device's "frame clock" message arrives).

:class:`StreamParser` wraps a parse function with a buffer that never grows beyond
``max_buffer`` bytes and keeps the counters the ``decode`` command prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import re
from typing import Final, Literal, Protocol

from ..contracts import VitalsFrame

type FieldValue = float | int | str | bool | list[float] | list[int] | None


@dataclass(frozen=True, slots=True)
class DecodedMessage:
    """One decoded device message, fields in SI units (or the unit in the field's name)."""

    family: str
    """Device family: ``fmcw``, ``mr60bha2``, ``ti-vitals``, ``ld2410``, ``mr24bsd1``."""
    type: str
    """Message type within the family, e.g. ``phase``, ``breath_rate``, ``engineering``."""
    offset: int
    """Byte offset of the message's first byte in the stream."""
    fields: dict[str, FieldValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, FieldValue | dict[str, FieldValue]]:
        """The JSON object the ``decode`` command prints for this message."""
        return {"family": self.family, "type": self.type, "offset": self.offset, **self.fields}


@dataclass(slots=True)
class ParseResult:
    """What one call of a pure parse function found."""

    messages: list[DecodedMessage]
    consumed: int
    """Bytes at the start of the buffer that are done with (decoded or skipped)."""
    bad_checksums: int = 0
    skipped_bytes: int = 0
    """Bytes discarded as garbage (including the bytes of messages with bad checksums)."""


type ParseFn = Callable[[bytes, int], ParseResult]

NEED_MORE: Final = "need_more"
"""Decoder verdict: the message at the header is not complete yet; stop and wait for bytes."""
SKIP: Final = "skip"
"""Decoder verdict: not a message after all (e.g. an absurd length); skip the header's first
byte and search on."""
BAD: Final = "bad"
"""Decoder verdict: a message that fails its checks; count it in ``bad_checksums`` and skip its
first byte only, so that a real message hiding inside it is still found."""

type DecodeStep = tuple[DecodedMessage, int] | Literal["need_more", "skip", "bad"]
"""What a decoder says about the bytes at a header: the message and its length in bytes, or
one of :data:`NEED_MORE`, :data:`SKIP`, :data:`BAD`."""
type DecodeAt = Callable[[bytes, int, int], DecodeStep]
"""``decode_at(buf, pos, base_offset)``: decode the one message whose header is at ``pos``."""


class HeaderSync:
    """The header-resync loop every serial driver shares.

    ``headers`` are the byte strings a message can start with (one per message kind). Garbage
    before a header is skipped; a tail of the buffer that could begin a header is kept for the
    next call; at each header the family's decoder decides (:data:`DecodeStep`).
    """

    __slots__ = ("_find", "_headers", "_longest")

    def __init__(self, *headers: bytes) -> None:
        """Search for any of ``headers`` (at least one, none empty)."""
        if not headers or not all(headers):
            raise ValueError("HeaderSync needs at least one non-empty header")
        self._headers = headers
        self._longest = max(len(h) for h in headers)
        if len(headers) == 1:
            header = headers[0]

            def find(buf: bytes, pos: int, end: int) -> int:
                return buf.find(header, pos, end)

        else:
            pattern = re.compile(b"|".join(re.escape(h) for h in headers))

            def find(buf: bytes, pos: int, end: int) -> int:
                match = pattern.search(buf, pos, end)
                return -1 if match is None else match.start()

        self._find: Callable[[bytes, int, int], int] = find

    def find(self, buf: bytes, pos: int, end: int | None = None) -> int:
        """Index of the first header wholly inside ``buf[pos:end]``; -1 if there is none."""
        return self._find(buf, pos, len(buf) if end is None else end)

    def partial_tail(self, buf: bytes, pos: int) -> int:
        """Start of the longest tail of ``buf[pos:]`` that could begin a header (else ``len``)."""
        for k in range(min(self._longest - 1, len(buf) - pos), 0, -1):
            tail = buf[len(buf) - k :]
            if any(h.startswith(tail) for h in self._headers):
                return len(buf) - k
        return len(buf)

    def parse(self, buf: bytes, base_offset: int, decode_at: DecodeAt) -> ParseResult:
        """Decode every complete message at the start of ``buf``; never raises.

        Bytes before a header count in ``skipped_bytes``; a :data:`SKIP` or :data:`BAD` verdict
        skips the header's first byte (and :data:`BAD` counts in ``bad_checksums``); a
        :data:`NEED_MORE` verdict, or a partial header at the end, leaves the rest unconsumed.
        """
        messages: list[DecodedMessage] = []
        bad = skipped = 0
        pos = 0
        n = len(buf)
        while pos < n:
            start = self._find(buf, pos, n)
            if start < 0:
                keep = self.partial_tail(buf, pos)
                skipped += keep - pos
                pos = keep
                break
            skipped += start - pos
            pos = start
            step = decode_at(buf, pos, base_offset)
            if isinstance(step, str):
                if step == NEED_MORE:
                    break
                if step == BAD:
                    bad += 1
                skipped += 1
                pos += 1
                continue
            message, length = step
            messages.append(message)
            pos += length
        return ParseResult(messages, pos, bad, skipped)


@dataclass(slots=True)
class ParserStats:
    """Counters over a whole stream."""

    frames: int = 0
    bad_checksums: int = 0
    skipped_bytes: int = 0
    bytes_in: int = 0

    def to_json(self) -> dict[str, int]:
        """The final JSON line of the ``decode`` command."""
        return {
            "frames": self.frames,
            "bad_checksums": self.bad_checksums,
            "skipped_bytes": self.skipped_bytes,
            "bytes": self.bytes_in,
        }


class StreamParser:
    """Feeds arbitrary chunks of a byte stream to a pure parse function.

    The buffer holds at most ``max_buffer`` bytes: when a (corrupt) length field would make a
    message longer than that, the parse function skips its header byte instead, so memory stays
    bounded whatever the device sends.
    """

    def __init__(self, family: str, parse: ParseFn, max_buffer: int = 65_536) -> None:
        """Start with an empty buffer at stream offset 0."""
        self.family = family
        self._parse = parse
        self.max_buffer = max_buffer
        self._buffer = b""
        self._offset = 0
        self.stats = ParserStats()

    def feed(self, data: bytes) -> list[DecodedMessage]:
        """Decode what ``data`` completes; keep an incomplete tail for the next call."""
        self.stats.bytes_in += len(data)
        self._buffer += data
        result = self._parse(self._buffer, self._offset)
        if result.consumed == 0 and len(self._buffer) > self.max_buffer:
            # A parse function that cannot make progress on a full buffer: drop one byte.
            result = ParseResult(result.messages, 1, result.bad_checksums, result.skipped_bytes + 1)
        self._buffer = self._buffer[result.consumed :]
        self._offset += result.consumed
        self.stats.frames += len(result.messages)
        self.stats.bad_checksums += result.bad_checksums
        self.stats.skipped_bytes += result.skipped_bytes
        return result.messages

    @property
    def buffered(self) -> int:
        """Bytes waiting for the rest of a message."""
        return len(self._buffer)


class FrameAssembler(Protocol):
    """Turns a family's decoded messages into frames for the sleep pipeline."""

    def push(self, message: DecodedMessage, t: float) -> VitalsFrame | None:
        """Fold in one message received at source time ``t``; return a frame when one is due."""
