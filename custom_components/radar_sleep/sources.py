"""The frame sources a tracker can use, and everything the integration knows of each kind.

One :class:`SourceKind` per kind (``serial``, ``fmcw_replay``, ``entities``, ``simulator``):
the fields of its config-flow step, the check before a setting is accepted (a serial port is
listened to, a capture's header is read, the presence entity must exist), the config entry's
unique id, how its frame source is built and what that source can deliver.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import time
import os
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import dt as dt_util
import probatio

from .const import (
    CONF_BREATH_ENTITY,
    CONF_CAPTURE_PATH,
    CONF_DISTANCE_ENTITY,
    CONF_FAMILY,
    CONF_HEART_ENTITY,
    CONF_PARTNER,
    CONF_PET,
    CONF_PORT,
    CONF_PRESENCE_ENTITY,
    CONF_PRESENCE_THRESHOLD,
    CONF_RADAR_POSITION,
    CONF_SEED,
    CONF_SESSION_END_MINUTES,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_SPEED,
    DEFAULT_PRESENCE_THRESHOLD,
    DEFAULT_SESSION_END_MINUTES,
    DEFAULT_SPEED,
    DOMAIN,
    PROBE_SECONDS,
    SOURCE_ENTITIES,
    SOURCE_FMCW,
    SOURCE_SERIAL,
    SOURCE_SIMULATOR,
)
from .contracts import Capabilities, VitalsFrame
from .entities_source import CAPABILITIES as ENTITY_CAPABILITIES, EntitiesSource, EntityMap
from .radar.families import SERIAL_FAMILIES, capabilities_table, get_family
from .radar.probe import ProbeOutcome, probe_port
from .radar.serial_source import SerialSource
from .simulation.bedroom import SimulatorConfig
from .simulation.source import SIMULATOR_CAPABILITIES, SimulatorSource
from .sleep import PipelineConfig

SIMULATED_EVENING = time(23, 0)
"""When the simulated nights start, played faster than real time (the user enters the bed a
few minutes later): seed 1's sleeper wakes by themselves at about 06:20."""

type Errors = tuple[dict[str, str], dict[str, str]]
"""Form errors and their description placeholders (both empty when the setting works)."""


class FrameSource(Protocol):
    """Anything that yields frames (see ``simulation/source.py``)."""

    def frames(self) -> AsyncIterator[VitalsFrame]:
        """Yield frames in time order."""


@runtime_checkable
class ResumableSource(FrameSource, Protocol):
    """A source that can carry a night on from a given source time (the simulator)."""

    def resume_at(self, t: float) -> None:
        """Start the next iteration at source time ``t`` (its open epoch's start)."""


@runtime_checkable
class PacedSource(FrameSource, Protocol):
    """A source that plays simulated or recorded time at a chosen pace (the simulator, a replay).

    ``speed`` is source seconds per second of Home Assistant's clock (0: as fast as
    possible); the tracker's clock follows it (``clock.py``).
    """

    speed: float


@runtime_checkable
class ConnectionSource(FrameSource, Protocol):
    """A source that says when its device connects or goes away (a serial port)."""

    on_connection: Callable[[bool, str | None], None] | None


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceKind:
    """What the integration knows of one kind of frame source."""

    key: str
    """The value of ``source`` in the entry's data."""
    step_id: str
    """The config flow's step for the source's own settings."""
    schema: Callable[[HomeAssistant, dict[str, Any]], Awaitable[dict[Any, Any]]]
    """The step's fields, with ``defaults`` as their defaults."""
    validate: Callable[[HomeAssistant, dict[str, Any]], Awaitable[Errors]] | None
    """The check before the settings are accepted (``None``: nothing to check)."""
    form_placeholders: Callable[[], dict[str, str]] | None
    """The step's description placeholders before any check ran."""
    unique_id: Callable[[dict[str, Any]], str]
    """The config entry's unique id from its data."""
    build: Callable[[HomeAssistant, ConfigEntry], FrameSource]
    capabilities: Callable[[dict[str, Any]], Capabilities]
    """What the source can deliver, from the entry's data."""
    resumable: bool = True
    """Whether a night in progress carries on after a restart (a capture replay starts over)."""
    has_speed: bool = False
    """Whether the source plays recorded or simulated time at a chosen speed (an option)."""
    device_model: str | None = None
    """The tracker device's model (``None``: the kind's key)."""
    scene_starts_at: time | None = None
    """Local time at which source time 0 falls when the source plays faster than real time
    (``None``: when Home Assistant started): the simulated nights start in the evening."""

    @property
    def model(self) -> str:
        """The tracker device's model as the device registry shows it."""
        return self.device_model or self.key


def select(options: list[str], key: str, custom: bool = False) -> SelectSelector:
    """A selector of ``options`` translated under ``key``."""
    return SelectSelector(
        SelectSelectorConfig(
            options=options,
            translation_key=key,
            mode=SelectSelectorMode.DROPDOWN if custom else SelectSelectorMode.LIST,
            custom_value=custom,
        )
    )


def resolve_capture_path(config_dir: str, path: str) -> Path:
    """A capture path as given (absolute, or relative to Home Assistant's config folder)."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else Path(config_dir) / candidate


def pipeline_config(entry: ConfigEntry) -> PipelineConfig:
    """The pipeline's settings from the entry's data and options."""
    return PipelineConfig(
        stages_available=source_kind(entry.data).capabilities(dict(entry.data)).can_stage_sleep,
        side=entry.data[CONF_SIDE],
        radar_position=entry.data[CONF_RADAR_POSITION],
        presence_threshold=float(
            entry.options.get(CONF_PRESENCE_THRESHOLD, DEFAULT_PRESENCE_THRESHOLD)
        ),
        learn_presence_threshold=float(
            entry.options.get(CONF_PRESENCE_THRESHOLD, DEFAULT_PRESENCE_THRESHOLD)
        )
        == DEFAULT_PRESENCE_THRESHOLD,
        session_end_minutes=float(
            entry.options.get(CONF_SESSION_END_MINUTES, DEFAULT_SESSION_END_MINUTES)
        ),
        time_zone=dt_util.get_default_time_zone(),
    )


# Serial radar ---------------------------------------------------------------------------------


async def _list_ports() -> list[str]:
    """Serial ports, by-id paths first (stable across reboots)."""
    import serialx  # noqa: PLC0415 - loads platform backends

    ports = await serialx.async_list_serial_ports()
    return sorted({p.device for p in ports}, key=lambda d: ("/by-id/" not in d, d))


async def _serial_schema(hass: HomeAssistant, defaults: dict[str, Any]) -> dict[Any, Any]:
    ports = await _list_ports()
    port_default = defaults.get(CONF_PORT) or (ports[0] if ports else "")
    return {
        probatio.Required(CONF_FAMILY, default=defaults.get(CONF_FAMILY, "mr60bha2")): select(
            list(SERIAL_FAMILIES), CONF_FAMILY
        ),
        probatio.Required(CONF_PORT, default=port_default): SelectSelector(
            SelectSelectorConfig(options=ports, custom_value=True, mode=SelectSelectorMode.DROPDOWN)
        ),
    }


async def _probe_errors(hass: HomeAssistant, data: dict[str, Any]) -> Errors:
    """Listen to the port for the family's frames."""
    result = await probe_port(data[CONF_PORT], data[CONF_FAMILY], PROBE_SECONDS)
    if result.outcome is ProbeOutcome.OK:
        return {}, {}
    placeholders = {
        "port": str(data[CONF_PORT]),
        "family": str(data[CONF_FAMILY]),
        "detected": result.detected_family or "",
        "bytes": str(result.bytes_seen),
        "error": result.error or "",
    }
    return {"base": str(result.outcome)}, placeholders


def _same_device(ports: list[str], port: str) -> int | None:
    """Index of the port in ``ports`` that is the device ``port`` names (executor).

    Device paths are compared where they lead (``/dev/serial/by-id/...`` links to the
    ``/dev/ttyUSB0`` it names); URLs of network bridges as written, the host in lower case.
    """

    def key(name: str) -> str:
        if "://" in name:
            scheme, _, rest = name.partition("://")
            return f"{scheme.lower()}://{rest.lower()}"
        return os.path.realpath(name)

    wanted = key(port)
    return next((i for i, other in enumerate(ports) if key(other) == wanted), None)


async def async_port_user(
    hass: HomeAssistant, port: str, exclude: str | None = None
) -> ConfigEntry | None:
    """The tracker (other than ``exclude``) already reading the device ``port`` names.

    A radar feeds one tracker: a second one on the same port would take half of its bytes.
    """
    entries = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=False)
        if entry.entry_id != exclude and entry.data.get(CONF_SOURCE) == SOURCE_SERIAL
    ]
    if not entries:
        return None
    ports = [str(entry.data[CONF_PORT]) for entry in entries]
    found = await hass.async_add_executor_job(_same_device, ports, port)
    return None if found is None else entries[found]


def _build_serial(hass: HomeAssistant, entry: ConfigEntry) -> FrameSource:
    return SerialSource(entry.data[CONF_FAMILY], entry.data[CONF_PORT])


SERIAL = SourceKind(
    key=SOURCE_SERIAL,
    step_id="serial",
    schema=_serial_schema,
    validate=_probe_errors,
    form_placeholders=lambda: {"capabilities": capabilities_table()},
    unique_id=lambda data: f"{SOURCE_SERIAL}_{data[CONF_PORT]}",
    build=_build_serial,
    capabilities=lambda data: get_family(data[CONF_FAMILY]).capabilities,
)


# Raw-FMCW capture replay ----------------------------------------------------------------------


async def _fmcw_schema(hass: HomeAssistant, defaults: dict[str, Any]) -> dict[Any, Any]:
    return {
        probatio.Required(
            CONF_CAPTURE_PATH, default=defaults.get(CONF_CAPTURE_PATH, "")
        ): TextSelector(),
    }


def _check_capture(path: Path) -> tuple[str | None, str]:
    """Read a capture's header (executor): an error key and its detail, or ``None``.

    A capture is a ``.npz`` file or a folder recorded by Infineon's Radar SDK, ifxdaq or Radar
    Fusion GUI (``radar/fmcw/infineon.py``).
    """
    from .radar.fmcw.capture import (  # noqa: PLC0415 - numpy DSP module
        CaptureError,
        load_capture_config,
    )

    if not path.exists():
        return "capture_not_found", ""
    try:
        load_capture_config(path)
    except (OSError, CaptureError) as err:
        return "bad_capture", str(err) or type(err).__name__
    return None, ""


async def _capture_errors(hass: HomeAssistant, data: dict[str, Any]) -> Errors:
    path = resolve_capture_path(hass.config.config_dir, str(data[CONF_CAPTURE_PATH]))
    error, detail = await hass.async_add_executor_job(_check_capture, path)
    if error is None:
        return {}, {}
    return {CONF_CAPTURE_PATH: error}, {"path": str(path), "error": detail}


def _build_fmcw(hass: HomeAssistant, entry: ConfigEntry) -> FrameSource:
    from .radar.fmcw.replay import FmcwReplaySource  # noqa: PLC0415 - numpy DSP module

    path = resolve_capture_path(hass.config.config_dir, entry.data[CONF_CAPTURE_PATH])
    return FmcwReplaySource(path, speed=float(entry.options.get(CONF_SPEED, 1.0)))


FMCW_REPLAY = SourceKind(
    key=SOURCE_FMCW,
    step_id="fmcw",
    schema=_fmcw_schema,
    validate=_capture_errors,
    form_placeholders=lambda: {"path": "", "error": ""},
    unique_id=lambda data: f"{SOURCE_FMCW}_{data[CONF_CAPTURE_PATH]}",
    build=_build_fmcw,
    capabilities=lambda data: get_family("fmcw").capabilities,
    resumable=False,
    has_speed=True,
)


# Home Assistant entities (degraded mode) ------------------------------------------------------


async def _entities_schema(hass: HomeAssistant, defaults: dict[str, Any]) -> dict[Any, Any]:
    def optional(key: str, domain: str) -> dict[Any, Any]:
        marker = (
            probatio.Optional(key, default=defaults[key])
            if defaults.get(key)
            else probatio.Optional(key)
        )
        return {marker: EntitySelector(EntitySelectorConfig(domain=domain))}

    return {
        probatio.Required(
            CONF_PRESENCE_ENTITY, default=defaults.get(CONF_PRESENCE_ENTITY)
        ): EntitySelector(EntitySelectorConfig(domain="binary_sensor")),
        **optional(CONF_BREATH_ENTITY, "sensor"),
        **optional(CONF_HEART_ENTITY, "sensor"),
        **optional(CONF_DISTANCE_ENTITY, "sensor"),
    }


async def _entities_errors(hass: HomeAssistant, data: dict[str, Any]) -> Errors:
    if hass.states.get(data[CONF_PRESENCE_ENTITY]) is None:
        return {CONF_PRESENCE_ENTITY: "entity_not_found"}, {}
    return {}, {}


def _build_entities(hass: HomeAssistant, entry: ConfigEntry) -> FrameSource:
    zone = pipeline_config(entry).zone
    return EntitiesSource(
        hass,
        EntityMap(
            presence=entry.data[CONF_PRESENCE_ENTITY],
            breath_rate=entry.data.get(CONF_BREATH_ENTITY),
            heart_rate=entry.data.get(CONF_HEART_ENTITY),
            distance=entry.data.get(CONF_DISTANCE_ENTITY),
        ),
        user_distance_m=(zone.min_distance_m + zone.max_distance_m) / 2,
    )


ENTITIES = SourceKind(
    key=SOURCE_ENTITIES,
    step_id="entities",
    schema=_entities_schema,
    validate=_entities_errors,
    form_placeholders=None,
    unique_id=lambda data: f"{SOURCE_ENTITIES}_{data[CONF_PRESENCE_ENTITY]}",
    build=_build_entities,
    capabilities=lambda data: ENTITY_CAPABILITIES,
)


# Simulated bedroom ----------------------------------------------------------------------------


async def _simulator_schema(hass: HomeAssistant, defaults: dict[str, Any]) -> dict[Any, Any]:
    return {
        probatio.Required(CONF_SEED, default=defaults.get(CONF_SEED, 1)): probatio.All(
            NumberSelector(
                NumberSelectorConfig(min=0, max=1_000_000, step=1, mode=NumberSelectorMode.BOX)
            ),
            probatio.Coerce(int),
        ),
        probatio.Required(CONF_PARTNER, default=defaults.get(CONF_PARTNER, True)): (
            BooleanSelector()
        ),
        probatio.Required(CONF_PET, default=defaults.get(CONF_PET, False)): BooleanSelector(),
    }


def _build_simulator(hass: HomeAssistant, entry: ConfigEntry) -> FrameSource:
    config = SimulatorConfig(
        seed=int(entry.data[CONF_SEED]),
        user_side=entry.data[CONF_SIDE],
        radar_position=entry.data[CONF_RADAR_POSITION],
        partner=bool(entry.data[CONF_PARTNER]),
        pet=bool(entry.data[CONF_PET]),
    )
    return SimulatorSource(config, speed=float(entry.options.get(CONF_SPEED, DEFAULT_SPEED)))


SIMULATOR = SourceKind(
    key=SOURCE_SIMULATOR,
    step_id="simulator",
    schema=_simulator_schema,
    validate=None,
    form_placeholders=None,
    unique_id=lambda data: f"{SOURCE_SIMULATOR}_{data[CONF_SEED]}",
    build=_build_simulator,
    capabilities=lambda data: SIMULATOR_CAPABILITIES,
    has_speed=True,
    device_model="Simulated bedroom",
    scene_starts_at=SIMULATED_EVENING,
)


SOURCE_KINDS: dict[str, SourceKind] = {
    kind.key: kind for kind in (SERIAL, FMCW_REPLAY, ENTITIES, SIMULATOR)
}
"""Every kind, in the order the config flow offers them."""


def source_kind(data: Any) -> SourceKind:
    """The kind of the source an entry's (or a flow's) data describes."""
    return SOURCE_KINDS[data[CONF_SOURCE]]


def build_source(hass: HomeAssistant, entry: ConfigEntry) -> FrameSource:
    """The entry's frame source."""
    return source_kind(entry.data).build(hass, entry)
