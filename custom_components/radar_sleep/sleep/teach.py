"""What the user teaches about their nights, and what the tracker learns from it.

The user says what happened ("I was reading until 23:10", "I fell asleep around 23:20", "I was
awake at 3", "that was my partner", "I slept badly"); each saying is a
:class:`~..contracts.TeachingLabel` kept with its night. Two things are learned from the
labels of the recent nights, both small and both undone by forgetting the labels:

- **When this user really starts trying to sleep.** The intent model dates "lights off" from
  behaviour; someone who lies still, awake, with the light on for half an hour before trying
  to sleep looks to it like someone already trying. The taught onsets (``reading_until``;
  ``fell_asleep_at`` where the model's onset came after it) give the model's error night by
  night; its median over the taught nights (robust to a mistaken label) is this user's
  *onset offset*, added to the model's onset on the following nights
  (:class:`.intent.IntentTracker`'s ``onset_offset``). It takes :data:`MIN_TAUGHT_NIGHTS`
  nights, so that one label does not move every night after it.
- **How readily this user is called awake.** Epochs the user says they were awake in
  (``awake_at``, the time before ``reading_until``) or asleep in (the minutes after
  ``fell_asleep_at``) are compared with the stages the model gave them; the odds of wake
  among the taught epochs against the odds the model gave them is a prior-shift weight on
  the wake probability, the correction of a classifier's outputs to new class priors (Saerens
  M, Latinne P, Decaestecker C. Adjusting the outputs of a classifier to new a priori
  probabilities: a simple procedure. *Neural Comput* 14(1):21-41, 2002), with one pseudo-epoch
  of each class (Laplace smoothing) and bounded to [1/:data:`MAX_WAKE_WEIGHT`,
  :data:`MAX_WAKE_WEIGHT`].

``was_partner`` and ``slept_badly`` are kept and shown with the night; they do not change the
models.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
import math
import statistics
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..contracts import EPOCH_SECONDS, LabelKind, NightSummary, Stage, TeachingLabel

MIN_TAUGHT_NIGHTS = 2
"""Taught onsets needed before the onset offset is applied."""
LEARN_NIGHTS = 14
"""The most recent taught nights the adaptation is learned from."""
MAX_OFFSET_MIN = 90.0
"""The onset offset is bounded to this many minutes either way."""
MAX_WAKE_WEIGHT = 2.0
ASLEEP_AFTER_MIN = 10.0
"""Minutes after a taught sleep onset counted as asleep."""
SINGLE_LABELS = frozenset(
    {LabelKind.READING_UNTIL, LabelKind.FELL_ASLEEP_AT, LabelKind.SLEPT_BADLY}
)
"""Kinds a night has at most one of (a new one replaces the old)."""
MARGIN = timedelta(hours=1)
"""How far outside the time in bed a taught time may be."""


def night_instant(night: NightSummary, at: time, time_zone: tzinfo) -> datetime:
    """The instant a clock time said about ``night`` means.

    The clock time on the night's date or the morning after, and, for an hour from 1 to 11
    (said without "am" or "pm"), also twelve hours later: whichever is nearest the time in
    bed (inside it: distance 0; a tie goes to the earlier).
    """
    hours = [at.hour] + ([at.hour + 12] if 1 <= at.hour <= 11 else [])
    candidates = [
        datetime.combine(night.night + timedelta(days=day), time(h, at.minute), tzinfo=time_zone)
        for day in (0, 1)
        for h in hours
    ]

    def distance(when: datetime) -> float:
        before = (night.session_start - when).total_seconds()
        after = (when - night.session_end).total_seconds()
        return max(before, after, 0.0)

    return min(sorted(candidates), key=distance)


def in_night(night: NightSummary, when: datetime) -> bool:
    """Whether ``when`` is within the night's time in bed, give or take :data:`MARGIN`."""
    return night.session_start - MARGIN <= when <= night.session_end + MARGIN


def add_label(night: NightSummary, label: TeachingLabel) -> NightSummary:
    """The night with ``label`` added (replacing an older one of a kind a night has once)."""
    kept = tuple(
        old for old in night.labels if not (label.kind in SINGLE_LABELS and old.kind is label.kind)
    )
    return replace(night, labels=(*kept, label))


def forget_labels(night: NightSummary) -> NightSummary:
    """The night without what was taught about it."""
    return replace(night, labels=()) if night.labels else night


def detected_onset(night: NightSummary) -> datetime | None:
    """The intent model's onset, before any learned offset."""
    return night.intent_detected or night.intent_start


def onset_error_min(night: NightSummary) -> float | None:
    """How many minutes after the model's onset the taught one is (``None``: nothing taught).

    ``reading_until`` is the onset itself; ``fell_asleep_at`` only bounds it (nobody tries to
    sleep after falling asleep): it counts only where the model's onset came after it.
    """
    detected = detected_onset(night)
    if detected is None:
        return None
    for label in night.labels:
        if label.kind is LabelKind.READING_UNTIL and label.start is not None:
            return (label.start - detected).total_seconds() / 60
    for label in night.labels:
        if (
            label.kind is LabelKind.FELL_ASLEEP_AT
            and label.start is not None
            and label.start < detected
        ):
            return (label.start - detected).total_seconds() / 60
    return None


def onset_offset_min(errors: list[float]) -> float:
    """The onset offset learned from taught nights' errors (oldest first; minutes).

    The median of the last :data:`LEARN_NIGHTS`, bounded to :data:`MAX_OFFSET_MIN`; 0 before
    :data:`MIN_TAUGHT_NIGHTS` nights.
    """
    recent = errors[-LEARN_NIGHTS:]
    if len(recent) < MIN_TAUGHT_NIGHTS:
        return 0.0
    return float(np.clip(statistics.median(recent), -MAX_OFFSET_MIN, MAX_OFFSET_MIN))


def taught_epochs(night: NightSummary) -> dict[int, bool]:
    """Hypnogram epochs the labels say the user was awake (``True``) or asleep in."""
    out: dict[int, bool] = {}
    n = len(night.hypnogram)

    def index(when: datetime) -> int:
        return math.floor((when - night.hypnogram_start).total_seconds() / EPOCH_SECONDS)

    for label in night.labels:
        if label.start is None:
            continue
        first = index(label.start)
        if label.kind is LabelKind.AWAKE_AT:
            last = first if label.end is None else index(label.end)
            out.update(dict.fromkeys(range(max(first, 0), min(last + 1, n)), True))
        elif label.kind is LabelKind.READING_UNTIL:
            out.update(dict.fromkeys(range(min(first, n)), True))
    for label in night.labels:  # asleep after a taught onset (an awake label wins)
        if label.kind is LabelKind.FELL_ASLEEP_AT and label.start is not None:
            first = index(label.start)
            last = first + round(ASLEEP_AFTER_MIN * 60 / EPOCH_SECONDS)
            for k in range(max(first, 0), min(last, n)):
                out.setdefault(k, False)
    return out


def gap_epochs(night: NightSummary) -> set[int]:
    """Hypnogram epochs that start inside one of the night's gaps (scored wake, not seen)."""
    out: set[int] = set()
    for start, end in night.gaps:
        first = math.ceil((start - night.hypnogram_start).total_seconds() / EPOCH_SECONDS)
        last = math.ceil((end - night.hypnogram_start).total_seconds() / EPOCH_SECONDS)
        out.update(range(max(first, 0), min(last, len(night.hypnogram))))
    return out


def wake_weight(nights: list[NightSummary]) -> float:
    """The prior-shift weight on the wake probability from the taught epochs of ``nights``.

    The odds of wake among the taught epochs over the odds the model gave them (each count
    with one pseudo-epoch), bounded to [1/:data:`MAX_WAKE_WEIGHT`, :data:`MAX_WAKE_WEIGHT`];
    1 without taught epochs. Epochs in the night's gaps (:func:`gap_epochs`) do not count: the
    model did not score them, they are wake for want of data.
    """
    taught_wake = model_wake = total = 0
    for night in nights:
        unseen = gap_epochs(night)
        for k, awake in taught_epochs(night).items():
            if k in unseen:
                continue
            total += 1
            taught_wake += awake
            model_wake += night.hypnogram[k] is Stage.WAKE
    if total == 0:
        return 1.0
    taught_odds = (taught_wake + 1) / (total - taught_wake + 1)
    model_odds = (model_wake + 1) / (total - model_wake + 1)
    return float(np.clip(taught_odds / model_odds, 1 / MAX_WAKE_WEIGHT, MAX_WAKE_WEIGHT))


def weigh_wake(probabilities: NDArray[np.float64], weight: float) -> NDArray[np.float64]:
    """Stage probabilities with wake's multiplied by ``weight``, renormalised."""
    if weight == 1.0:
        return probabilities
    out = np.asarray(probabilities, dtype=np.float64).copy()
    out[Stage.WAKE] *= weight
    total = float(out.sum())
    return out / total if total > 0 else out


@dataclass(frozen=True, slots=True)
class TeachingAdaptation:
    """What the tracker learned from the user's teaching."""

    onset_offset_min: float = 0.0
    """Minutes added to the intent model's onset."""
    wake_weight: float = 1.0
    """Prior-shift weight on the wake probability."""
    taught_onsets: int = 0
    """Nights whose onset was taught (among the recent ones)."""
    taught_epochs: int = 0
    """Epochs taught awake or asleep."""

    @property
    def onset_offset_epochs(self) -> int:
        """The onset offset in whole epochs."""
        return round(self.onset_offset_min * 60 / EPOCH_SECONDS)

    def as_dict(self) -> dict[str, Any]:
        """For diagnostics and attributes."""
        return {
            "onset_offset_min": round(self.onset_offset_min, 1),
            "wake_weight": round(self.wake_weight, 3),
            "taught_onsets": self.taught_onsets,
            "taught_epochs": self.taught_epochs,
        }


def learn(nights: list[NightSummary]) -> TeachingAdaptation:
    """The adaptation taught by the stored ``nights`` (oldest first)."""
    taught = [n for n in nights if n.labels][-LEARN_NIGHTS:]
    errors = [e for n in taught if (e := onset_error_min(n)) is not None]
    return TeachingAdaptation(
        onset_offset_min=onset_offset_min(errors),
        wake_weight=wake_weight(taught),
        taught_onsets=len(errors),
        taught_epochs=sum(len(taught_epochs(n)) for n in taught),
    )
