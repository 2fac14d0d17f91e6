"""A UART radar as a frame source: a serial port or a ``socket://host:port`` bridge.

Bytes go through the family's pure parser and assembler. The connection is reopened with
exponential backoff whenever it fails or the device goes silent; frame time is monotonic across
reconnects (seconds since the source was created), so a night's session survives an unplugged
cable.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import logging
import time

from ..contracts import VitalsFrame
from .families import get_family
from .protocol import ParserStats, StreamParser

_LOGGER = logging.getLogger(__name__)

SILENCE_SECONDS = 10.0
"""A device that sends nothing for this long is treated as disconnected; one that sends only
unreadable bytes for this long (garbage on the line) is reported lost until a valid frame
comes again."""


class SerialSource:
    """Frames from a UART device of one family, reconnecting forever."""

    def __init__(
        self,
        family: str,
        url: str,
        *,
        min_backoff: float = 1.0,
        max_backoff: float = 60.0,
        on_connection: Callable[[bool, str | None], None] | None = None,
    ) -> None:
        """``on_connection(connected, error)`` is called on every change of connection state."""
        self.family = get_family(family)
        if self.family.parse is None or self.family.assembler is None:
            raise ValueError(f"{family} is not a serial device family")
        self.url = url
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.on_connection = on_connection
        self.connected: bool | None = None
        """``None`` until the first frame or the first failure: a device that is missing at
        start-up is reported like one that goes away."""
        self.stats = ParserStats()
        self.reconnects = 0
        self._t0 = time.monotonic()
        self.assembler = self.family.assembler()

    def _set_connected(self, connected: bool, error: str | None = None) -> None:
        if connected != self.connected:
            self.connected = connected
            if self.on_connection is not None:
                self.on_connection(connected, error)

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        """Yield frames as the device sends them; reconnect on failure or silence."""
        import serialx  # noqa: PLC0415 - only needed when a port is opened

        assert self.family.parse is not None
        backoff = self.min_backoff
        while True:
            parser = StreamParser(self.family.name, self.family.parse)
            writer = None
            try:
                reader, writer = await serialx.open_serial_connection(
                    url=self.url, baudrate=self.family.baud_rate or 115_200
                )
                valid_at = time.monotonic() - self._t0
                while True:
                    chunk = await asyncio.wait_for(reader.read(4096), SILENCE_SECONDS)
                    if not chunk:
                        raise ConnectionError("the device closed the connection")
                    now = time.monotonic() - self._t0
                    messages = parser.feed(chunk)
                    if messages:
                        valid_at = now
                        self._set_connected(True)
                        backoff = self.min_backoff
                    elif now - valid_at > SILENCE_SECONDS:
                        # Bytes, but none of them a frame: lost until one comes (the line is
                        # kept open, so that the first valid frame is not missed).
                        self._set_connected(
                            False, f"no valid {self.family.name} frame in {SILENCE_SECONDS:g} s"
                        )
                    for message in messages:
                        frame = self.assembler.push(message, now)
                        if frame is not None:
                            yield frame
            except (OSError, ConnectionError, TimeoutError, ValueError) as err:
                reason = "no data" if isinstance(err, TimeoutError) else (str(err) or repr(err))
                self._set_connected(False, reason)
                _LOGGER.debug(
                    "%s on %s: %s; retrying in %.0f s", self.family.name, self.url, reason, backoff
                )
            finally:
                self._merge(parser.stats)
                if writer is not None:
                    writer.close()
            self.reconnects += 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    def _merge(self, stats: ParserStats) -> None:
        self.stats.frames += stats.frames
        self.stats.bad_checksums += stats.bad_checksums
        self.stats.skipped_bytes += stats.skipped_bytes
        self.stats.bytes_in += stats.bytes_in
