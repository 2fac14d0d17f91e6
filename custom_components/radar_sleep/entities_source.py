"""Frames from existing Home Assistant entities (a radar already integrated via ESPHome etc.).

Degraded mode: such integrations expose presence and rates, not the breathing waveform, so
Radar Sleep tracks presence, sessions and breathing rate but cannot stage sleep. One frame per
second is built from the entities' current states; frame time is monotonic seconds since start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
import time

from homeassistant.const import STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant

from .contracts import Capabilities, TargetVitals, VitalsFrame

CAPABILITIES = Capabilities(
    presence=True,
    respiration_waveform=False,
    breath_rate=True,
    heart_rate=True,
    distance=True,
    angle=False,
    movement=False,
    multiple_targets=False,
)
FRAME_INTERVAL_S = 1.0


@dataclass(frozen=True, slots=True)
class EntityMap:
    """Which entities carry what."""

    presence: str
    breath_rate: str | None = None
    heart_rate: str | None = None
    distance: str | None = None


class EntitiesSource:
    """Polls the configured entities' states (no I/O: the state machine is in memory)."""

    def __init__(self, hass: HomeAssistant, entities: EntityMap, user_distance_m: float) -> None:
        """``user_distance_m`` places the pseudo-target when no distance entity is given."""
        self.hass = hass
        self.entities = entities
        self.user_distance_m = user_distance_m
        self._t0 = time.monotonic()

    def _number(self, entity_id: str | None, scale: float = 1.0) -> float | None:
        if entity_id is None or (state := self.hass.states.get(entity_id)) is None:
            return None
        try:
            return float(state.state) * scale
        except ValueError:
            return None

    def frame(self) -> VitalsFrame:
        """The current frame from the entities' states."""
        t = time.monotonic() - self._t0
        state = self.hass.states.get(self.entities.presence)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            raise LookupError(f"{self.entities.presence} is missing or unavailable")
        present = state.state == STATE_ON
        if not present:
            return VitalsFrame(t=t, targets=(), device_presence=False)
        unit = None
        if self.entities.distance and (d := self.hass.states.get(self.entities.distance)):
            unit = d.attributes.get("unit_of_measurement")
        scale = {"cm": 0.01, "mm": 0.001}.get(str(unit), 1.0)
        distance = self._number(self.entities.distance, scale)
        target = TargetVitals(
            target_id=1,
            distance_m=distance if distance is not None else self.user_distance_m,
            angle_deg=None,
            respiration_mm=(),
            respiration_rate_hz=0.0,
            movement=0.0,
            signal_quality=1.0,
            breath_rate_bpm=self._number(self.entities.breath_rate),
            heart_rate_bpm=self._number(self.entities.heart_rate),
        )
        return VitalsFrame(t=t, targets=(target,), device_presence=True)

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        """One frame per second, forever."""
        while True:
            yield self.frame()
            await asyncio.sleep(FRAME_INTERVAL_S)
