"""SerialSource against real TCP peers (``socket://``, as an ESPHome or ser2net bridge).

The device is a server on 127.0.0.1 that sends MR60BHA2 frames; it hangs up, stays silent or is
missing, and the source must report each change once, reconnect and keep frame time monotonic.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import math
from unittest.mock import patch

import pytest

from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.radar.drivers import mr60bha2
from custom_components.radar_sleep.radar.serial_source import SerialSource

pytestmark = pytest.mark.usefixtures("socket_enabled")


def phase_frames(n: int, start: int = 0) -> bytes:
    """``n`` phase frames with presence and distance, as the device sends them."""
    out = bytearray(mr60bha2.encode_presence(True) + mr60bha2.encode_distance(0.8))
    for k in range(start, start + n):
        breath = 0.5 * math.sin(2 * math.pi * 0.25 * k / 20)
        out += mr60bha2.encode_phase(breath, breath, 0.0, frame_id=k)
    return bytes(out)


class Device:
    """A TCP peer whose behaviour per connection is scripted: bytes to send, then hang up."""

    def __init__(self, script: list[bytes | None]) -> None:
        self.script = script
        """Per connection: bytes to send and hang up, or ``None`` to stay silent."""
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        step = self.script[min(self.connections, len(self.script) - 1)]
        self.connections += 1
        if step is None:
            await reader.read()  # silent until the client gives up
        else:
            writer.write(step)
            await writer.drain()
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"socket://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def take(frames: AsyncIterator[VitalsFrame], n: int) -> list[VitalsFrame]:
    out: list[VitalsFrame] = []
    async with asyncio.timeout(10):
        async for frame in frames:
            out.append(frame)
            if len(out) == n:
                break
    return out


async def test_reconnects_after_a_hang_up_and_keeps_time_monotonic() -> None:
    changes: list[tuple[bool, str | None]] = []
    device = Device([phase_frames(30), phase_frames(30, start=30)])
    async with device as url:
        source = SerialSource(
            "mr60bha2",
            url,
            min_backoff=0.01,
            max_backoff=0.02,
            on_connection=lambda c, e: changes.append((c, e)),
        )
        stream = source.frames()
        frames = await take(stream, 60)
        await stream.aclose()
    assert device.connections >= 2
    assert source.reconnects >= 1
    assert [c for c, _ in changes[:3]] == [True, False, True]
    assert changes[1][1]  # the reason is said
    times = [f.t for f in frames]
    assert times == sorted(times)
    assert source.stats.frames >= 2 * 31
    assert source.stats.bad_checksums == 0


async def test_garbage_between_frames_costs_nothing_but_the_garbage() -> None:
    junk = bytes(range(7, 250, 3))
    stream_bytes = junk + phase_frames(10) + junk + phase_frames(10, start=10)
    async with Device([stream_bytes, None]) as url:
        source = SerialSource("mr60bha2", url, min_backoff=0.01)
        stream = source.frames()
        with_breathing: list[VitalsFrame] = []
        async with asyncio.timeout(10):
            async for frame in stream:
                if frame.targets:
                    with_breathing.append(frame)
                if len(with_breathing) == 20:
                    break
        await stream.aclose()
    assert [len(f.targets[0].respiration_mm) for f in with_breathing] == [1] * 20
    assert source.stats.frames == 2 * 12  # every frame sent: 2 x (presence, distance, 10 phase)
    assert source.stats.skipped_bytes == 2 * len(junk)


async def test_silent_or_missing_device_is_reported_once() -> None:
    changes: list[tuple[bool, str | None]] = []
    with patch("custom_components.radar_sleep.radar.serial_source.SILENCE_SECONDS", 0.05):
        async with Device([None]) as url:
            source = SerialSource(
                "mr60bha2",
                url,
                min_backoff=0.01,
                max_backoff=0.01,
                on_connection=lambda c, e: changes.append((c, e)),
            )
            stream = source.frames()
            with pytest.raises(TimeoutError):
                await take_with_timeout(stream, 0.5)
            await stream.aclose()
    assert source.reconnects >= 2
    assert changes == [(False, "no data")]  # a device missing at start-up counts as lost, once


async def take_with_timeout(frames: AsyncIterator[VitalsFrame], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        async for _ in frames:
            pytest.fail("a silent device produced a frame")


def test_rejects_a_family_that_is_not_a_serial_device() -> None:
    with pytest.raises(ValueError, match="fmcw"):
        SerialSource("fmcw", "socket://127.0.0.1:1")
