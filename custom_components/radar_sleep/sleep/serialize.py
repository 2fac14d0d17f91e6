"""JSON-friendly (de)serialisation of night summaries and live updates (storage, diagnostics)."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from ..contracts import (
    LabelKind,
    NightSummary,
    SessionState,
    SleepMetrics,
    SleepUpdate,
    Stage,
    TeachingLabel,
)

_CODES = "wldr"
"""One letter per epoch in the stored hypnogram: wake, light, deep, REM."""


def _number(value: Any) -> float | None:
    """A stored room reading (absent in nights stored before the room was recorded)."""
    return None if value is None else float(value)


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
        elif f.name == "labels":
            out[f.name] = [label_to_dict(label) for label in value]
        elif f.name == "gaps":
            out[f.name] = [[start.isoformat(), end.isoformat()] for start, end in value]
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
        room_temperature_c=_number(data.get("room_temperature_c")),
        room_humidity_pct=_number(data.get("room_humidity_pct")),
        room_illuminance_lx=_number(data.get("room_illuminance_lx")),
        room_temperature_min_c=_number(data.get("room_temperature_min_c")),
        room_temperature_max_c=_number(data.get("room_temperature_max_c")),
        room_humidity_min_pct=_number(data.get("room_humidity_min_pct")),
        room_humidity_max_pct=_number(data.get("room_humidity_max_pct")),
        room_illuminance_min_lx=_number(data.get("room_illuminance_min_lx")),
        room_illuminance_max_lx=_number(data.get("room_illuminance_max_lx")),
        room_illuminance_onset_lx=_number(data.get("room_illuminance_onset_lx")),
        labels=tuple(label_from_dict(item) for item in data.get("labels") or ()),
        intent_detected=_dt(data.get("intent_detected")),
        epoch_notes=str(data.get("epoch_notes") or ""),
        gaps=tuple(
            (datetime.fromisoformat(start), datetime.fromisoformat(end))
            for start, end in data.get("gaps") or ()
        ),
    )


def label_to_dict(label: TeachingLabel) -> dict[str, Any]:
    """A taught label as JSON types (times in ISO 8601)."""
    return {
        "kind": str(label.kind),
        "start": None if label.start is None else label.start.isoformat(),
        "end": None if label.end is None else label.end.isoformat(),
        "taught_at": None if label.taught_at is None else label.taught_at.isoformat(),
    }


def label_from_dict(data: dict[str, Any]) -> TeachingLabel:
    """Inverse of :func:`label_to_dict`; raises ``KeyError``/``ValueError`` on bad data."""
    return TeachingLabel(
        kind=LabelKind(data["kind"]),
        start=_dt(data.get("start")),
        end=_dt(data.get("end")),
        taught_at=_dt(data.get("taught_at")),
    )


def update_to_dict(update: SleepUpdate) -> dict[str, Any]:
    """A :class:`~..contracts.SleepUpdate` as JSON types (stages by label)."""
    out = asdict(update)
    out["time"] = update.time.isoformat()
    out["session_state"] = str(update.session_state)
    out["stage"] = None if update.stage is None else update.stage.label
    out["stage_probabilities"] = (
        None if update.stage_probabilities is None else list(update.stage_probabilities)
    )
    out["network_probabilities"] = (
        None if update.network_probabilities is None else list(update.network_probabilities)
    )
    return out


def update_from_dict(data: dict[str, Any]) -> SleepUpdate:
    """Inverse of :func:`update_to_dict`; raises ``KeyError``/``ValueError`` on bad data."""
    probs = data.get("stage_probabilities")
    network = data.get("network_probabilities")
    stage = data.get("stage")
    return SleepUpdate(
        t=float(data["t"]),
        time=datetime.fromisoformat(data["time"]),
        present=bool(data["present"]),
        presence_confidence=float(data["presence_confidence"]),
        in_bed=bool(data["in_bed"]),
        session_state=SessionState(data["session_state"]),
        trying_to_sleep=bool(data["trying_to_sleep"]),
        intent_score=data.get("intent_score"),
        stage=None if stage is None else Stage[str(stage).upper()],
        stage_probabilities=None
        if probs is None
        else (float(probs[0]), float(probs[1]), float(probs[2]), float(probs[3])),
        breathing_rate_bpm=data.get("breathing_rate_bpm"),
        primary_user_confidence=data.get("primary_user_confidence"),
        epoch_index=data.get("epoch_index"),
        movement=data.get("movement"),
        reasons={str(k): str(v) for k, v in data.get("reasons", {}).items()},
        network_probabilities=None
        if network is None
        else (float(network[0]), float(network[1]), float(network[2]), float(network[3])),
    )
