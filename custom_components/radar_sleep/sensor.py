"""Sensors: the live sleep stage and breathing rate, and last night's metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .contracts import NightSummary, SleepMetrics, SleepUpdate, Stage
from .coordinator import RadarSleepConfigEntry, RadarSleepData
from .entity import RadarSleepEntity

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
    if reason := update.reasons.get("stage"):
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
    async_add_entities(RadarSleepSensor(entry.runtime_data, d) for d in SENSORS)


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
