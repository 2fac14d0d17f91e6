"""Config flow: choose a source, the bed side and the radar's place; options and reconfigure.

Sources: a UART radar (serial port or ``socket://`` bridge, tested before it is accepted), a
recorded raw-FMCW capture (checked before it is accepted), existing Home Assistant entities
(degraded mode), or the simulated bedroom.
"""

from __future__ import annotations

import itertools
from typing import Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_NAME, UnitOfTemperature
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
from homeassistant.helpers.service_info.usb import UsbServiceInfo
import probatio

from .const import (
    CONF_AUTOMATIC,
    CONF_CHECK_ALARM,
    CONF_CLIMATE_ENTITY,
    CONF_COVERS,
    CONF_HISTORY_NIGHTS,
    CONF_HUNCHES,
    CONF_LIGHTS,
    CONF_LOCKS,
    CONF_MEDIA_CONTENT_ID,
    CONF_MEDIA_CONTENT_TYPE,
    CONF_MEDIA_PLAYERS,
    CONF_NOTIFY_SERVICE,
    CONF_OPENINGS,
    CONF_PORT,
    CONF_PRESENCE_THRESHOLD,
    CONF_RADAR_POSITION,
    CONF_ROOM,
    CONF_SEED,
    CONF_SESSION_END_MINUTES,
    CONF_SIDE,
    CONF_SLEEP_TEMPERATURE,
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
    RADAR_POSITIONS,
    SIDES,
    SOURCE_SERIAL,
)
from .room_sensors import ROOM_SENSOR_KINDS
from .sleep.hunches import ACTIONABLE, HunchKind
from .sources import (
    ENTITIES,
    FMCW_REPLAY,
    SERIAL,
    SIMULATOR,
    SOURCE_KINDS,
    Errors,
    SourceKind,
    async_port_user,
    select,
    source_kind,
)


def _as_sent(value: Any) -> Any:
    """Any value: the step checks it (the field's selector keeps drawing the field)."""
    return value


class _AcceptingSection(section):
    """A section of the form: its fields accept any value, and so does the section itself.

    A value that is not a mapping of the section's fields passes as sent, for the step to
    refuse in a translated error.
    """

    @override
    def __call__(self, value: Any) -> Any:
        try:
            return self.schema(value)
        except probatio.Invalid:
            return value


def _accepting(schema: probatio.Schema) -> probatio.Schema:
    """``schema`` as the form's schema: each field shown by its selector, any value let through.

    Home Assistant checks a submitted form against the form's schema before the step runs
    and refuses it with an untranslated message. Each field here tries its selector (which
    draws the field and converts what it accepts) and otherwise passes the value on as sent;
    the step then checks it against ``schema`` itself (:func:`_check`) and names the field
    in a translated error.
    """
    fields: dict[Any, Any] = {}
    for key, value in schema.schema.items():
        if isinstance(value, section):
            fields[key] = _AcceptingSection(_accepting(value.schema), value.options)
        else:
            fields[key] = probatio.Any(value, _as_sent)
    return probatio.Schema(fields)


def _check(
    schema: probatio.Schema, user_input: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's values checked against ``schema``, or the error of each field refused.

    A field's error is ``invalid_<field>``; a field inside a section is reported on the
    section (the frontend shows section errors above the section), still by its own key.
    """
    try:
        return schema(user_input), {}
    except probatio.Invalid as err:
        refused = err.errors if isinstance(err, probatio.MultipleInvalid) else [err]
        errors: dict[str, str] = {}
        for error in refused:
            path = [str(part) for part in error.path if isinstance(part, str)]
            if not path:
                errors["base"] = "invalid_input"
                continue
            inner = _section_fields(schema, path[0])
            field = path[1] if len(path) > 1 and path[1] in inner else path[0]
            errors.setdefault(path[0], f"invalid_{field}")
        return user_input, errors


def _section_fields(schema: probatio.Schema, key: str) -> set[str]:
    """The field names of the section ``key`` of ``schema`` (none if it is not a section)."""
    for marker, value in schema.schema.items():
        if str(marker) == key and isinstance(value, section):
            return {str(k) for k in value.schema.schema}
    return set()


def _form(
    flow: ConfigFlow | OptionsFlowWithReload,
    schema: probatio.Schema,
    user_input: dict[str, Any] | None,
) -> probatio.Schema:
    """The form to show again: the values sent as suggestions, any value let through."""
    if user_input:
        sent = {
            key: value
            for key, value in user_input.items()
            if isinstance(value, dict) or not _section_fields(schema, key)
        }
        schema = flow.add_suggested_values_to_schema(schema, sent)
    return _accepting(schema)


def _bed_schema(defaults: dict[str, Any]) -> dict[Any, Any]:
    return {
        probatio.Required(CONF_SIDE, default=defaults.get(CONF_SIDE, "left")): select(
            SIDES, CONF_SIDE
        ),
        probatio.Required(
            CONF_RADAR_POSITION, default=defaults.get(CONF_RADAR_POSITION, "left_table")
        ): select(RADAR_POSITIONS, CONF_RADAR_POSITION),
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


def _room_schema(current: dict[str, Any]) -> probatio.Schema:
    """The bedroom's temperature, humidity and illuminance sensors (section ``room``).

    Each is optional: any sensor of its device class; an emptied field removes it.
    """
    return probatio.Schema(
        {
            _optional(kind.option, current): EntitySelector(
                EntitySelectorConfig(domain="sensor", device_class=kind.device_class)
            )
            for kind in ROOM_SENSOR_KINDS
        }
    )


def _room_section(current: dict[str, Any]) -> section:
    return section(_room_schema(current), {"collapsed": True})


OPENING_DEVICE_CLASSES = ["door", "garage_door", "opening", "window"]
"""The binary sensors offered as doors and windows."""
_NOT_PHONES = frozenset({"notify", "send_message", "persistent_notification"})
"""Notify actions that cannot carry a notification's buttons."""


def _notify_options(hass: HomeAssistant, current: str | None) -> list[SelectOptionDict]:
    """The legacy notify actions (``notify.mobile_app_<phone>``: the ones with buttons)."""
    names = {n for n in hass.services.async_services_for_domain("notify") if n not in _NOT_PHONES}
    if current:
        names.add(current.removeprefix("notify."))
    return [SelectOptionDict(value=n, label=f"notify.{n}") for n in sorted(names)]


def _notify_exists(hass: HomeAssistant, options: dict[str, Any]) -> bool:
    """Whether the hunches' phone notify action, if one is chosen, exists.

    A typed name that is not an action of Home Assistant would keep every suggestion off the
    phone, with nothing but a line in the log to say so.
    """
    name = (options.get(CONF_HUNCHES) or {}).get(CONF_NOTIFY_SERVICE)
    return not name or hass.services.has_service("notify", str(name).removeprefix("notify."))


def _hunches_schema(hass: HomeAssistant, current: dict[str, Any]) -> probatio.Schema:
    """What is looked at bedtime, what is done automatically, where to ask (``hunches``)."""
    celsius = hass.config.units.temperature_unit == UnitOfTemperature.CELSIUS
    low, high = (10, 30) if celsius else (50, 86)

    def entities(key: str, domain: str, device_class: list[str] | None = None) -> dict[Any, Any]:
        config = EntitySelectorConfig(domain=domain, multiple=True)
        if device_class is not None:
            config["device_class"] = device_class
        return {_optional(key, current): EntitySelector(config)}

    return probatio.Schema(
        {
            **entities(CONF_LIGHTS, "light"),
            **entities(CONF_MEDIA_PLAYERS, "media_player"),
            **entities(CONF_LOCKS, "lock"),
            **entities(CONF_COVERS, "cover"),
            **entities(CONF_OPENINGS, "binary_sensor", device_class=OPENING_DEVICE_CLASSES),
            _optional(CONF_CLIMATE_ENTITY, current): EntitySelector(
                EntitySelectorConfig(domain="climate")
            ),
            _optional(CONF_SLEEP_TEMPERATURE, current): NumberSelector(
                NumberSelectorConfig(
                    min=low,
                    max=high,
                    step=0.5,
                    unit_of_measurement=hass.config.units.temperature_unit,
                    mode=NumberSelectorMode.BOX,
                )
            ),
            probatio.Optional(
                CONF_CHECK_ALARM, default=bool(current.get(CONF_CHECK_ALARM, False))
            ): BooleanSelector(),
            _optional(CONF_AUTOMATIC, current): SelectSelector(
                SelectSelectorConfig(
                    options=[k.value for k in HunchKind if k in ACTIONABLE],
                    translation_key="hunch_kind",
                    multiple=True,
                    mode=SelectSelectorMode.LIST,
                )
            ),
            _optional(CONF_NOTIFY_SERVICE, current): SelectSelector(
                SelectSelectorConfig(
                    options=_notify_options(hass, current.get(CONF_NOTIFY_SERVICE)),
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
        }
    )


class RadarSleepConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a Radar Sleep tracker (one per person and radar)."""

    VERSION = 1

    def __init__(self) -> None:
        """Start an empty flow."""
        self._data: dict[str, Any] = {}
        self._room: dict[str, Any] = {}
        self._title = "Bedroom"

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> RadarSleepOptionsFlow:
        """Options of an existing tracker."""
        return RadarSleepOptionsFlow()

    def _name_in_use(self, name: str) -> bool:
        """Whether another tracker has this name (its entity ids and Assist go by the name)."""
        wanted = name.strip().casefold()
        return any(
            entry.title.strip().casefold() == wanted
            for entry in self._async_current_entries(include_ignore=False)
        )

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the tracker, pick the source, describe the bed and pick the room's sensors."""
        if user_input is None and self._name_in_use(self._title):
            # "Bedroom" is taken: suggest "Bedroom 2", "Bedroom 3", ...
            self._title = next(
                title
                for n in itertools.count(2)
                if not self._name_in_use(title := f"{self._title} {n}")
            )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_NAME, default=self._title): TextSelector(),
                probatio.Required(
                    CONF_SOURCE, default=self._data.get(CONF_SOURCE, SOURCE_SERIAL)
                ): select(list(SOURCE_KINDS), CONF_SOURCE),
                **_bed_schema(self._data),
                probatio.Optional(CONF_ROOM): _room_section(self._room),
            }
        )
        errors: dict[str, str] = {}
        if user_input is not None:
            checked, errors = _check(schema, user_input)
            if not errors and self._name_in_use(checked[CONF_NAME]):
                errors = {CONF_NAME: "name_in_use"}
            if not errors:
                self._title = checked.pop(CONF_NAME)
                self._room = {k: v for k, v in (checked.pop(CONF_ROOM, None) or {}).items() if v}
                self._data = {**self._data, **checked}
                return await self._async_step_source(source_kind(self._data))
        return self.async_show_form(
            step_id="user", data_schema=_form(self, schema, user_input), errors=errors
        )

    async def _async_finish(self, extra: dict[str, Any]) -> ConfigFlowResult:
        data = {**self._data, **extra}
        await self.async_set_unique_id(source_kind(data).unique_id(data), raise_on_progress=False)
        self._abort_if_source_in_use(data)
        options = {CONF_ROOM: self._room} if self._room else {}
        return self.async_create_entry(title=self._title, data=data, options=options)

    async def _async_step_source(
        self, kind: SourceKind, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The source's own settings, checked (when the kind has a check) before accepting."""
        errors: dict[str, str] | None = None
        placeholders = kind.form_placeholders() if kind.form_placeholders else None
        schema = probatio.Schema(await kind.schema(self.hass, self._data))
        if user_input is not None:
            checked, errors = _check(schema, user_input)
            found: dict[str, str] = {}
            if not errors:
                if in_use := await self._async_port_in_use(kind, checked):
                    errors, found = in_use
                elif kind.validate is not None:
                    errors, found = await kind.validate(self.hass, checked)
            if placeholders is not None:
                placeholders |= found
            if not errors:
                return await self._async_finish(checked)
        elif kind.validate is not None:
            errors = {}
        return self.async_show_form(
            step_id=kind.step_id,
            data_schema=_form(self, schema, user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_port_in_use(
        self, kind: SourceKind, data: dict[str, Any], exclude: str | None = None
    ) -> Errors | None:
        """The error when another tracker already reads the serial port.

        Checked before the device is listened to, which would take bytes from that tracker.
        """
        if kind is not SERIAL:
            return None
        user = await async_port_user(self.hass, str(data[CONF_PORT]), exclude)
        if user is None:
            return None
        return {"base": "port_in_use"}, {"port": str(data[CONF_PORT]), "tracker": user.title}

    async def async_step_serial(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the device family and port; listen for its frames before accepting."""
        return await self._async_step_source(SERIAL, user_input)

    async def async_step_fmcw(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Replay a raw-FMCW capture (``.npz``) through the radar signal processing."""
        return await self._async_step_source(FMCW_REPLAY, user_input)

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Use a radar that is already in Home Assistant (degraded mode: no stages)."""
        return await self._async_step_source(ENTITIES, user_input)

    async def async_step_simulator(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Describe the simulated bedroom."""
        return await self._async_step_source(SIMULATOR, user_input)

    async def async_step_usb(self, discovery_info: UsbServiceInfo) -> ConfigFlowResult:
        """A USB-UART bridge was plugged in: offer to set it up as a radar."""
        await self.async_set_unique_id(
            SERIAL.unique_id({CONF_PORT: discovery_info.device}), raise_on_progress=True
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
        await self.async_set_unique_id(source_kind(data).unique_id(data))
        self._abort_if_source_in_use(data)
        return self.async_create_entry(title=self._title, data=data, options={CONF_SPEED: speed})

    def _abort_if_source_in_use(self, data: dict[str, Any]) -> None:
        """Abort when another tracker has this source (for a simulated bedroom: this seed)."""
        if source_kind(data) is SIMULATOR:
            self._abort_if_unique_id_configured(
                error="simulator_seed_in_use",
                description_placeholders={"seed": str(data[CONF_SEED])},
            )
        self._abort_if_unique_id_configured()

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the bed side, the radar's place and the source's settings."""
        entry = self._get_reconfigure_entry()
        kind = source_kind(entry.data)
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        schema = probatio.Schema(
            _bed_schema(dict(entry.data)) | await kind.schema(self.hass, dict(entry.data))
        )
        if user_input is not None:
            checked, errors = _check(schema, user_input)
            data = {**entry.data, **checked}
            if not errors:
                if in_use := await self._async_port_in_use(kind, data, entry.entry_id):
                    errors, placeholders = in_use
                elif kind.validate is not None:
                    errors, placeholders = await kind.validate(self.hass, data)
            if not errors:
                await self.async_set_unique_id(kind.unique_id(data))
                if self.unique_id != entry.unique_id:
                    self._abort_if_source_in_use(data)
                return self.async_update_reload_and_abort(
                    entry, unique_id=self.unique_id, data_updates=checked
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_form(self, schema, user_input),
            errors=errors,
            description_placeholders={
                "port": "",
                "family": "",
                "detected": "",
                "bytes": "",
                "error": "",
                "path": "",
                "tracker": "",
                **placeholders,
            },
        )


class RadarSleepOptionsFlow(OptionsFlowWithReload):
    """Tune detection, speed, the wake-up light and speaker, room sensors, bedtime hunches.

    The wake-up options, the room's sensors and the hunches are collapsed sections,
    ``wake_up``, ``room`` and ``hunches`` (nested dicts in the options).
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and save the options."""
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
        if source_kind(self.config_entry.data).has_speed:
            schema[
                probatio.Required(CONF_SPEED, default=options.get(CONF_SPEED, DEFAULT_SPEED))
            ] = NumberSelector(
                NumberSelectorConfig(min=0, max=3600, step=1, mode=NumberSelectorMode.BOX)
            )
        schema[probatio.Optional(CONF_WAKE_UP)] = section(
            _wake_up_schema(dict(options.get(CONF_WAKE_UP) or {})), {"collapsed": True}
        )
        schema[probatio.Optional(CONF_ROOM)] = _room_section(dict(options.get(CONF_ROOM) or {}))
        schema[probatio.Optional(CONF_HUNCHES)] = section(
            _hunches_schema(self.hass, dict(options.get(CONF_HUNCHES) or {})), {"collapsed": True}
        )
        form = probatio.Schema(schema)
        errors: dict[str, str] = {}
        if user_input is not None:
            checked, errors = _check(form, user_input)
            if not errors and not _notify_exists(self.hass, checked):
                errors[CONF_HUNCHES] = "notify_service_missing"
            if not errors:
                return self.async_create_entry(data=checked)
        return self.async_show_form(
            step_id="init", data_schema=_form(self, form, user_input), errors=errors
        )
