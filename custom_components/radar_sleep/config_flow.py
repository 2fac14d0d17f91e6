"""Config flow: choose a source, the bed side and the radar's place; options and reconfigure."""

from __future__ import annotations

from typing import Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from .const import (
    CONF_PARTNER,
    CONF_PET,
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
    RADAR_POSITIONS,
    SIDES,
    SOURCE_SIMULATOR,
    SOURCES,
)


def _select(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=options, translation_key=key, mode=SelectSelectorMode.LIST)
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


class RadarSleepConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a Radar Sleep tracker (one per person and radar)."""

    VERSION = 1

    def __init__(self) -> None:
        """Start an empty flow."""
        self._data: dict[str, Any] = {}

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
            self._data = dict(user_input)
            return await self.async_step_simulator()
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_NAME, default="Bedroom"): TextSelector(),
                    probatio.Required(CONF_SOURCE, default=SOURCE_SIMULATOR): _select(
                        SOURCES, CONF_SOURCE
                    ),
                    **_bed_schema({}),
                }
            ),
        )

    async def async_step_simulator(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Describe the simulated bedroom."""
        if user_input is not None:
            data = {**self._data, **user_input}
            await self.async_set_unique_id(f"{SOURCE_SIMULATOR}_{data[CONF_SEED]}")
            self._abort_if_unique_id_configured()
            title = data.pop(CONF_NAME)
            return self.async_create_entry(title=title, data=data)
        return self.async_show_form(
            step_id="simulator", data_schema=probatio.Schema(_simulator_schema({}))
        )

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create a tracker from YAML (development and demo setups)."""
        await self.async_set_unique_id(f"{SOURCE_SIMULATOR}_{import_data[CONF_SEED]}")
        self._abort_if_unique_id_configured()
        data = dict(import_data)
        title = data.pop(CONF_NAME)
        speed = data.pop(CONF_SPEED, DEFAULT_SPEED)
        return self.async_create_entry(title=title, data=data, options={CONF_SPEED: speed})

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the bed side, the radar's place or the simulated bedroom."""
        entry = self._get_reconfigure_entry()
        if user_input is not None:
            await self.async_set_unique_id(f"{SOURCE_SIMULATOR}_{user_input[CONF_SEED]}")
            if user_input[CONF_SEED] != entry.data[CONF_SEED]:
                self._abort_if_unique_id_configured()
            return self.async_update_reload_and_abort(
                entry, unique_id=self.unique_id, data_updates=user_input
            )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=probatio.Schema(
                {**_bed_schema(dict(entry.data)), **_simulator_schema(dict(entry.data))}
            ),
        )


class RadarSleepOptionsFlow(OptionsFlowWithReload):
    """Tune session and presence detection, and the simulator's speed."""

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
        }
        if self.config_entry.data[CONF_SOURCE] == SOURCE_SIMULATOR:
            schema[
                probatio.Required(CONF_SPEED, default=options.get(CONF_SPEED, DEFAULT_SPEED))
            ] = NumberSelector(
                NumberSelectorConfig(min=0, max=3600, step=1, mode=NumberSelectorMode.BOX)
            )
        return self.async_show_form(step_id="init", data_schema=probatio.Schema(schema))
