"""JSON-friendly (de)serialisation of :class:`~..contracts.NightSummary`."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from ..contracts import NightSummary, SleepMetrics, Stage

_CODES = "wldr"
"""One letter per epoch in the stored hypnogram: wake, light, deep, REM."""


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def summary_to_dict(summary: NightSummary) -> dict[str, Any]:
    """A dict of JSON types; the hypnogram as a compact string ``"wwllddr..."``."""
    out: dict[str, Any] = {}
    for f in fields(summary):
        value = getattr(summary, f.name)
        if f.name == "hypnogram":
            out[f.name] = "".join(_CODES[s] for s in value)
        elif f.name == "metrics":
            out[f.name] = None if value is None else asdict(value)
        elif isinstance(value, datetime | date):
            out[f.name] = value.isoformat()
        else:
            out[f.name] = value
    return out


def summary_from_dict(data: dict[str, Any]) -> NightSummary:
    """Inverse of :func:`summary_to_dict`; raises ``KeyError``/``ValueError`` on bad data."""
    start = _dt(data["hypnogram_start"])
    session_start = _dt(data["session_start"])
    session_end = _dt(data["session_end"])
    if start is None or session_start is None or session_end is None:
        raise ValueError("summary without session times")
    return NightSummary(
        night=date.fromisoformat(data["night"]),
        session_start=session_start,
        session_end=session_end,
        intent_start=_dt(data.get("intent_start")),
        sleep_onset=_dt(data.get("sleep_onset")),
        final_wake=_dt(data.get("final_wake")),
        hypnogram_start=start,
        hypnogram=tuple(Stage(_CODES.index(c)) for c in data["hypnogram"]),
        metrics=SleepMetrics(**data["metrics"]) if data.get("metrics") else None,
        mean_breathing_rate_bpm=data.get("mean_breathing_rate_bpm"),
        room_temperature_c=data.get("room_temperature_c"),
        room_humidity_pct=data.get("room_humidity_pct"),
        room_illuminance_lx=data.get("room_illuminance_lx"),
    )
