"""The simulated bedrooms of the offline tools and the seed ranges they are split into.

Every simulated night is identified by its seed; the seed decides the bedroom
(:func:`simulated_config`: partner, pet, radar placement, single antenna), the pre-sleep
activity and the device's frame rate (:func:`night_config`). The ranges below never overlap,
so that no evaluation measures on a night any model or policy was fitted on:

========================  ==========================================================
seeds                     use
========================  ==========================================================
0-9999                    held-out evaluation nights (stages, intent, user, report;
                          8000-8499: the adaptation measurement's users; 8500-8999:
                          the teaching measurement's users)
10000-19999               training nights, 10-Hz devices (stage, intent, baseline and
                          alarm-policy fits)
20000-29999               validation nights, 10-Hz devices (stage-model sweep; the
                          smart-alarm evaluation)
30000-39999               training nights from 1, 2 and 5-Hz devices (seed modulo 3)
40000-69999               smart-alarm evaluation nights from 1, 2 and 5-Hz devices
70000-79999               training nights over wide physiology and sensor ranges
                          (:func:`wide_night_config`)
90000-99999               validation nights of a held-out physiology range: sleepers
                          and sensors outside the wide training ranges
                          (:func:`heldout_physiology_config`)
========================  ==========================================================

Every seed from :data:`LOWRATE_SEEDS` on is a low-frame-rate device in :func:`night_config`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from ..contracts import BedSide, RadarPosition
from .bedroom import PreSleep, SimulatorConfig
from .physiology import Channel, PhysiologyVariation

EVALUATION_SEEDS = 0
"""First held-out evaluation seed."""
HELD_OUT_LIMIT = 10_000
"""Evaluation seeds stay below this; training seeds start here."""
TRAIN_SEEDS = 10_000
"""First training night (10-Hz devices)."""
VALID_SEEDS = 20_000
"""First validation night (10-Hz devices); also the smart-alarm evaluation's."""
LOWRATE_SEEDS = 30_000
"""First training night from a device that reports at 1, 2 or 5 Hz instead of 10 (seed
modulo 3): the same bedrooms, fewer frames per breath (many radars report vital signs at
1-2 Hz)."""
ALARM_LOWRATE_SEEDS = 40_000
"""First low-frame-rate smart-alarm evaluation night."""
ALARM_TRAINING_NIGHTS = 100
"""The alarm policy is fitted on training nights ``TRAIN_SEEDS .. TRAIN_SEEDS + 99``."""
ALARM_LOWRATE_TRAINING_NIGHTS = 60
"""... and on low-rate training nights ``LOWRATE_SEEDS .. LOWRATE_SEEDS + 59``."""
ALARM_TRAINING_SEEDS = (
    f"{TRAIN_SEEDS}-{TRAIN_SEEDS + ALARM_TRAINING_NIGHTS - 1},"
    f"{LOWRATE_SEEDS}-{LOWRATE_SEEDS + ALARM_LOWRATE_TRAINING_NIGHTS - 1}"
)
"""The alarm policy's default training seed ranges (``10000-10099,30000-30059``)."""
LOW_RATES = (1.0, 2.0, 5.0)
"""Frame rates (Hz) of the low-frame-rate nights, by seed modulo 3."""
PRE_SLEEP: tuple[PreSleep, ...] = ("reading", "tv", "phone", "mixed")
WIDE_TRAIN_SEEDS = 70_000
"""First training night over wide physiology and sensor ranges (:func:`wide_night_config`)."""
HELDOUT_PHYSIOLOGY_SEEDS = 90_000
"""First validation night of the held-out physiology range
(:func:`heldout_physiology_config`)."""
WIDE_RATES = (1.0, 2.0, 5.0, 10.0)
"""Frame rates (Hz) of the wide training nights, by seed modulo 4."""
HELDOUT_RATES = (3.0, 4.0, 16.0)
"""Frame rates (Hz) of the held-out physiology nights, by seed modulo 3: none is a training
rate."""

type Range = tuple[float, float]

PHYSIOLOGY_RANGES: dict[str, tuple[Range, tuple[Range, Range]]] = {
    # Adult resting breathing rate 12-20 breaths/min, with healthy adults down to 10 and up to
    # 24 (Cretikos MA et al. Respiratory rate: the neglected vital sign. *Med J Aust*
    # 188(11):657-659, 2008; Douglas et al. 1982).
    "resting_rate_bpm": ((11.0, 20.0), ((8.0, 10.5), (21.0, 26.0))),
    # Chest displacement of tidal breathing 4-12 mm (Kranjec et al. 2014); smaller seen
    # through thick bedding or from the side.
    "chest_depth_mm": ((4.0, 12.0), ((2.0, 3.5), (13.0, 16.0))),
    # Breath-to-breath variability differs about two-fold between healthy people at the same
    # stage (Bruce EN. Temporal variations in the pattern of breathing. *J Appl Physiol*
    # 80(4):1079-1087, 1996).
    "regularity_scale": ((0.7, 1.4), ((0.45, 0.65), (1.5, 1.9))),
    # How much the stages differ from each other (1: the table of physiology.py); older
    # sleepers have less slow-wave sleep and flatter breathing contrasts (Ohayon MM et al.
    # Meta-analysis of quantitative sleep parameters from childhood to old age. *Sleep*
    # 27(7):1255-1273, 2004).
    "stage_contrast": ((0.65, 1.25), ((0.45, 0.6), (1.3, 1.5))),
    # Movements during sleep vary several-fold between healthy sleepers (Wilde-Frenz and
    # Schulz 1983: 5-40 per hour of sleep).
    "movement_scale": ((0.5, 2.0), ((0.2, 0.4), (2.5, 4.0))),
    # Device-specific movement index and sensor sensitivity (modelling assumptions: there
    # is no standard unit for either).
    "movement_gain": ((0.7, 1.4), ((0.4, 0.6), (1.6, 2.2))),
    "sensor_gain": ((0.5, 2.0), ((0.2, 0.4), (2.5, 5.0))),
    "noise_scale": ((0.5, 2.0), ((2.5, 4.0), (2.5, 4.0))),
    "drift_mm": ((0.001, 0.004), ((0.006, 0.01), (0.006, 0.01))),
    # Thermistor time constants: about 0.3-1 s for fast sensors, 1-3 s for older ones
    # (Farre et al. 1998).
    "airflow_tau_s": ((0.3, 1.0), ((1.5, 3.0), (1.5, 3.0))),
}
"""Per quantity: the wide training range, and the held-out ranges below and above it (a
held-out night takes one of the two at random)."""
CHANNELS: tuple[Channel, ...] = ("radar", "radar", "belt", "airflow")
"""Channel types of the wide training nights (half radar, a quarter belt, a quarter airflow)."""


def draw_variation(rng: np.random.Generator, *, held_out: bool) -> PhysiologyVariation:
    """One night's sleeper and sensor from :data:`PHYSIOLOGY_RANGES`.

    Training nights draw each quantity uniformly from its wide range; held-out nights from
    one of the ranges outside it, so that a held-out night's breathing, movement and sensor
    are unlike any training night's.
    """
    values: dict[str, float] = {}
    for name, (inside, outside) in PHYSIOLOGY_RANGES.items():
        low, high = outside[int(rng.integers(2))] if held_out else inside
        values[name] = float(rng.uniform(low, high))
    channel = CHANNELS[int(rng.integers(len(CHANNELS)))]
    if held_out:
        channel = ("radar", "belt", "airflow")[int(rng.integers(3))]
    return PhysiologyVariation(channel=channel, **values)


def is_training_seed(seed: int) -> bool:
    """Whether ``seed`` is a training night (10-Hz, low-frame-rate or wide physiology)."""
    return (
        TRAIN_SEEDS <= seed < VALID_SEEDS
        or LOWRATE_SEEDS <= seed < ALARM_LOWRATE_SEEDS
        or WIDE_TRAIN_SEEDS <= seed < WIDE_TRAIN_SEEDS + 10_000
    )


def simulated_config(seed: int) -> SimulatorConfig:
    """Vary the bedroom across nights: partner, pet, radar placement, single antenna."""
    rng = np.random.default_rng(seed + 7_000_000)
    side: BedSide = "left" if rng.random() < 0.5 else "right"
    placement: RadarPosition = (
        ("left_table" if side == "left" else "right_table") if rng.random() < 0.8 else ("headboard")
    )
    return SimulatorConfig(
        seed=seed,
        user_side=side,
        radar_position=placement,
        partner=bool(rng.random() < 0.7),
        pet=bool(rng.random() < 0.2),
        single_antenna=placement != "headboard" and bool(rng.random() < 0.3),
    )


def night_config(seed: int) -> SimulatorConfig:
    """A training or alarm-evaluation night's bedroom.

    :func:`simulated_config` with a pre-sleep activity, and a low frame rate from
    :data:`LOWRATE_SEEDS` on; from :data:`WIDE_TRAIN_SEEDS` on :func:`wide_night_config` and
    from :data:`HELDOUT_PHYSIOLOGY_SEEDS` on :func:`heldout_physiology_config`.
    """
    if seed >= HELDOUT_PHYSIOLOGY_SEEDS:
        return heldout_physiology_config(seed)
    if seed >= WIDE_TRAIN_SEEDS:
        return wide_night_config(seed)
    config = _bedroom_config(seed)
    if seed >= LOWRATE_SEEDS:
        config = replace(config, frame_rate_hz=LOW_RATES[seed % len(LOW_RATES)])
    return config


def _bedroom_config(seed: int) -> SimulatorConfig:
    """:func:`simulated_config` with a pre-sleep activity."""
    config = simulated_config(seed)
    rng = np.random.default_rng(seed + 11_000_000)
    return replace(config, pre_sleep=PRE_SLEEP[int(rng.integers(len(PRE_SLEEP)))])


def wide_night_config(seed: int) -> SimulatorConfig:
    """A wide-physiology training night.

    :func:`night_config`'s bedroom with a sleeper and sensor drawn from the wide training
    ranges (:func:`draw_variation`) and a frame rate of :data:`WIDE_RATES`.
    """
    config = _bedroom_config(seed)
    rng = np.random.default_rng(seed + 13_000_000)
    return replace(
        config,
        frame_rate_hz=WIDE_RATES[seed % len(WIDE_RATES)],
        variation=draw_variation(rng, held_out=False),
    )


def heldout_physiology_config(seed: int) -> SimulatorConfig:
    """A held-out physiology validation night.

    A sleeper and sensor outside the training ranges (:func:`draw_variation`) at a frame
    rate no training night has.
    """
    config = _bedroom_config(seed)
    rng = np.random.default_rng(seed + 17_000_000)
    return replace(
        config,
        frame_rate_hz=HELDOUT_RATES[seed % len(HELDOUT_RATES)],
        variation=draw_variation(rng, held_out=True),
    )


def intent_night_config(
    seed: int, pre_sleep: PreSleep | Literal["varied"] = "varied"
) -> SimulatorConfig:
    """The sleep-intent evaluation's bedroom for ``seed``.

    :func:`simulated_config` with the pre-sleep activity taken in turn (seed modulo 4, so
    that every activity gets a quarter of the nights; :func:`night_config` draws it instead),
    or ``pre_sleep`` for every night.
    """
    activity = PRE_SLEEP[seed % len(PRE_SLEEP)] if pre_sleep == "varied" else pre_sleep
    return replace(simulated_config(seed), pre_sleep=activity)


TEACHING_SEEDS = 8_500
"""First night of the teaching evaluation's simulated users (held-out range): user ``u``'s
night ``k`` is seed ``TEACHING_SEEDS + TEACHING_NIGHTS_PER_USER * u + k``."""
TEACHING_NIGHTS_PER_USER = 20
STILL_MINUTES = (25.0, 35.0)
"""Range of a teaching user's usual time lying still and awake before trying to sleep."""
STILL_SPREAD_MIN = 4.0
"""Night-to-night spread (either way) of that time around the user's usual."""


def teaching_user_config(user: int, night: int) -> SimulatorConfig:
    """Night ``night`` of simulated user ``user``, who lies still awake before trying to sleep.

    One bedroom per user (:func:`simulated_config` of the user's first seed) and one
    pre-sleep activity (reading, TV, phone or a mix, by user); every night, after it, the
    user lies still with the light on for their usual time (drawn once per user from
    :data:`STILL_MINUTES`) give or take :data:`STILL_SPREAD_MIN` minutes, and only then tries
    to sleep: a consistent behaviour the intent model takes for trying to sleep.
    """
    first = TEACHING_SEEDS + TEACHING_NIGHTS_PER_USER * user
    rng = np.random.default_rng([first, 19])
    usual = float(rng.uniform(*STILL_MINUTES))
    spread = np.random.default_rng([first + night, 23]).uniform(-1.0, 1.0)
    return replace(
        simulated_config(first),
        seed=first + night,
        pre_sleep=PRE_SLEEP[user % len(PRE_SLEEP)],
        still_minutes=usual + STILL_SPREAD_MIN * float(spread),
    )


USER_SCENARIOS: dict[str, dict[str, object]] = {
    "partner first": {"partner": True, "partner_first": True},
    "partner stays": {"partner": True, "partner_stays": True, "partner_moves_over": True},
    "bathroom trip, partner asleep": {"partner": True, "partner_moves_over": True},
    "pet on the bed": {"pet": True, "pet_takes_spot": True},
    "single antenna": {"single_antenna": True, "partner": True, "partner_moves_over": True},
    "renumbered ids": {
        "device_ids": "reused",
        "partner": True,
        "partner_moves_over": True,
        "pet": True,
        "pet_takes_spot": True,
    },
    "single-target device": {"single_target": True, "partner": True, "partner_moves_over": True},
    "you alone": {"partner": False},
}
"""Scenario of night ``i`` is the ``i % 8``-th; further options are drawn per night."""


def user_night_config(seed: int, index: int) -> tuple[str, SimulatorConfig]:
    """The primary-user evaluation's scenario and bedroom of night ``index`` (seed ``seed``)."""
    name = list(USER_SCENARIOS)[index % len(USER_SCENARIOS)]
    options = dict(USER_SCENARIOS[name])
    rng = np.random.default_rng(seed + 5_000_000)
    side: Literal["left", "right"] = "left" if rng.random() < 0.5 else "right"
    placements: list[Literal["left_table", "right_table", "headboard"]] = [
        "left_table",
        "right_table",
        "headboard",
    ]
    if options.get("single_antenna"):
        placements = placements[:2]  # a single antenna cannot tell the sides apart there
    placement = placements[int(rng.integers(len(placements)))]
    if options.get("single_target"):  # it measures the nearest body: it stands on your side
        placement = "left_table" if side == "left" else "right_table"
    if "pet" not in options:
        options["pet"] = bool(rng.random() < 0.3)
    if options.get("partner") and "partner_first" not in options:
        options["partner_first"] = bool(rng.random() < 0.3)
    if options.get("partner") and "partner_stays" not in options:
        options["partner_stays"] = bool(rng.random() < 0.3)
    config = replace(
        SimulatorConfig(seed=seed, user_side=side, radar_position=placement),
        **options,  # type: ignore[arg-type]
    )
    return name, config


ADAPTATION_SEEDS = 8_000
"""First night of the simulated users of the stage-model adaptation measurement
(``training/evaluate/learning_adaptation.py``): user ``u``'s night ``n`` (1-based) is seed
``ADAPTATION_SEEDS + NIGHTS_PER_USER * u + n - 1``, inside the held-out evaluation range."""
NIGHTS_PER_USER = 10
"""Nights of each simulated user (the adaptation learns from the first seven)."""
SHIFT_FRAME_RATES = (1.0, 2.0, 3.0, 4.0, 5.0)
"""Frame rates (Hz) of shifted users' devices."""


@dataclass(frozen=True, slots=True)
class SensorShift:
    """A user's radar and body away from the training nights, the same every night.

    The ranges (:func:`draw_shift`) are those of the stage-model adaptation measurement:
    radar gain x0.5-2, noise x2-4, breathing rate 3 breaths/min above or below the user's
    own, breathing variability x1.5 in every stage, a device reporting at 1-5 Hz.
    """

    sensor_gain: float = 1.0
    noise_scale: float = 1.0
    rate_offset_bpm: float = 0.0
    regularity_scale: float = 1.0
    frame_rate_hz: float | None = None
    """``None``: the simulator's 10 Hz."""


def draw_shift(rng: np.random.Generator) -> SensorShift:
    """One shifted user's radar and body (log-uniform gain, uniform noise, a random sign)."""
    return SensorShift(
        sensor_gain=float(np.exp(rng.uniform(np.log(0.5), np.log(2.0)))),
        noise_scale=float(rng.uniform(2.0, 4.0)),
        rate_offset_bpm=3.0 if rng.random() < 0.5 else -3.0,
        regularity_scale=1.5,
        frame_rate_hz=SHIFT_FRAME_RATES[int(rng.integers(len(SHIFT_FRAME_RATES)))],
    )


def user_shift(user: int) -> SensorShift:
    """The shift of simulated user ``user`` when shifted (drawn from the user number)."""
    return draw_shift(np.random.default_rng(user + 19_000_000))


def adaptation_night_config(user: int, night: int, shift: SensorShift | None) -> SimulatorConfig:
    """Night ``night`` (1-based) of simulated user ``user``, through ``shift`` if any.

    A user keeps their bedroom (side, radar placement, partner, pet: :func:`simulated_config`
    of the user's first night), resting breathing rate and chest depth (drawn from the
    population figures of :mod:`.physiology` by user number) over every night; the night's
    seed draws the rest. ``shift=None`` is the same night as the training nights' sensor sees
    it, so that a shifted user's nights can be compared with the same nights unshifted.
    """
    first = ADAPTATION_SEEDS + NIGHTS_PER_USER * user
    rng = np.random.default_rng(first + 23_000_000)
    rate = float(np.clip(rng.normal(15.0, 2.0), 10.0, 21.0))
    depth = float(np.clip(rng.normal(7.0, 1.5), 4.0, 11.0))
    config = replace(simulated_config(first), seed=first + night - 1)
    shift = shift or SensorShift()
    variation = PhysiologyVariation(
        resting_rate_bpm=rate + shift.rate_offset_bpm,
        chest_depth_mm=depth,
        regularity_scale=shift.regularity_scale,
        sensor_gain=shift.sensor_gain,
        noise_scale=shift.noise_scale,
    )
    rate_hz = shift.frame_rate_hz or config.frame_rate_hz
    return replace(config, variation=variation, frame_rate_hz=rate_hz)
