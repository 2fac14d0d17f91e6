"""Asynchronous frame sources: what the Home Assistant layer consumes.

A source is an async iterator of :class:`~..contracts.VitalsFrame`. Sources never decide
anything about sleep; they only deliver frames, paced as the hardware (or the simulator's
``speed``) delivers them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
import ctypes
from dataclasses import replace
import itertools
import math
import time

from ..contracts import EPOCH_SECONDS, MULTI_TARGET_WAVEFORM_CAPABILITIES, VitalsFrame
from .bedroom import BedroomSimulator, GroundTruth, SimulatorConfig

DAY_S = 86_400.0
SIMULATOR_CAPABILITIES = MULTI_TARGET_WAVEFORM_CAPABILITIES
KEPT_TRUTHS = 7
"""Nights whose ground truth :class:`SimulatorSource` keeps (a demo plays nights for ever)."""


def _draw_night(config: SimulatorConfig) -> BedroomSimulator:
    """Draw a night, then hand the drawing's scratch memory back to the system."""
    sim = BedroomSimulator(config)
    release_free_memory()
    return sim


def release_free_memory() -> None:
    """Give the C allocator's free memory back to the system (glibc's ``malloc_trim``).

    Drawing a night allocates and frees some hundred megabytes of full-night arrays, and
    glibc keeps most of it in the process unless asked (about 50 MB in Home Assistant).
    Elsewhere (musl, jemalloc) there is no such call and nothing is done.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except AttributeError, OSError, TypeError:
        return
    trim(0)


class SimulatorSource:
    """Plays simulated nights, one after another, as a live source.

    Night ``n`` uses seed ``config.seed + n`` and starts ``n`` days after the first; no frames
    come in between (the pipeline sees the gap as an empty room). ``speed`` is simulated
    seconds per wall-clock second, the day between the nights included (at speed 60 a night
    of eight hours plays in eight minutes, and the next one starts 24 minutes after it);
    ``0`` plays as fast as the CPU allows (benchmarks, tests), straight from one night to the
    next, yielding to the event loop between chunks so that nothing else starves.
    """

    def __init__(
        self,
        config: SimulatorConfig,
        *,
        speed: float = 1.0,
        nights: int | None = None,
        start_t: float = 0.0,
    ) -> None:
        """Configure the source; nothing is drawn until iteration starts.

        ``start_t`` resumes the played nights at that source time (after a restart: the
        simulated night carries on where the saved one stopped, as a real night would).
        """
        if speed < 0:
            raise ValueError("speed must be >= 0")
        if start_t < 0:
            raise ValueError("start_t must be >= 0")
        self.config = config
        self.speed = speed
        self.nights = nights
        self.start_t = start_t
        self.truths: deque[GroundTruth] = deque(maxlen=KEPT_TRUTHS)
        """Ground truth of the last nights played (for tests and diagnostics), at most
        :data:`KEPT_TRUTHS`."""

    def resume_at(self, t: float) -> None:
        """Play from the start of the epoch open at source time ``t``.

        After a restart or standby the simulated night carries on where the saved one stopped.
        """
        self.start_t = math.floor(t / EPOCH_SECONDS) * EPOCH_SECONDS

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        """Yield frames in time order, night after night."""
        loop = asyncio.get_running_loop()
        night = int(self.start_t // DAY_S)
        # Paced: source time t is due at wall0 + t / speed, over the whole run, so that the
        # simulated day between two nights passes at the same pace as the nights.
        wall0 = time.monotonic() - self.start_t / self.speed if self.speed > 0 else 0.0
        while self.nights is None or night < self.nights:
            cfg = replace(self.config, seed=self.config.seed + night)
            sim = await loop.run_in_executor(None, _draw_night, cfg)
            self.truths.append(sim.truth)
            offset = night * DAY_S
            rate = sim.config.frame_rate_hz
            first = max(0, math.ceil((self.start_t - offset) * rate - 1e-9))
            chunk = max(1, round(rate))  # one second of frames
            frames = sim.frames(first)
            for start in range(first, sim.n_frames, chunk):
                if self.speed > 0:
                    delay = wall0 + (offset + start / rate) / self.speed - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                elif (start - first) % (chunk * 30) == 0:
                    await asyncio.sleep(0)
                for frame in itertools.islice(frames, chunk):
                    yield replace(frame, t=frame.t + offset) if offset else frame
            # The night's signals go before the next night is drawn (never two in memory).
            del frames, sim
            night += 1
