"""Sensors: the live sleep stage and breathing rate, last night's metrics, the next alarm.

Also the usual bedtime, from the stored nights.
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
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTime
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .alarm import RadarSleepAlarmEntity
from .alarm_core.schedule import local_instant
from .contracts import REASON_STAGE, NightSummary, SleepMetrics, SleepUpdate, Stage
from .coordinator import RadarSleepCoordinator, RadarSleepData
from .entity import RadarSleepEntity
from .runtime import RadarSleepConfigEntry
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
    return {"night": night_date.isoformat()}


def _stage_attrs(data: RadarSleepData) -> dict[str, Any]:
    update = data.update
    attrs: dict[str, Any] = {}
    if update.stage_probabilities is not None:
        attrs = {f"p_{s.label}": p for s, p in zip(Stage, update.stage_probabilities, strict=True)}
    if reason := update.reasons.get(REASON_STAGE):
        attrs["reason"] = reason
    return attrs


def _minutes(key: str, fn: Callable[[SleepMetrics], float | None]) -> RadarSleepSensorDescription:
    return RadarSleepSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_night(fn),
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
    _minutes("time_in_bed", lambda m: m.tib_min),
    _minutes("total_sleep_time", lambda m: m.tst_min),
    RadarSleepSensorDescription(
        key="sleep_efficiency",
        translation_key="sleep_efficiency",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_night(lambda m: m.se_pct),
        attrs_fn=_night_attrs,
    ),
    _minutes("sleep_onset_latency", lambda m: m.sol_min),
    _minutes("wake_after_sleep_onset", lambda m: m.waso_min),
    _minutes("light_sleep", lambda m: m.light_min),
    _minutes("deep_sleep", lambda m: m.deep_min),
    _minutes("rem_sleep", lambda m: m.rem_min),
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
    async_add_entities(
        [
            *(RadarSleepSensor(coordinator, d) for d in SENSORS),
            RadarSleepNextAlarmSensor(coordinator, runtime.alarm, NEXT_ALARM),
            RadarSleepUsualBedtimeSensor(coordinator, runtime.store, USUAL_BEDTIME),
        ]
    )


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


class RadarSleepUsualBedtimeSensor(RadarSleepEntity, SensorEntity):
    """The next time at the usual bedtime (for reminders: a time trigger with an offset)."""

    def __init__(
        self,
        coordinator: RadarSleepCoordinator,
        store: RadarSleepStore,
        description: SensorEntityDescription,
    ) -> None:
        """Start without a value; it is computed when added (from ``store``'s nights)."""
        super().__init__(coordinator, description)
        self._store = store
        self._nights: object = None
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
        """The usual bedtime as a time of day and how many nights it comes from."""
        return {
            "time": self._bedtime.isoformat() if self._bedtime else None,
            "nights": min(len(self._store.nights), USUAL_NIGHTS),
        }

    async def async_added_to_hass(self) -> None:
        """Compute the value, and cancel the roll-over timer on removal."""
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel_timer)
        self._recompute()

    @callback
    def _handle_coordinator_update(self) -> None:
        if self._store.nights is not self._nights:
            self._recompute()
            self.async_write_ha_state()

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
        tz = dt_util.get_default_time_zone()
        self._bedtime = usual_bedtime(nights, tz)
        self._value = None
        if self._bedtime is None:
            return
        now = dt_util.utcnow()
        today = now.astimezone(tz).date()
        for offset in range(3):
            instant = local_instant(today + timedelta(days=offset), self._bedtime, tz)
            if instant > now:
                self._value = instant
                break
        if self._value is not None:
            self._timer = async_track_point_in_utc_time(self.hass, self._roll_over, self._value)

    @callback
    def _roll_over(self, _now: datetime) -> None:
        self._timer = None
        self._recompute()
        self.async_write_ha_state()
