"""A raw-FMCW capture file replayed as a live frame source."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import os
from pathlib import Path
import time

from ...contracts import VitalsFrame
from .capture import iter_capture, load_capture_config
from .config import DspConfig
from .processor import FmcwProcessor


class FmcwReplaySource:
    """Replays a capture file through :class:`~.processor.FmcwProcessor` as a live source.

    Frames are read and processed in batches of ``batch_s`` seconds in the executor (never in
    the event loop). ``speed`` is capture seconds per wall-clock second (1 = real time);
    ``0`` replays as fast as the CPU allows, yielding to the event loop between batches.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        speed: float = 1.0,
        batch_s: float = 1.0,
        dsp: DspConfig | None = None,
    ) -> None:
        """Configure the source; the file is opened when iteration starts."""
        if speed < 0:
            raise ValueError("speed must be >= 0")
        if batch_s <= 0:
            raise ValueError("batch_s must be > 0")
        self.path = Path(path)
        self.speed = speed
        self.batch_s = batch_s
        self.dsp = dsp

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        """Yield one :class:`~...contracts.VitalsFrame` per captured frame, in time order."""
        loop = asyncio.get_running_loop()
        config = await loop.run_in_executor(None, load_capture_config, self.path)
        processor = await loop.run_in_executor(None, FmcwProcessor, config, self.dsp)
        batch = max(1, round(self.batch_s * config.frame_rate_hz))
        reader = iter_capture(self.path, batch)
        sentinel = None
        wall0 = time.monotonic()
        t0: float | None = None
        try:
            while True:
                item = await loop.run_in_executor(None, next, reader, sentinel)
                if item is None:
                    break
                _, chunk, times = item
                out = await loop.run_in_executor(None, processor.process, chunk, times)
                if t0 is None and times.size:
                    t0 = float(times[0])
                for frame in out:
                    yield frame
                if self.speed > 0 and t0 is not None and times.size:
                    period = 1.0 / config.frame_rate_hz
                    ahead = (float(times[-1]) + period - t0) / self.speed
                    delay = wall0 + ahead - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                else:
                    await asyncio.sleep(0)
        finally:
            reader.close()
