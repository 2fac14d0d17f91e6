"""Test-before-configure: open a port and say what, if anything, is talking on it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum

from .families import SERIAL_FAMILIES, get_family
from .protocol import StreamParser

MIN_FRAMES = 2
"""Valid frames needed to accept a family."""


class ProbeOutcome(StrEnum):
    """What was seen on the port."""

    OK = "ok"
    CANNOT_OPEN = "cannot_connect"
    NOTHING = "no_data"
    GARBAGE = "garbage"
    OTHER_FAMILY = "wrong_family"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """The outcome, with what it is based on."""

    outcome: ProbeOutcome
    bytes_seen: int
    frames: int
    detected_family: str | None = None
    error: str | None = None


def classify(data: bytes, family: str) -> ProbeResult:
    """Decide from the bytes captured whether ``family`` (or another one) is talking."""
    if not data:
        return ProbeResult(ProbeOutcome.NOTHING, 0, 0)
    counts: dict[str, int] = {}
    for name in SERIAL_FAMILIES:
        driver = get_family(name)
        if driver.parse is None:
            continue
        parser = StreamParser(name, driver.parse)
        parser.feed(data)
        counts[name] = parser.stats.frames
    if counts.get(family, 0) >= MIN_FRAMES:
        return ProbeResult(ProbeOutcome.OK, len(data), counts[family], family)
    best = max(counts, key=lambda k: counts[k]) if counts else None
    if best is not None and counts[best] >= MIN_FRAMES:
        return ProbeResult(ProbeOutcome.OTHER_FAMILY, len(data), counts[best], best)
    return ProbeResult(ProbeOutcome.GARBAGE, len(data), counts.get(family, 0))


async def probe_port(url: str, family: str, seconds: float = 5.0) -> ProbeResult:
    """Open ``url`` at the family's baud rate, listen up to ``seconds``, and classify.

    Stops early once the family's frames are seen. Never raises for I/O problems.
    """
    import serialx  # noqa: PLC0415 - only needed when a port is opened

    baud = get_family(family).baud_rate or 115_200
    try:
        reader, writer = await asyncio.wait_for(
            serialx.open_serial_connection(url=url, baudrate=baud), timeout=seconds
        )
    except (OSError, TimeoutError, ValueError) as err:
        return ProbeResult(ProbeOutcome.CANNOT_OPEN, 0, 0, error=str(err) or type(err).__name__)
    data = bytearray()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        while (remaining := deadline - loop.time()) > 0:
            try:
                chunk = await asyncio.wait_for(reader.read(4096), timeout=remaining)
            except TimeoutError:
                break
            if not chunk:
                break
            data += chunk
            if classify(bytes(data), family).outcome is ProbeOutcome.OK:
                break
    except OSError as err:
        return ProbeResult(ProbeOutcome.CANNOT_OPEN, len(data), 0, error=str(err))
    finally:
        writer.close()
    return classify(bytes(data), family)
