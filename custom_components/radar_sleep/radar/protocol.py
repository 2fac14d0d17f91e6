"""What every device driver shares: decoded messages, a pure parse step, a bounded stream.

A driver for a device family provides

1. a **pure parse function** ``parse(buf: bytes, base_offset: int) -> ParseResult`` that
   decodes every complete message at the start of ``buf``, skips garbage byte by byte until a
   plausible header, and reports how many bytes it consumed (an incomplete message at the end
   is left unconsumed); it never raises on any input;
2. an **assembler** that turns decoded messages into :class:`~..contracts.VitalsFrame`
   (devices send rates, phases and presence in separate messages; the assembler keeps the
   latest of each and emits a frame when the device's "frame clock" message arrives).

:class:`StreamParser` wraps a parse function with a buffer that never grows beyond
``max_buffer`` bytes and keeps the counters the ``decode`` command prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

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
