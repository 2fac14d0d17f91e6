"""Wake-up light and speaker: the sunrise before the alarm and the sound when it rings.

The sunrise ramps the chosen lights from dim and warm to bright and cool. Progress is a
function of the alarm's clock (``progress_at``; the tracker's clock, ``clock.py``: Home
Assistant's, but for a simulated night played faster), so a restart in the middle of a
sunrise carries on at the brightness it had reached; the steps are sent on Home Assistant's
clock. Each light gets what it can show, from its
``supported_color_modes``:

- colour temperature: ``color_temp_kelvin`` (clamped to the light's range) and ``brightness``;
- colour only (HS, XY, RGB, RGBW, RGBWW): ``rgb_color`` of a black body at the same
  temperature (Tanner Helland's approximation, :func:`color_temperature_to_rgb`) and
  ``brightness``;
- brightness only: ``brightness``;
- on/off: switched on when the sunrise ends.

Brightness rises with the square of the progress (a slow, dim start, as a dawn simulator
does: perceived brightness grows roughly with the square root of luminance, so this is about
linear to the eye); the colour temperature moves linearly in mireds, which is about uniform
in perceived colour. A step is sent every ``SUNRISE_STEP_SECONDS`` with a transition of the
same length where the light supports transitions, so the ramp looks continuous. A light the
user switches off during the sunrise is left alone from then on.

When the alarm rings, the sunrise finishes within ``SUNRISE_FINISH_SECONDS`` and the speakers
(switched on first if they are off) play the chosen media (or say the TTS message) with a
volume ramp. Snooze pauses both;
dismiss stops the speakers and restores their volume, and leaves the lights on where they
are (turning the light off in the face of someone who has just woken up is not kind; an
automation on the alarm's ``dismissed`` event can do it).

Nothing here may break the alarm: every call to another integration is guarded and logged.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.light.const import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    ATTR_MAX_COLOR_TEMP_KELVIN,
    ATTR_MIN_COLOR_TEMP_KELVIN,
    ATTR_RGB_COLOR,
    ATTR_SUPPORTED_COLOR_MODES,
    ATTR_TRANSITION,
    ColorMode,
    LightEntityFeature,
)
from homeassistant.components.media_player.const import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    ATTR_MEDIA_VOLUME_LEVEL,
    MediaPlayerEntityFeature,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_SUPPORTED_FEATURES,
    SERVICE_MEDIA_PAUSE,
    SERVICE_MEDIA_PLAY,
    SERVICE_MEDIA_STOP,
    SERVICE_TURN_ON,
    SERVICE_VOLUME_SET,
    STATE_IDLE,
    STATE_OFF,
    STATE_ON,
    STATE_PAUSED,
    STATE_UNAVAILABLE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, State, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util
from homeassistant.util.color import color_temperature_to_rgb

from .const import (
    CONF_LIGHTS,
    CONF_MEDIA_CONTENT_ID,
    CONF_MEDIA_CONTENT_TYPE,
    CONF_MEDIA_PLAYERS,
    CONF_SUNRISE_LEAD,
    CONF_TTS_ENTITY,
    CONF_TTS_MESSAGE,
    CONF_VOLUME_END,
    CONF_VOLUME_RAMP,
    CONF_VOLUME_START,
    CONF_WAKE_UP,
    DEFAULT_MEDIA_CONTENT_TYPE,
    DEFAULT_SUNRISE_LEAD,
    DEFAULT_VOLUME_END,
    DEFAULT_VOLUME_RAMP,
    DEFAULT_VOLUME_START,
    LOGGER,
    SUNRISE_COOL_KELVIN,
    SUNRISE_FINISH_SECONDS,
    SUNRISE_STEP_SECONDS,
    SUNRISE_WARM_KELVIN,
    VOLUME_STEP_SECONDS,
)

_COLOUR_MODES = frozenset(
    {ColorMode.HS, ColorMode.XY, ColorMode.RGB, ColorMode.RGBW, ColorMode.RGBWW}
)


@dataclass(frozen=True, slots=True)
class WakeUpOptions:
    """The wake-up part of a tracker's options (section ``wake_up``)."""

    lights: tuple[str, ...] = ()
    media_players: tuple[str, ...] = ()
    media_content_id: str | None = None
    media_content_type: str = DEFAULT_MEDIA_CONTENT_TYPE
    tts_entity: str | None = None
    tts_message: str | None = None
    sunrise_lead_minutes: float = DEFAULT_SUNRISE_LEAD
    """The sunrise starts this long before the smart window opens (negative: after)."""
    volume_start: float = DEFAULT_VOLUME_START / 100
    volume_end: float = DEFAULT_VOLUME_END / 100
    volume_ramp_seconds: float = DEFAULT_VOLUME_RAMP

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> WakeUpOptions:
        """Read the options of ``entry`` (every field optional)."""
        options: Mapping[str, Any] = entry.options.get(CONF_WAKE_UP) or {}
        return cls(
            lights=tuple(options.get(CONF_LIGHTS) or ()),
            media_players=tuple(options.get(CONF_MEDIA_PLAYERS) or ()),
            media_content_id=options.get(CONF_MEDIA_CONTENT_ID) or None,
            media_content_type=(options.get(CONF_MEDIA_CONTENT_TYPE) or DEFAULT_MEDIA_CONTENT_TYPE),
            tts_entity=options.get(CONF_TTS_ENTITY) or None,
            tts_message=options.get(CONF_TTS_MESSAGE) or None,
            sunrise_lead_minutes=float(options.get(CONF_SUNRISE_LEAD, DEFAULT_SUNRISE_LEAD)),
            volume_start=float(options.get(CONF_VOLUME_START, DEFAULT_VOLUME_START)) / 100,
            volume_end=float(options.get(CONF_VOLUME_END, DEFAULT_VOLUME_END)) / 100,
            volume_ramp_seconds=float(options.get(CONF_VOLUME_RAMP, DEFAULT_VOLUME_RAMP)),
        )

    @property
    def has_sound(self) -> bool:
        """Whether anything is to be played when the alarm rings."""
        return bool(self.media_players) and bool(
            self.media_content_id or (self.tts_entity and self.tts_message)
        )


def sunrise_brightness(progress: float) -> int:
    """Brightness (1..255) at ``progress`` (0..1) of the sunrise: quadratic, never off."""
    p = min(max(progress, 0.0), 1.0)
    return max(1, round(1 + 254 * p * p))


def sunrise_kelvin(progress: float) -> int:
    """Colour temperature at ``progress``: warm to cool, linear in mireds."""
    p = min(max(progress, 0.0), 1.0)
    warm, cool = 1e6 / SUNRISE_WARM_KELVIN, 1e6 / SUNRISE_COOL_KELVIN
    return round(1e6 / (warm + (cool - warm) * p))


def light_command(state: State, progress: float) -> dict[str, Any] | None:
    """What to send to the light of ``state`` at ``progress``; ``None``: nothing yet.

    Chosen from the light's ``supported_color_modes`` (see the module docstring).
    """
    modes = set()
    for mode in state.attributes.get(ATTR_SUPPORTED_COLOR_MODES) or ():
        with suppress(ValueError):  # a mode this Home Assistant does not know
            modes.add(ColorMode(mode))
    brightness = sunrise_brightness(progress)
    kelvin = sunrise_kelvin(progress)
    if ColorMode.COLOR_TEMP in modes:
        low = int(state.attributes.get(ATTR_MIN_COLOR_TEMP_KELVIN) or SUNRISE_WARM_KELVIN)
        high = int(state.attributes.get(ATTR_MAX_COLOR_TEMP_KELVIN) or SUNRISE_COOL_KELVIN)
        return {ATTR_BRIGHTNESS: brightness, ATTR_COLOR_TEMP_KELVIN: min(max(kelvin, low), high)}
    if modes & _COLOUR_MODES:
        rgb = tuple(round(c) for c in color_temperature_to_rgb(kelvin))
        return {ATTR_BRIGHTNESS: brightness, ATTR_RGB_COLOR: rgb}
    if modes & {ColorMode.BRIGHTNESS, ColorMode.WHITE}:
        return {ATTR_BRIGHTNESS: brightness}
    return {} if progress >= 1.0 else None


@dataclass(slots=True)
class _Ramp:
    """A monotonic ramp of progress from ``p0`` at ``t0`` to 1 at ``t1`` (POSIX seconds)."""

    t0: float
    p0: float
    t1: float

    def progress_at(self, t: float) -> float:
        if t >= self.t1:
            return 1.0
        if t <= self.t0:
            return self.p0
        return self.p0 + (1.0 - self.p0) * (t - self.t0) / (self.t1 - self.t0)


class WakeUp:
    """The wake-up light and speaker of one tracker."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        now: Callable[[], datetime] = dt_util.utcnow,
    ) -> None:
        """Read the options; nothing happens until the alarm asks.

        ``now`` is the alarm's clock (the tracker's, ``clock.py``): the sunrise and the
        volume ramp progress on it.
        """
        self.hass = hass
        self.entry = entry
        self._now = now
        self.options = WakeUpOptions.from_entry(entry)
        self._sunrise: _Ramp | None = None
        self._sunrise_timer: CALLBACK_TYPE | None = None
        self._sent: dict[str, dict[str, Any]] = {}
        """What each light was last sent (not sent again; detects a light switched off)."""
        self._overridden: set[str] = set()
        self._volume_timer: CALLBACK_TYPE | None = None
        self._volume_started: float | None = None
        self.saved_volumes: dict[str, float] = {}
        """The speakers' volumes before the alarm, restored on dismiss (saved with the alarm,
        so that a restart while ringing still restores them)."""

    @property
    def sunrise_running(self) -> bool:
        """Whether the sunrise is stepping."""
        return self._sunrise_timer is not None

    @property
    def sunrise_progress(self) -> float | None:
        """Progress of the sunrise now (0..1), ``None`` if none is under way."""
        if self._sunrise is None:
            return None
        return self._sunrise.progress_at(self._now().timestamp())

    # Sunrise ----------------------------------------------------------------------------------

    @callback
    def async_start_sunrise(self, start: datetime, minutes: float) -> None:
        """Ramp the lights from ``start`` over ``minutes`` (``start`` may be in the past)."""
        if not self.options.lights or self.sunrise_running:
            return
        t0 = start.timestamp()
        self._sunrise = _Ramp(t0, 0.0, t0 + max(minutes * 60.0, 1.0))
        LOGGER.debug("%s: sunrise from %s over %s min", self.entry.title, start, minutes)
        self._run_sunrise()

    @callback
    def async_finish_sunrise(self) -> None:
        """The alarm rings: bring the lights to full within ``SUNRISE_FINISH_SECONDS``."""
        if not self.options.lights:
            return
        now = self._now().timestamp()
        p = self._sunrise.progress_at(now) if self._sunrise is not None else 0.0
        remaining = self._sunrise.t1 - now if self._sunrise is not None else SUNRISE_FINISH_SECONDS
        self._sunrise = _Ramp(now, p, now + max(min(remaining, SUNRISE_FINISH_SECONDS), 1.0))
        self._cancel_sunrise_timer()
        self._run_sunrise()

    @callback
    def _run_sunrise(self) -> None:
        self._sunrise_timer = async_track_time_interval(
            self.hass,
            self._async_sunrise_step,
            timedelta(seconds=SUNRISE_STEP_SECONDS),
            name=f"radar_sleep sunrise {self.entry.title}",
        )
        self._spawn(self._async_sunrise_step())

    async def _async_sunrise_step(self, _now: datetime | None = None) -> None:
        ramp = self._sunrise
        if ramp is None:
            return
        progress = ramp.progress_at(self._now().timestamp())
        for entity_id in self.options.lights:
            await self._async_step_light(entity_id, progress)
        if progress >= 1.0:
            self._cancel_sunrise_timer()

    async def _async_step_light(self, entity_id: str, progress: float) -> None:
        if entity_id in self._overridden:
            return
        state = self.hass.states.get(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            return
        if entity_id in self._sent and state.state == STATE_OFF:
            LOGGER.info("%s was switched off during the sunrise: left alone", entity_id)
            self._overridden.add(entity_id)
            return
        command = light_command(state, progress)
        if command is None or command == self._sent.get(entity_id):
            return
        self._sent[entity_id] = command
        data: dict[str, Any] = {ATTR_ENTITY_ID: entity_id, **command}
        features = int(state.attributes.get(ATTR_SUPPORTED_FEATURES) or 0)
        if command and features & LightEntityFeature.TRANSITION and progress < 1.0:
            data[ATTR_TRANSITION] = SUNRISE_STEP_SECONDS
        await self._async_call("light", SERVICE_TURN_ON, data)

    @callback
    def _cancel_sunrise_timer(self) -> None:
        if self._sunrise_timer is not None:
            self._sunrise_timer()
            self._sunrise_timer = None

    # Speaker ----------------------------------------------------------------------------------

    @callback
    def async_ring(self) -> None:
        """The alarm rings: lights to full, and the speakers play with a volume ramp."""
        self.async_finish_sunrise()
        if not self.options.has_sound:
            return
        for entity_id in self.options.media_players:
            state = self.hass.states.get(entity_id)
            if state is None or entity_id in self.saved_volumes:
                continue
            if (level := state.attributes.get(ATTR_MEDIA_VOLUME_LEVEL)) is not None:
                self.saved_volumes[entity_id] = float(level)
        self._cancel_volume_timer()
        self._volume_started = self._now().timestamp()
        if self.options.volume_end != self.options.volume_start:
            self._volume_timer = async_track_time_interval(
                self.hass,
                self._async_volume_step,
                timedelta(seconds=VOLUME_STEP_SECONDS),
                name=f"radar_sleep volume {self.entry.title}",
            )
        self._spawn(self._async_play())

    async def _async_play(self) -> None:
        players = list(self.options.media_players)
        switched_off = [
            p
            for p in self._players_supporting(MediaPlayerEntityFeature.TURN_ON)
            if (state := self.hass.states.get(p)) is not None and state.state == STATE_OFF
        ]
        if switched_off:
            await self._async_call("media_player", SERVICE_TURN_ON, {ATTR_ENTITY_ID: switched_off})
        await self._async_set_volume(self.options.volume_start)
        if self.options.media_content_id:
            await self._async_call(
                "media_player",
                "play_media",
                {
                    ATTR_ENTITY_ID: players,
                    ATTR_MEDIA_CONTENT_ID: self.options.media_content_id,
                    ATTR_MEDIA_CONTENT_TYPE: self.options.media_content_type,
                },
            )
            # A player paused by a snooze (or idle) may keep its state through play_media.
            waiting = [
                p
                for p in self._players_supporting(MediaPlayerEntityFeature.PLAY)
                if (state := self.hass.states.get(p)) is not None
                and state.state in (STATE_PAUSED, STATE_IDLE, STATE_OFF, STATE_ON)
            ]
            if waiting:
                await self._async_call(
                    "media_player", SERVICE_MEDIA_PLAY, {ATTR_ENTITY_ID: waiting}
                )
        else:
            await self._async_call(
                "tts",
                "speak",
                {
                    ATTR_ENTITY_ID: self.options.tts_entity,
                    "media_player_entity_id": players,
                    "message": self.options.tts_message,
                },
            )

    async def _async_volume_step(self, _now: datetime) -> None:
        if self._volume_started is None:
            return
        elapsed = self._now().timestamp() - self._volume_started
        ramp = max(self.options.volume_ramp_seconds, 1.0)
        fraction = min(elapsed / ramp, 1.0)
        start, end = self.options.volume_start, self.options.volume_end
        await self._async_set_volume(start + (end - start) * fraction)
        if fraction >= 1.0:
            self._cancel_volume_timer()

    async def _async_set_volume(self, level: float) -> None:
        players = self._players_supporting(MediaPlayerEntityFeature.VOLUME_SET)
        if players:
            await self._async_call(
                "media_player",
                SERVICE_VOLUME_SET,
                {ATTR_ENTITY_ID: players, ATTR_MEDIA_VOLUME_LEVEL: round(level, 3)},
            )

    def _players_supporting(self, feature: MediaPlayerEntityFeature) -> list[str]:
        found = []
        for entity_id in self.options.media_players:
            state = self.hass.states.get(entity_id)
            if state is None or state.state == STATE_UNAVAILABLE:
                continue
            if int(state.attributes.get(ATTR_SUPPORTED_FEATURES) or 0) & feature:
                found.append(entity_id)
        return found

    @callback
    def _cancel_volume_timer(self) -> None:
        if self._volume_timer is not None:
            self._volume_timer()
            self._volume_timer = None

    async def _async_silence(self, prefer_pause: bool) -> None:
        order = (
            (MediaPlayerEntityFeature.PAUSE, SERVICE_MEDIA_PAUSE),
            (MediaPlayerEntityFeature.STOP, SERVICE_MEDIA_STOP),
        )
        if not prefer_pause:
            order = order[::-1]
        done: set[str] = set()
        for feature, service in order:
            players = [p for p in self._players_supporting(feature) if p not in done]
            if players:
                await self._async_call("media_player", service, {ATTR_ENTITY_ID: players})
                done.update(players)

    # Snooze and dismiss -----------------------------------------------------------------------

    @callback
    def async_pause(self) -> None:
        """Snooze: hold the lights where they are and pause the speakers."""
        self._cancel_sunrise_timer()
        self._cancel_volume_timer()
        self._volume_started = None
        if self.options.has_sound:
            self._spawn(self._async_silence(prefer_pause=True))

    @callback
    def async_stop(self) -> None:
        """Dismiss: stop the speakers and restore their volume; the lights stay on."""
        sounding = self._volume_started is not None or bool(self.saved_volumes)
        volumes, self.saved_volumes = self.saved_volumes, {}
        self.async_cancel()
        self._sent.clear()
        self._overridden.clear()
        if self.options.has_sound and sounding:
            self._spawn(self._async_stop_sound(volumes))

    async def _async_stop_sound(self, volumes: dict[str, float]) -> None:
        await self._async_silence(prefer_pause=False)
        for entity_id, level in volumes.items():
            await self._async_call(
                "media_player",
                SERVICE_VOLUME_SET,
                {ATTR_ENTITY_ID: entity_id, ATTR_MEDIA_VOLUME_LEVEL: level},
            )

    @callback
    def async_cancel(self) -> None:
        """Stop every timer (dismiss, unload); nothing is sent."""
        self._cancel_sunrise_timer()
        self._cancel_volume_timer()
        self._sunrise = None
        self._volume_started = None

    @callback
    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        self.entry.async_create_task(self.hass, job, f"radar_sleep wake-up {self.entry.title}")

    async def _async_call(self, domain: str, service: str, data: dict[str, Any]) -> None:
        try:
            await self.hass.services.async_call(domain, service, data, blocking=True)
        except Exception as err:  # no light or speaker may break the alarm
            LOGGER.warning(
                "%s: wake-up call %s.%s failed: %s", self.entry.title, domain, service, err
            )
