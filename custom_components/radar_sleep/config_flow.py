"""Config flow: choose a source, the bed side and the radar's place; options and reconfigure.

Sources: a UART radar (serial port or ``socket://`` bridge, tested before it is accepted), a
recorded raw-FMCW capture (checked before it is accepted), existing Home Assistant entities
(degraded mode), or the simulated bedroom.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, override
import zipfile

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
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
    TextSelectorConfig,
)
from homeassistant.helpers.service_info.usb import UsbServiceInfo
import probatio

from .const import (
    CONF_BREATH_ENTITY,
    CONF_CAPTURE_PATH,
    CONF_DISTANCE_ENTITY,
    CONF_FAMILY,
    CONF_HEART_ENTITY,
    CONF_HISTORY_NIGHTS,
    CONF_LIGHTS,
    CONF_MEDIA_CONTENT_ID,
    CONF_MEDIA_CONTENT_TYPE,
    CONF_MEDIA_PLAYERS,
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
    CONF_SUNRISE_LEAD,
    CONF_TTS_ENTITY,
    CONF_TTS_MESSAGE,
    CONF_VOLUME_END,
    CONF_VOLUME_RAMP,
    CONF_VOLUME_START,
    CONF_WAKE_UP,
    DEFAULT_HISTORY_NIGHTS,
    DEFAULT_MEDIA_CONTENT_TYPE,
    DEFAULT_PRESENCE_THRESHOLD,
    DEFAULT_SESSION_END_MINUTES,
    DEFAULT_SPEED,
    DEFAULT_SUNRISE_LEAD,
    DEFAULT_VOLUME_END,
    DEFAULT_VOLUME_RAMP,
    DEFAULT_VOLUME_START,
    DOMAIN,
    PROBE_SECONDS,
    RADAR_POSITIONS,
    SIDES,
    SOURCE_ENTITIES,
    SOURCE_FMCW,
    SOURCE_SERIAL,
    SOURCE_SIMULATOR,
    SOURCES,
)
from .coordinator import resolve_capture_path
from .radar.families import SERIAL_FAMILIES, capabilities_table
from .radar.probe import ProbeOutcome, probe_port


def _select(options: list[str], key: str, custom: bool = False) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options,
            translation_key=key,
            mode=SelectSelectorMode.DROPDOWN if custom else SelectSelectorMode.LIST,
            custom_value=custom,
        )
    )


def _bed_schema(defaults: dict[str, Any]) -> dict[Any, Any]:
    return {
        probatio.Required(CONF_SIDE, default=defaults.get(CONF_SIDE, "left")): _select(
            SIDES, CONF_SIDE
        ),
        probatio.Required(
            CONF_RADAR_POSITION, default=defaults.get(CONF_RADAR_POSITION, "left_table")
        ): _select(RADAR_POSITIONS, CONF_RADAR_POSITION),
    }


def _simulator_schema(defaults: dict[str, Any]) -> dict[Any, Any]:
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


def _serial_schema(defaults: dict[str, Any], ports: list[str]) -> dict[Any, Any]:
    port_default = defaults.get(CONF_PORT) or (ports[0] if ports else "")
    return {
        probatio.Required(CONF_FAMILY, default=defaults.get(CONF_FAMILY, "mr60bha2")): _select(
            list(SERIAL_FAMILIES), CONF_FAMILY
        ),
        probatio.Required(CONF_PORT, default=port_default): SelectSelector(
            SelectSelectorConfig(options=ports, custom_value=True, mode=SelectSelectorMode.DROPDOWN)
        ),
    }


def _entities_schema(defaults: dict[str, Any]) -> dict[Any, Any]:
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


def _fmcw_schema(defaults: dict[str, Any]) -> dict[Any, Any]:
    return {
        probatio.Required(
            CONF_CAPTURE_PATH, default=defaults.get(CONF_CAPTURE_PATH, "")
        ): TextSelector(),
    }


def _optional(key: str, current: dict[str, Any]) -> probatio.Optional:
    """An optional field that shows its current value (if any) as the suggestion."""
    if current.get(key) not in (None, "", []):
        return probatio.Optional(key, description={"suggested_value": current[key]})
    return probatio.Optional(key)


def _minutes(low: float, high: float, step: float = 1, unit: str = "min") -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=low, max=high, step=step, unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )


def _wake_up_schema(current: dict[str, Any]) -> probatio.Schema:
    """The wake-up light and speaker (options section ``wake_up``)."""
    return probatio.Schema(
        {
            _optional(CONF_LIGHTS, current): EntitySelector(
                EntitySelectorConfig(domain="light", multiple=True)
            ),
            probatio.Optional(
                CONF_SUNRISE_LEAD, default=current.get(CONF_SUNRISE_LEAD, DEFAULT_SUNRISE_LEAD)
            ): probatio.All(_minutes(-60, 60), probatio.Coerce(int)),
            _optional(CONF_MEDIA_PLAYERS, current): EntitySelector(
                EntitySelectorConfig(domain="media_player", multiple=True)
            ),
            _optional(CONF_MEDIA_CONTENT_ID, current): TextSelector(),
            probatio.Optional(
                CONF_MEDIA_CONTENT_TYPE,
                default=current.get(CONF_MEDIA_CONTENT_TYPE, DEFAULT_MEDIA_CONTENT_TYPE),
            ): TextSelector(),
            _optional(CONF_TTS_ENTITY, current): EntitySelector(EntitySelectorConfig(domain="tts")),
            _optional(CONF_TTS_MESSAGE, current): TextSelector(TextSelectorConfig(multiline=True)),
            probatio.Optional(
                CONF_VOLUME_START, default=current.get(CONF_VOLUME_START, DEFAULT_VOLUME_START)
            ): probatio.All(_minutes(0, 100, unit="%"), probatio.Coerce(int)),
            probatio.Optional(
                CONF_VOLUME_END, default=current.get(CONF_VOLUME_END, DEFAULT_VOLUME_END)
            ): probatio.All(_minutes(0, 100, unit="%"), probatio.Coerce(int)),
            probatio.Optional(
                CONF_VOLUME_RAMP, default=current.get(CONF_VOLUME_RAMP, DEFAULT_VOLUME_RAMP)
            ): probatio.All(_minutes(0, 1800, unit="s"), probatio.Coerce(int)),
        }
    )


def _unique_id(data: dict[str, Any]) -> str:
    source = data[CONF_SOURCE]
    if source == SOURCE_SERIAL:
        return f"{SOURCE_SERIAL}_{data[CONF_PORT]}"
    if source == SOURCE_FMCW:
        return f"{SOURCE_FMCW}_{data[CONF_CAPTURE_PATH]}"
    if source == SOURCE_ENTITIES:
        return f"{SOURCE_ENTITIES}_{data[CONF_PRESENCE_ENTITY]}"
    return f"{SOURCE_SIMULATOR}_{data[CONF_SEED]}"


async def _list_ports() -> list[str]:
    """Serial ports, by-id paths first (stable across reboots)."""
    import serialx  # noqa: PLC0415 - loads platform backends

    ports = await serialx.async_list_serial_ports()
    return sorted({p.device for p in ports}, key=lambda d: ("/by-id/" not in d, d))


async def _probe_errors(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Test the port; errors and their description placeholders (empty when it works)."""
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


def _check_capture(path: Path) -> tuple[str | None, str]:
    """Read a capture's header (executor): an error key and its detail, or ``None``."""
    from .radar.fmcw.capture import load_capture_config  # noqa: PLC0415 - numpy DSP module

    if not path.is_file():
        return "capture_not_found", ""
    try:
        load_capture_config(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
        return "bad_capture", str(err) or type(err).__name__
    return None, ""


class RadarSleepConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a Radar Sleep tracker (one per person and radar)."""

    VERSION = 1

    def __init__(self) -> None:
        """Start an empty flow."""
        self._data: dict[str, Any] = {}
        self._title = "Bedroom"

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> RadarSleepOptionsFlow:
        """Options of an existing tracker."""
        return RadarSleepOptionsFlow()

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the tracker, pick the source and describe the bed."""
        if user_input is not None:
            self._title = user_input.pop(CONF_NAME)
            self._data = {**self._data, **user_input}
            if self._data[CONF_SOURCE] == SOURCE_SERIAL:
                return await self.async_step_serial()
            if self._data[CONF_SOURCE] == SOURCE_ENTITIES:
                return await self.async_step_entities()
            if self._data[CONF_SOURCE] == SOURCE_FMCW:
                return await self.async_step_fmcw()
            return await self.async_step_simulator()
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_NAME, default=self._title): TextSelector(),
                    probatio.Required(
                        CONF_SOURCE, default=self._data.get(CONF_SOURCE, SOURCE_SERIAL)
                    ): _select(SOURCES, CONF_SOURCE),
                    **_bed_schema(self._data),
                }
            ),
        )

    async def _async_finish(self, extra: dict[str, Any]) -> ConfigFlowResult:
        data = {**self._data, **extra}
        await self.async_set_unique_id(_unique_id(data), raise_on_progress=False)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title=self._title, data=data)

    async def async_step_serial(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the device family and port; listen for its frames before accepting."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = await _probe_errors(user_input)
            if not errors:
                return await self._async_finish(user_input)
        return self.async_show_form(
            step_id="serial",
            data_schema=probatio.Schema(
                _serial_schema({**self._data, **(user_input or {})}, await _list_ports())
            ),
            errors=errors,
            description_placeholders={"capabilities": capabilities_table(), **placeholders},
        )

    async def _capture_errors(self, data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        path = resolve_capture_path(self.hass.config.config_dir, str(data[CONF_CAPTURE_PATH]))
        error, detail = await self.hass.async_add_executor_job(_check_capture, path)
        if error is None:
            return {}, {}
        return {CONF_CAPTURE_PATH: error}, {"path": str(path), "error": detail}

    async def async_step_fmcw(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Replay a raw-FMCW capture (``.npz``) through the radar signal processing."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"path": "", "error": ""}
        if user_input is not None:
            errors, found = await self._capture_errors(user_input)
            placeholders |= found
            if not errors:
                return await self._async_finish(user_input)
        return self.async_show_form(
            step_id="fmcw",
            data_schema=probatio.Schema(_fmcw_schema(user_input or {})),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Use a radar that is already in Home Assistant (degraded mode: no stages)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if self.hass.states.get(user_input[CONF_PRESENCE_ENTITY]) is None:
                errors[CONF_PRESENCE_ENTITY] = "entity_not_found"
            else:
                return await self._async_finish(user_input)
        return self.async_show_form(
            step_id="entities",
            data_schema=probatio.Schema(_entities_schema(user_input or {})),
            errors=errors,
        )

    async def async_step_simulator(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Describe the simulated bedroom."""
        if user_input is not None:
            return await self._async_finish(user_input)
        return self.async_show_form(
            step_id="simulator", data_schema=probatio.Schema(_simulator_schema({}))
        )

    async def async_step_usb(self, discovery_info: UsbServiceInfo) -> ConfigFlowResult:
        """A USB-UART bridge was plugged in: offer to set it up as a radar."""
        await self.async_set_unique_id(
            f"{SOURCE_SERIAL}_{discovery_info.device}", raise_on_progress=True
        )
        self._abort_if_unique_id_configured()
        self._data = {CONF_SOURCE: SOURCE_SERIAL, CONF_PORT: discovery_info.device}
        self.context["title_placeholders"] = {
            "name": discovery_info.description or discovery_info.device
        }
        return await self.async_step_user()

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create a tracker from YAML (development and demo setups)."""
        data = dict(import_data)
        self._title = data.pop(CONF_NAME)
        speed = data.pop(CONF_SPEED, DEFAULT_SPEED)
        await self.async_set_unique_id(_unique_id(data))
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title=self._title, data=data, options={CONF_SPEED: speed})

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the bed side, the radar's place and the source's settings."""
        entry = self._get_reconfigure_entry()
        source = entry.data[CONF_SOURCE]
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            if source == SOURCE_SERIAL:
                errors, placeholders = await _probe_errors(data)
            elif source == SOURCE_FMCW:
                errors, placeholders = await self._capture_errors(data)
            elif (
                source == SOURCE_ENTITIES
                and self.hass.states.get(data[CONF_PRESENCE_ENTITY]) is None
            ):
                errors[CONF_PRESENCE_ENTITY] = "entity_not_found"
            if not errors:
                await self.async_set_unique_id(_unique_id(data))
                if self.unique_id != entry.unique_id:
                    self._abort_if_unique_id_configured()
                return self.async_update_reload_and_abort(
                    entry, unique_id=self.unique_id, data_updates=user_input
                )
        current = {**entry.data, **(user_input or {})}
        schema = _bed_schema(current)
        if source == SOURCE_SERIAL:
            schema |= _serial_schema(current, await _list_ports())
        elif source == SOURCE_ENTITIES:
            schema |= _entities_schema(current)
        elif source == SOURCE_FMCW:
            schema |= _fmcw_schema(current)
        else:
            schema |= _simulator_schema(current)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=probatio.Schema(schema),
            errors=errors,
            description_placeholders={
                "port": "",
                "family": "",
                "detected": "",
                "bytes": "",
                "error": "",
                "path": "",
                **placeholders,
            },
        )


class RadarSleepOptionsFlow(OptionsFlowWithReload):
    """Tune detection, the simulator's speed, and the alarm's wake-up light and speaker.

    The wake-up options are a collapsed section, ``wake_up`` (a nested dict in the options).
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and save the options."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        options = self.config_entry.options
        schema: dict[Any, Any] = {
            probatio.Required(
                CONF_SESSION_END_MINUTES,
                default=options.get(CONF_SESSION_END_MINUTES, DEFAULT_SESSION_END_MINUTES),
            ): probatio.All(
                NumberSelector(
                    NumberSelectorConfig(
                        min=5,
                        max=120,
                        step=1,
                        unit_of_measurement="min",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                probatio.Coerce(int),
            ),
            probatio.Required(
                CONF_PRESENCE_THRESHOLD,
                default=options.get(CONF_PRESENCE_THRESHOLD, DEFAULT_PRESENCE_THRESHOLD),
            ): NumberSelector(
                NumberSelectorConfig(min=0.1, max=0.9, step=0.05, mode=NumberSelectorMode.SLIDER)
            ),
            probatio.Required(
                CONF_HISTORY_NIGHTS,
                default=options.get(CONF_HISTORY_NIGHTS, DEFAULT_HISTORY_NIGHTS),
            ): probatio.All(
                NumberSelector(
                    NumberSelectorConfig(min=1, max=3650, step=1, mode=NumberSelectorMode.BOX)
                ),
                probatio.Coerce(int),
            ),
        }
        if self.config_entry.data[CONF_SOURCE] in (SOURCE_SIMULATOR, SOURCE_FMCW):
            schema[
                probatio.Required(CONF_SPEED, default=options.get(CONF_SPEED, DEFAULT_SPEED))
            ] = NumberSelector(
                NumberSelectorConfig(min=0, max=3600, step=1, mode=NumberSelectorMode.BOX)
            )
        schema[probatio.Optional(CONF_WAKE_UP)] = section(
            _wake_up_schema(dict(options.get(CONF_WAKE_UP) or {})), {"collapsed": True}
        )
        return self.async_show_form(step_id="init", data_schema=probatio.Schema(schema))
