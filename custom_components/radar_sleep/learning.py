"""What the tracker learns from the user's nights, kept across restarts (Home Assistant glue).

The learning itself is Home-Assistant-free (:mod:`.sleep.learning`): the pipeline feeds it
every epoch and it learns when a night ends. Here it is kept in two versioned stores per
entry, ``.storage/radar_sleep.<entry id>.calibration`` and
``.storage/radar_sleep.<entry id>.stage_adaptation``, written after every night, and reset by
``radar_sleep.reset_learning`` (:func:`async_reset_calibration`,
:func:`async_reset_stage_model`; the entities are told at once). A store that cannot be read
is kept in a copy and reported (:func:`.store.async_load_part`); that part starts empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER, SAVE_DELAY_SECONDS
from .contracts import NightSummary
from .sleep.learning import Calibration, CalibrationValues, StageAdaptation, UserLearning
from .store import async_load_part

if TYPE_CHECKING:
    from .runtime import RadarSleepConfigEntry

LEARNING_STORAGE_VERSION = 1
CALIBRATION_KEY = "calibration"
STAGE_ADAPTATION_KEY = "stage_adaptation"


def _key(entry_id: str, part: str) -> str:
    return f"{DOMAIN}.{entry_id}.{part}"


class LearningStore:
    """The user's learning (:attr:`learning`) and its two stores."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, learning: UserLearning) -> None:
        """Around ``learning`` (built in the executor: it reads the adaptation reference)."""
        self._hass = hass
        self._entry = entry
        self.learning = learning
        self._calibration: Store[dict[str, Any]] = Store(
            hass, LEARNING_STORAGE_VERSION, _key(entry.entry_id, CALIBRATION_KEY)
        )
        # About 300 kB (the kept nights' feature vectors and the tuned network, base64):
        # built and serialised in the executor, from the snapshot the adaptation publishes.
        self._adaptation: Store[dict[str, Any]] = Store(
            hass,
            LEARNING_STORAGE_VERSION,
            _key(entry.entry_id, STAGE_ADAPTATION_KEY),
            serialize_in_event_loop=False,
        )

    async def async_load(self) -> None:
        """Read both stores; an unreadable one is kept in a copy, reported, and starts empty."""
        for store, part in (
            (self._calibration, self.learning.calibration),
            (self._adaptation, self.learning.adaptation),
        ):

            def read(data: dict[str, Any], part: Calibration | StageAdaptation = part) -> bool:
                part.load(data)
                return True

            if not await async_load_part(self._hass, self._entry, store, read, part.as_dict):
                part.reset()

    @callback
    def async_night_ended(self, _summary: NightSummary) -> None:
        """A night ended (and was learned from in the pipeline): write both a little later."""
        self._calibration.async_delay_save(self.learning.calibration.as_dict, SAVE_DELAY_SECONDS)
        self._adaptation.async_delay_save(self.learning.adaptation.as_dict, SAVE_DELAY_SECONDS)

    async def async_save(self) -> None:
        """Write both now (unload)."""
        await self._calibration.async_save(self.learning.calibration.as_dict())
        await self._adaptation.async_save(self.learning.adaptation.as_dict())

    def values(self, nights: list[NightSummary]) -> CalibrationValues:
        """The calibration, with the usual times of the stored ``nights``."""
        return self.learning.calibration.values(nights, dt_util.get_default_time_zone())


async def _async_reset(
    entry: RadarSleepConfigEntry, forget: Callable[[UserLearning], None], what: str
) -> None:
    """Forget one part of what was learned between two epochs, save, and tell the entities."""
    runtime = entry.runtime_data
    learning, pipeline = runtime.learning.learning, runtime.coordinator.pipeline

    def reset() -> None:
        forget(learning)
        pipeline.apply_learning()

    await runtime.coordinator.async_between_epochs(reset)
    await runtime.learning.async_save()
    runtime.coordinator.async_update_listeners()
    LOGGER.info("%s: %s reset", entry.title, what)


async def async_reset_calibration(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    """Forget the calibration: the configured presence threshold is used again."""
    await _async_reset(entry, lambda learning: learning.calibration.reset(), "calibration")


async def async_reset_stage_model(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    """Forget the stage model's adaptation: the next epochs are staged as trained."""
    await _async_reset(
        entry, lambda learning: learning.adaptation.reset(), "stage model adaptation"
    )


async def async_remove_learning(hass: HomeAssistant, entry_id: str) -> None:
    """Delete what was learned for a removed entry."""
    for part in (CALIBRATION_KEY, STAGE_ADAPTATION_KEY):
        await Store[dict[str, Any]](
            hass, LEARNING_STORAGE_VERSION, _key(entry_id, part)
        ).async_remove()


def learning_diagnostics(entry: RadarSleepConfigEntry) -> dict[str, Any]:
    """The calibration and the stage adaptation, for diagnostics."""
    runtime = entry.runtime_data
    learning = runtime.learning.learning
    return {
        "calibration": runtime.learning.values(runtime.store.nights).as_attributes()
        | {"presence_threshold_in_use": runtime.coordinator.pipeline.presence.threshold},
        "stage_adaptation": learning.adaptation.diagnostics(),
    }
