"""Diagnostics: settings, the live state with its reasons, last night, counters, the alarm."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.core import HomeAssistant

from .learning import learning_diagnostics
from .runtime import RadarSleepConfigEntry
from .sleep.serialize import summary_to_dict


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: RadarSleepConfigEntry
) -> dict[str, Any]:
    """Everything needed to understand what the tracker decided and why, the alarm included.

    Nothing here identifies anyone beyond what the user configured; the night summary is the
    user's own health data and is included because that is what a diagnosis needs.
    """
    coordinator = entry.runtime_data.coordinator
    update = asdict(coordinator.data.update)
    update["time"] = coordinator.data.update.time.isoformat()
    if coordinator.data.update.stage is not None:
        update["stage"] = coordinator.data.update.stage.label
    last_night = coordinator.data.last_night
    return {
        "entry": {"data": dict(entry.data), "options": dict(entry.options)},
        "pipeline": {
            "config": {
                k: v for k, v in asdict(coordinator.pipeline.config).items() if k != "time_zone"
            },
            "session_state": coordinator.pipeline.session.state,
            "epochs_in_session": len(coordinator.pipeline.records),
        },
        "update": update,
        "last_night": summary_to_dict(last_night) if last_night else None,
        "stats": asdict(coordinator.stats),
        "clock": coordinator.clock.diagnostics(),
        "alarm": entry.runtime_data.alarm.diagnostics(),
        "learning": learning_diagnostics(entry),
    }
