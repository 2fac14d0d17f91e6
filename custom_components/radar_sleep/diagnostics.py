"""Diagnostics: settings, the live state with its reasons, last night, counters, the alarm, hunches.

The serial port or network bridge the radar is on and a capture file's path are redacted,
wherever they appear (an error message names the port; a bridge's URL names a host). No
waveform is included: the breathing signal stays in the pipeline's current epoch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_CAPTURE_PATH, CONF_PORT
from .learning import learning_diagnostics
from .runtime import RadarSleepConfigEntry
from .sleep import SleepPipeline
from .sleep.serialize import summary_to_dict

TO_REDACT = {CONF_PORT, CONF_CAPTURE_PATH}
"""Settings that name a device path, a host or a file on the user's system."""


def _secrets(data: dict[str, Any]) -> list[str]:
    """The texts to hide: the redacted settings' values and the host in a bridge's URL."""
    values = [str(data[key]) for key in TO_REDACT if data.get(key)]
    for value in list(values):
        if "://" in value:
            try:
                host = urlsplit(value).hostname
            except ValueError:
                host = None
            if host:
                values.append(host)
    return sorted(set(values), key=len, reverse=True)  # a URL before the host inside it


def _scrub(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` with every occurrence of a secret in its strings replaced."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub(v, secrets) for v in value)
    return value


def _last_frame(pipeline: SleepPipeline) -> dict[str, Any]:
    """Where the radar sees the user: the target followed in the last frame (no waveform)."""
    target = pipeline.followed
    return {
        "targets": pipeline.targets_seen,
        "followed": None
        if target is None
        else {
            "distance_m": round(target.distance_m, 3),
            "angle_deg": None if target.angle_deg is None else round(target.angle_deg, 1),
            "movement": round(target.movement, 3),
            "signal_quality": round(target.signal_quality, 3),
        },
    }


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
    diagnostics = {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "pipeline": {
            "config": {
                k: v for k, v in asdict(coordinator.pipeline.config).items() if k != "time_zone"
            },
            "session_state": coordinator.pipeline.session.state,
            "epochs_in_session": len(coordinator.pipeline.records),
            "teaching": coordinator.pipeline.teaching.as_dict(),
            "last_frame": _last_frame(coordinator.pipeline),
        },
        "update": update,
        "last_night": summary_to_dict(last_night) if last_night else None,
        "stats": asdict(coordinator.stats),
        "clock": coordinator.clock.diagnostics(),
        "alarm": entry.runtime_data.alarm.diagnostics(),
        "hunches": entry.runtime_data.hunches.diagnostics(),
        "learning": learning_diagnostics(entry),
    }
    result: dict[str, Any] = _scrub(diagnostics, _secrets(dict(entry.data)))
    return result
