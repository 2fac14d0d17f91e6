"""Sensors: the live sleep stage and breathing rate, last night's metrics, the next alarm.

Also the usual bedtime, from the stored nights, and the bedroom: its temperature, humidity
and light as the chosen Home Assistant sensors read them now, and as they were last night while
asleep, with a verdict against published ranges (see docs/room.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter

from .alarm import RadarSleepAlarmEntity
from .alarm_core.schedule import local_instant
from .const import DOMAIN
from .contracts import REASON_STAGE, NightSummary, SleepMetrics, SleepUpdate, Stage
from .coordinator import RadarSleepCoordinator, RadarSleepData
from .entity import RadarSleepEntity
from .learning import LearningStore
from .room_sensors import ROOM_SENSOR_KINDS, RoomSensorKind, room_value
from .runtime import RadarSleepConfigEntry
from .sleep.learning import CalibrationValues
from .sleep.metrics import WholeMinutes, whole_minutes
from .sleep.room import RoomInsight, RoomQuantity, room_insights
from .sleep.usual import USUAL_NIGHTS, usual_bedtime
from .store import RadarSleepStore

PARALLEL_UPDATES = 0
BREATHS_PER_MINUTE = "br/min"


@dataclass(frozen=True, kw_only=True)
class RadarSleepSensorDescription(SensorEntityDescription):
    """A sensor computed from the coordinator's data."""

    value_fn: Callable[[RadarSleepData], float | int | str | None]
    attrs_fn: Callable[[RadarSleepData], dict[str, Any]] | None = None


def _live(fn: Callable[[SleepUpdate], float | str | None]) -> Callable[[RadarSleepData], Any]:
    return lambda data: fn(data.update)


def _night(fn: Callable[[SleepMetrics], float | int | None]) -> Callable[[RadarSleepData], Any]:
    def value(data: RadarSleepData) -> float | int | None:
        if data.last_night is None or data.last_night.metrics is None:
            return None
        result = fn(data.last_night.metrics)
        return round(result, 1) if isinstance(result, float) else result

    return value


def _night_attrs(data: RadarSleepData) -> dict[str, Any]:
    night: NightSummary | None = data.last_night
    if night is None:
        return {}
    night_date: date = night.night
    attrs: dict[str, Any] = {"night": night_date.isoformat()}
    if night.labels:  # what the user taught about it (docs/learning.md#teaching)
        attrs["taught"] = [str(label.kind) for label in night.labels]
    return attrs


def _stage_attrs(data: RadarSleepData) -> dict[str, Any]:
    update = data.update
    attrs: dict[str, Any] = {}
    if update.stage_probabilities is not None:
        attrs = {f"p_{s.label}": p for s, p in zip(Stage, update.stage_probabilities, strict=True)}
    if reason := update.reasons.get(REASON_STAGE):
        attrs["reason"] = reason
    return attrs


def _minutes(
    key: str, fn: Callable[[WholeMinutes], int | None], *, hours: bool = True
) -> RadarSleepSensorDescription:
    """A duration of last night in whole minutes (:func:`~.sleep.metrics.whole_minutes`).

    The native unit stays minutes (what the long-term statistics of existing sensors are in);
    ``hours`` suggests hours for new sensors, which Home Assistant's frontend shows as hours
    and minutes ("6h 7m"); onset latency and wake after sleep onset stay in minutes.
    """
    return RadarSleepSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_unit_of_measurement=UnitOfTime.HOURS if hours else None,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2 if hours else 0,
        value_fn=_night(lambda m: fn(whole_minutes(m))),
        attrs_fn=_night_attrs,
    )


SENSORS: tuple[RadarSleepSensorDescription, ...] = (
    RadarSleepSensorDescription(
        key="sleep_stage",
        translation_key="sleep_stage",
        device_class=SensorDeviceClass.ENUM,
        options=[s.label for s in Stage],
        value_fn=_live(lambda u: None if u.stage is None else u.stage.label),
        attrs_fn=_stage_attrs,
    ),
    RadarSleepSensorDescription(
        key="breathing_rate",
        translation_key="breathing_rate",
        native_unit_of_measurement=BREATHS_PER_MINUTE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=_live(lambda u: u.breathing_rate_bpm),
    ),
    RadarSleepSensorDescription(
        key="presence_confidence",
        translation_key="presence_confidence",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        suggested_display_precision=0,
        value_fn=_live(lambda u: round(100 * u.presence_confidence)),
    ),
    _minutes("time_in_bed", lambda m: m.tib),
    _minutes("total_sleep_time", lambda m: m.tst),
    RadarSleepSensorDescription(
        key="sleep_efficiency",
        translation_key="sleep_efficiency",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_night(lambda m: m.se_pct),
        attrs_fn=_night_attrs,
    ),
    _minutes("sleep_onset_latency", lambda m: m.sol, hours=False),
    _minutes("wake_after_sleep_onset", lambda m: m.waso, hours=False),
    _minutes("light_sleep", lambda m: m.light),
    _minutes("deep_sleep", lambda m: m.deep),
    _minutes("rem_sleep", lambda m: m.rem),
    RadarSleepSensorDescription(
        key="awakenings",
        translation_key="awakenings",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_night(lambda m: m.awakenings),
        attrs_fn=_night_attrs,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RadarSleepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tracker's sensors."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    chosen = coordinator.room_entities
    room: list[SensorEntity] = []
    registry = er.async_get(hass)
    for kind in ROOM_SENSOR_KINDS:
        live, night = ROOM_LIVE[kind.quantity], ROOM_LAST_NIGHT[kind.quantity]
        if (source := chosen.get(kind.quantity)) is not None:
            room.append(RadarSleepRoomSensor(coordinator, live, kind, source))
            room.append(RadarSleepLastNightRoomSensor(coordinator, night, kind.quantity))
            continue
        for description in (live, night):  # no sensor chosen (any more): no entity
            unique_id = f"{entry.entry_id}_{description.key}"
            if entity_id := registry.async_get_entity_id("sensor", DOMAIN, unique_id):
                registry.async_remove(entity_id)
    async_add_entities(
        [
            *(RadarSleepSensor(coordinator, d) for d in SENSORS),
            RadarSleepNextAlarmSensor(coordinator, runtime.alarm, NEXT_ALARM),
            RadarSleepUsualBedtimeSensor(
                coordinator, runtime.store, USUAL_BEDTIME, runtime.learning
            ),
            *room,
        ]
    )
    if coordinator.clock.scaled:
        async_add_entities([RadarSleepTrackerClockSensor(coordinator, TRACKER_CLOCK)])


class RadarSleepSensor(RadarSleepEntity, SensorEntity):
    """A Radar Sleep sensor."""

    entity_description: RadarSleepSensorDescription
    _unrecorded_attributes = frozenset({"reason", "p_wake", "p_light", "p_deep", "p_rem"})

    @property
    def native_value(self) -> float | int | str | None:
        """Current value."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Stage probabilities and reasons, or the night a metric belongs to."""
        if self.entity_description.attrs_fn is None:
            return None
        return self.entity_description.attrs_fn(self.coordinator.data)


NEXT_ALARM = SensorEntityDescription(
    key="next_alarm", translation_key="next_alarm", device_class=SensorDeviceClass.TIMESTAMP
)
USUAL_BEDTIME = SensorEntityDescription(
    key="usual_bedtime", translation_key="usual_bedtime", device_class=SensorDeviceClass.TIMESTAMP
)
TRACKER_CLOCK = SensorEntityDescription(
    key="tracker_clock", translation_key="tracker_clock", entity_category=EntityCategory.DIAGNOSTIC
)


class RadarSleepNextAlarmSensor(RadarSleepAlarmEntity, SensorEntity):
    """When the alarm rings next (the set time; the snooze's end while snoozed)."""

    @property
    def native_value(self) -> datetime | None:
        """The next alarm, ``None`` while the alarm is off."""
        return self.alarm.next_alarm

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The alarm's state, its window and days."""
        window = self.alarm.window_start
        skip = self.alarm.state.skip_through
        return {
            "status": self.alarm.state.phase.value,
            "window_start": window.isoformat() if window else None,
            "days": list(self.alarm.settings.days),
            "skipped_through": skip.isoformat() if skip else None,
            "last_reason": self.alarm.state.reason,
        }


class RadarSleepTrackerClockSensor(RadarSleepEntity, SensorEntity):
    """The time of the simulated or replayed night (only for a source played at a speed).

    The alarm's set time and window are on this clock (``clock.py``); the state is the local
    time of day, written once per minute of the tracker's clock (and with the radar's data).
    """

    async def async_added_to_hass(self) -> None:
        """Tick once per minute of the tracker's clock (once per real second at most)."""
        await super().async_added_to_hass()
        every = timedelta(seconds=max(1.0, 60.0 / self.coordinator.clock.speed))
        self.async_on_remove(async_track_time_interval(self.hass, self._tick, every))

    @callback
    def _tick(self, _now: datetime) -> None:
        self.async_write_ha_state()

    @property
    def native_value(self) -> str:
        """The tracker's local time of day, hours and minutes."""
        return dt_util.as_local(self.coordinator.clock.now()).strftime("%H:%M")

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The tracker's date and its speed (seconds of the night per real second)."""
        return {
            "date": dt_util.as_local(self.coordinator.clock.now()).date().isoformat(),
            "speed": self.coordinator.clock.speed,
        }


class RadarSleepUsualBedtimeSensor(RadarSleepEntity, SensorEntity):
    """The next time at the usual bedtime (for reminders: a time trigger with an offset).

    Dated on the tracker's clock (``clock.py``), as the alarm is: for the simulated bedroom
    the next bedtime of the simulated evening, not of Home Assistant's.
    """

    def __init__(
        self,
        coordinator: RadarSleepCoordinator,
        store: RadarSleepStore,
        description: SensorEntityDescription,
        learning: LearningStore,
    ) -> None:
        """Start without a value; it is computed when added (from ``store``'s nights).

        ``learning``'s calibration gives the usual wake time, sleep need and breathing
        baseline shown with it.
        """
        super().__init__(coordinator, description)
        self._store = store
        self._learning = learning
        self._nights: object = None
        self._calibration_nights: object = None
        self._calibration: CalibrationValues | None = None
        self._bedtime: time | None = None
        self._value: datetime | None = None
        self._timer: CALLBACK_TYPE | None = None

    @property
    def available(self) -> bool:
        """Computed from the stored nights, whether or not the radar is delivering."""
        return True

    @property
    def native_value(self) -> datetime | None:
        """The next instant at the usual bedtime."""
        return self._value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The usual bedtime as a time of day and how many nights it comes from.

        With the usual wake time, sleep need and sleeping breathing rate (calibration).
        """
        values = self._calibration
        return {
            "time": self._bedtime.isoformat() if self._bedtime else None,
            "nights": min(len(self._store.nights), USUAL_NIGHTS),
            "wake_time": values.usual_wake_time.isoformat()
            if values is not None and values.usual_wake_time is not None
            else None,
            "sleep_need_min": None if values is None else values.sleep_need_min,
            "breathing_baseline_bpm": None if values is None else values.breathing_rate_bpm,
        }

    async def async_added_to_hass(self) -> None:
        """Compute the value, and cancel the roll-over timer on removal."""
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel_timer)
        self._recompute()

    @callback
    def _handle_coordinator_update(self) -> None:
        # Both lists are replaced, never changed in place: a new one is a change.
        if (
            self._store.nights is not self._nights
            or self._learning.learning.calibration.nights is not self._calibration_nights
        ):
            self._recompute()
            self.async_write_ha_state()
        elif self._value is not None and self.coordinator.clock.now() >= self._value:
            self._roll_over(self._value)  # the tracker's clock moved past it between timers

    @callback
    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _recompute(self) -> None:
        self._cancel_timer()
        nights = self._store.nights
        self._nights = nights
        self._calibration_nights = self._learning.learning.calibration.nights
        tz = dt_util.get_default_time_zone()
        self._bedtime = usual_bedtime(nights, tz)
        self._calibration = self._learning.values(nights)
        self._value = None
        if self._bedtime is None:
            return
        clock = self.coordinator.clock
        now = clock.now()
        today = now.astimezone(tz).date()
        for offset in range(3):
            instant = local_instant(today + timedelta(days=offset), self._bedtime, tz)
            if instant > now:
                self._value = instant
                break
        if self._value is not None:
            self._timer = async_track_point_in_utc_time(
                self.hass, self._roll_over, clock.to_wall(self._value)
            )

    @callback
    def _roll_over(self, _now: datetime) -> None:
        self._timer = None
        self._recompute()
        self.async_write_ha_state()


# The bedroom -------------------------------------------------------------------------------

ROOM_LIVE: dict[RoomQuantity, SensorEntityDescription] = {
    RoomQuantity.TEMPERATURE: SensorEntityDescription(
        key="room_temperature",
        translation_key="room_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
    ),
    RoomQuantity.HUMIDITY: SensorEntityDescription(
        key="room_humidity",
        translation_key="room_humidity",
        device_class=SensorDeviceClass.HUMIDITY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
    ),
    RoomQuantity.LIGHT: SensorEntityDescription(
        key="room_light",
        translation_key="room_light",
        device_class=SensorDeviceClass.ILLUMINANCE,
        native_unit_of_measurement="lx",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
    ),
}
"""The room as the chosen sensors read it now."""

ROOM_LAST_NIGHT: dict[RoomQuantity, SensorEntityDescription] = {
    quantity: SensorEntityDescription(
        key=f"last_night_{live.key}",
        translation_key=f"last_night_{live.key}",
        device_class=live.device_class,
        native_unit_of_measurement=live.native_unit_of_measurement,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=live.suggested_display_precision,
    )
    for quantity, live in ROOM_LIVE.items()
}
"""The room while asleep last night: the mean, with minimum, maximum and the verdict."""


class RadarSleepRoomSensor(RadarSleepEntity, SensorEntity):
    """One of the bedroom's own sensors, shown on the tracker in the tracker's unit.

    Follows the source sensor's state changes (not the radar): unavailable while the source
    has no usable reading.
    """

    def __init__(
        self,
        coordinator: RadarSleepCoordinator,
        description: SensorEntityDescription,
        kind: RoomSensorKind,
        source: str,
    ) -> None:
        """Follow ``source``."""
        super().__init__(coordinator, description)
        self._kind = kind
        self._source = source
        self._value: float | None = None

    @property
    def available(self) -> bool:
        """Whether the source sensor has a usable reading."""
        return self._value is not None

    @property
    def native_value(self) -> float | None:
        """The source's reading in the tracker's unit."""
        return self._value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which Home Assistant sensor this follows."""
        return {"source": self._source}

    async def async_added_to_hass(self) -> None:
        """Read the source now and follow its changes."""
        await super().async_added_to_hass()
        self._read()
        self.async_on_remove(
            async_track_state_change_event(self.hass, self._source, self._source_changed)
        )

    @callback
    def _read(self) -> None:
        self._value = room_value(self._kind.quantity, self.hass.states.get(self._source))

    @callback
    def _source_changed(self, _event: Event[EventStateChangedData]) -> None:
        self._read()
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """The radar's updates change nothing here."""


def _insight(night: NightSummary | None, quantity: RoomQuantity) -> RoomInsight | None:
    if night is None:
        return None
    return next((i for i in room_insights(night) if i.quantity is quantity), None)


class RadarSleepLastNightRoomSensor(RadarSleepEntity, SensorEntity):
    """Last night's room while asleep: the mean; minimum, maximum and the verdict as attributes.

    The verdict (``in_range``, ``too_cold``, ``too_warm``, ``too_dry``, ``too_humid``,
    ``too_bright``) compares the mean with the range of :mod:`.sleep.room`, whose ends are the
    ``range_low`` and ``range_high`` attributes. Temperatures in the attributes are in the
    unit the sensor shows.
    """

    def __init__(
        self,
        coordinator: RadarSleepCoordinator,
        description: SensorEntityDescription,
        quantity: RoomQuantity,
    ) -> None:
        """Show ``quantity`` of the coordinator's last night."""
        super().__init__(coordinator, description)
        self._quantity = quantity

    @property
    def native_value(self) -> float | None:
        """Last night's mean while asleep (unknown when nothing was recorded)."""
        insight = _insight(self.coordinator.data.last_night, self._quantity)
        return None if insight is None else insight.mean

    def _shown(self, value: float | None) -> float | None:
        """``value`` in the unit the state is shown in (temperatures may be °F)."""
        if value is None or self._quantity is not RoomQuantity.TEMPERATURE:
            return value
        unit = self.unit_of_measurement or UnitOfTemperature.CELSIUS
        return round(TemperatureConverter.convert(value, UnitOfTemperature.CELSIUS, unit), 1)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Minimum, maximum, the verdict and its range, the night (and light at sleep onset)."""
        night = self.coordinator.data.last_night
        insight = _insight(night, self._quantity)
        if night is None or insight is None:
            return None
        attrs: dict[str, Any] = {
            "minimum": self._shown(insight.minimum),
            "maximum": self._shown(insight.maximum),
            "verdict": insight.verdict.value,
            "range_low": self._shown(insight.low),
            "range_high": self._shown(insight.high),
            "night": night.night.isoformat(),
        }
        if self._quantity is RoomQuantity.LIGHT:
            attrs["at_sleep_onset"] = insight.at_onset
        return attrs
