"""The typed contracts between Radar Sleep's layers.

This module is Home-Assistant-free and imports nothing from ``radar/`` or ``sleep/``: it is
the only thing those two layers share (see ``docs/architecture.md``).

Data path::

    radar/ (drivers, simulator) --VitalsFrame--> sleep/ (pipeline) --SleepUpdate, NightSummary--> HA

Units are SI unless a field name says otherwise (``_mm``, ``_bpm``, ``_min``, ``_pct``).
Times are either source seconds (``t``, monotonic within a source) or timezone-aware UTC
datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Final, Literal, get_args

EPOCH_SECONDS = 30
"""Length of a scoring epoch, as in AASM/R&K polysomnography scoring."""

type BedSide = Literal["left", "right"]
"""The sleeper's side of the bed, as seen lying in it."""
type RadarPosition = Literal["left_table", "right_table", "headboard"]
"""Where the radar stands: a bedside table, or the middle of the headboard."""
BED_SIDES: Final[tuple[BedSide, ...]] = get_args(BedSide.__value__)
RADAR_POSITIONS: Final[tuple[RadarPosition, ...]] = get_args(RadarPosition.__value__)


class Stage(IntEnum):
    """Four-class sleep stage, as consumer sleep trackers report it.

    ``LIGHT`` is AASM N1 + N2, ``DEEP`` is N3 (R&K S3 + S4), ``REM`` is R.
    """

    WAKE = 0
    LIGHT = 1
    DEEP = 2
    REM = 3

    @property
    def label(self) -> str:
        """Lower-case name used in Home Assistant states and JSON: ``wake|light|deep|rem``."""
        return self.name.lower()


class SessionState(StrEnum):
    """Where the night's session is."""

    IDLE = "idle"
    """Nobody (or not the user) in the detection zone; no session."""
    STARTING = "starting"
    """The user is present but for less than the session start delay (5 min)."""
    ACTIVE = "active"
    """A session is running and the user is in bed."""
    AWAY = "away"
    """A session is running but the user left the bed (bathroom trip, or the night is ending)."""


@dataclass(frozen=True, slots=True)
class TargetVitals:
    """What a radar measured of one tracked target during one frame."""

    target_id: int
    """Device-assigned id, stable while the device keeps tracking the same target."""
    distance_m: float
    """Radial distance from the radar to the target."""
    angle_deg: float | None
    """Azimuth, positive to the radar's right; ``None`` on single-antenna devices."""
    respiration_mm: tuple[float, ...]
    """Chest displacement samples since the previous frame (mm, towards the radar positive)."""
    respiration_rate_hz: float
    """Sample rate of ``respiration_mm``."""
    movement: float
    """Body-movement energy in 0..1 (0 still, 1 gross movement such as turning over)."""
    signal_quality: float
    """Confidence in the respiration signal, 0..1."""
    breath_rate_bpm: float | None = None
    """Breathing rate if the device computes it."""
    heart_rate_bpm: float | None = None
    """Heart rate if the device computes it."""


@dataclass(frozen=True, slots=True)
class VitalsFrame:
    """One radar frame (typically 10-20 Hz): every tracked target and the device's own view.

    Devices that only report presence or rates fill what they have: ``targets`` may be empty
    with ``device_presence`` set, and ``respiration_mm`` may be empty.
    """

    t: float
    """Source time in seconds (monotonic within a source)."""
    targets: tuple[TargetVitals, ...]
    device_presence: bool | None = None
    """The device's own presence opinion, when it has one."""


REASON_PRESENCE: Final = "presence"
"""Key of :attr:`SleepUpdate.reasons`: why the user's side counts as occupied (or not)."""
REASON_SESSION: Final = "session"
"""Key of :attr:`SleepUpdate.reasons`: the night's session state."""
REASON_USER: Final = "user"
"""Key of :attr:`SleepUpdate.reasons`: whose breathing is tracked, and who is ignored."""
REASON_INTENT: Final = "intent"
"""Key of :attr:`SleepUpdate.reasons`: trying to sleep (or not)."""
REASON_STAGE: Final = "stage"
"""Key of :attr:`SleepUpdate.reasons`: the stage shown and its evidence."""
REASON_KEYS: Final = (REASON_PRESENCE, REASON_SESSION, REASON_USER, REASON_INTENT, REASON_STAGE)
"""Every key of :attr:`SleepUpdate.reasons` (plain strings: they are stored and shown)."""


@dataclass(frozen=True, slots=True)
class SleepUpdate:
    """The live state of the sleep pipeline, emitted whenever it changes."""

    t: float
    """Source time of the frame that produced this update."""
    time: datetime
    """The same instant as a UTC datetime."""
    present: bool
    """Someone is in the detection zone (above the presence threshold)."""
    presence_confidence: float
    """0..1 score behind ``present``."""
    in_bed: bool
    """A session is running and the user is in bed."""
    session_state: SessionState
    trying_to_sleep: bool
    """The user has started trying to sleep (sleep intent) and has not finally woken."""
    intent_score: float | None
    """0..1 score of the last epoch behind ``trying_to_sleep``."""
    stage: Stage | None
    """Stage of the last completed epoch while in a session, else ``None``."""
    stage_probabilities: tuple[float, float, float, float] | None
    """Probabilities of wake, light, deep, REM for that epoch."""
    breathing_rate_bpm: float | None
    """Breathing rate of the user over the last epoch."""
    primary_user_confidence: float | None
    """How sure the pipeline is that the tracked breathing is the user's, 0..1."""
    epoch_index: int | None = None
    """Index of the last completed epoch in the session, if any."""
    movement: float | None = None
    """Fraction of the last 90 s with body movement (0..1), while the user is in bed."""
    reasons: dict[str, str] = field(default_factory=dict)
    """Short reason for each decision, keyed by :data:`REASON_KEYS`."""
    network_probabilities: tuple[float, float, float, float] | None = None
    """The stage network's own probabilities for that epoch, before its sequence step (the
    forward filter behind ``stage_probabilities``); ``None`` for a stage model without one."""


@dataclass(frozen=True, slots=True)
class SleepMetrics:
    """Night metrics as defined by Menghini et al. (2021).

    Menghini L, Cellini N, Goldstone A, Baker FC, de Zambotti M. A standardized framework for
    testing the performance of sleep-tracking technology: step-by-step guidelines and
    open-source code. *Sleep* 44(2):zsaa170, 2021.

    The scored period runs from "lights off" (sleep intent onset) to "lights on" (the user
    leaves the bed at the end of the night); see :func:`..sleep.metrics.sleep_metrics`.
    """

    tib_min: float
    """Time in bed: the scored period, lights off to lights on."""
    tst_min: float
    """Total sleep time: light + deep + REM."""
    se_pct: float
    """Sleep efficiency: 100 * TST / TIB."""
    sol_min: float | None
    """Sleep onset latency: lights off to the first sleep epoch (``None`` if no sleep)."""
    waso_min: float
    """Wake after sleep onset, up to the last sleep epoch."""
    light_min: float
    deep_min: float
    rem_min: float
    light_pct: float
    """Percent of TST."""
    deep_pct: float
    rem_pct: float
    awakenings: int
    """Wake bouts between sleep onset and the last sleep epoch."""
    after_final_wake_min: float
    """Time in bed after the final awakening (not part of WASO)."""


class LabelKind(StrEnum):
    """What the user taught about a night (the values are stored: they must not change)."""

    READING_UNTIL = "reading_until"
    """Awake and not trying to sleep until ``start`` (the real "lights off")."""
    FELL_ASLEEP_AT = "fell_asleep_at"
    """Asleep from about ``start``."""
    AWAKE_AT = "awake_at"
    """Awake at ``start`` (or from ``start`` to ``end``)."""
    WAS_PARTNER = "was_partner"
    """What was seen at ``start`` (to ``end``) was the partner, not the user."""
    SLEPT_BADLY = "slept_badly"
    """The night felt bad, whatever the numbers say (no time)."""


@dataclass(frozen=True, slots=True)
class TeachingLabel:
    """One thing the user taught about a night (stored with the night)."""

    kind: LabelKind
    start: datetime | None
    """The instant the label is about (``None`` for ``slept_badly``)."""
    end: datetime | None = None
    """The end of a time range (``None``: a moment)."""
    taught_at: datetime | None = None
    """When the user said it."""


@dataclass(frozen=True, slots=True)
class NightSummary:
    """The morning's account of one night in bed."""

    night: date
    """The calendar night the session began in (a session beginning after midnight but before
    noon belongs to the previous date)."""
    session_start: datetime
    session_end: datetime
    intent_start: datetime | None
    """When the user started trying to sleep ("lights off")."""
    sleep_onset: datetime | None
    final_wake: datetime | None
    """Start of the wake after the last sleep epoch, or ``None``."""
    hypnogram_start: datetime
    """Start of the first epoch of ``hypnogram`` (= scored period start)."""
    hypnogram: tuple[Stage, ...]
    """One stage per 30-s epoch of the scored period; out-of-bed epochs are wake. Empty when
    the device cannot stage sleep (no breathing waveform)."""
    metrics: SleepMetrics | None
    """``None`` when the device cannot stage sleep."""
    mean_breathing_rate_bpm: float | None
    """Mean breathing rate over sleep epochs."""
    room_temperature_c: float | None = None
    """Mean room temperature while asleep, when a sensor is configured (see
    :mod:`.sleep.room`: one reading per sleep epoch; epochs without a reading are left out)."""
    room_humidity_pct: float | None = None
    """Mean relative humidity while asleep."""
    room_illuminance_lx: float | None = None
    """Mean illuminance while asleep."""
    room_temperature_min_c: float | None = None
    room_temperature_max_c: float | None = None
    room_humidity_min_pct: float | None = None
    room_humidity_max_pct: float | None = None
    room_illuminance_min_lx: float | None = None
    room_illuminance_max_lx: float | None = None
    room_illuminance_onset_lx: float | None = None
    """Illuminance in the epoch of sleep onset."""
    labels: tuple[TeachingLabel, ...] = ()
    """What the user taught about this night (:mod:`.sleep.teach`), oldest first."""
    intent_detected: datetime | None = None
    """The intent onset the intent model found, before the shift learned from the user's
    teaching (``None``: the same as ``intent_start``)."""
    epoch_notes: str = ""
    """Why each epoch of ``hypnogram`` got its stage, three characters per epoch (movement,
    breathing irregularity, the stage model's confidence: :mod:`.sleep.explain`); empty for
    nights stored without them."""
    gaps: tuple[tuple[datetime, datetime], ...] = ()
    """Stretches of the session (start, end) without data: the radar unplugged, silent or
    garbled, or Home Assistant down. Their epochs are wake in the hypnogram (not counted as
    sleep) but were not observed, so they count in neither WASO nor the awakenings."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a device family can tell Radar Sleep (shown in the config flow and the docs)."""

    presence: bool
    respiration_waveform: bool
    """A chest-displacement/phase waveform: needed to stage sleep from breathing."""
    breath_rate: bool
    heart_rate: bool
    distance: bool
    angle: bool
    movement: bool
    multiple_targets: bool
    on_chip_sleep_stage: bool = False

    @property
    def can_stage_sleep(self) -> bool:
        """Whether the pipeline can classify sleep stages from this device's data."""
        return self.respiration_waveform and self.movement


MULTI_TARGET_WAVEFORM_CAPABILITIES = Capabilities(
    presence=True,
    respiration_waveform=True,
    breath_rate=False,
    heart_rate=False,
    distance=True,
    angle=True,
    movement=True,
    multiple_targets=True,
)
"""A radar that delivers a chest-displacement waveform, distance, angle and movement for each
of several people, and leaves the rates to the sleep pipeline: the raw-FMCW signal chain and
the bedroom simulator (which produces what that chain would)."""
