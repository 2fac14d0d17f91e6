"""The simulated bedrooms of the offline tools and the seed ranges they are split into.

Every simulated night is identified by its seed; the seed decides the bedroom
(:func:`simulated_config`: partner, pet, radar placement, single antenna), the pre-sleep
activity and the device's frame rate (:func:`night_config`). The ranges below never overlap,
so that no evaluation measures on a night any model or policy was fitted on:

========================  ==========================================================
seeds                     use
========================  ==========================================================
0-9999                    held-out evaluation nights (stages, intent, user, report)
10000-19999               training nights, 10-Hz devices (stage, intent, baseline and
                          alarm-policy fits)
20000-29999               validation nights, 10-Hz devices (stage-model sweep; the
                          smart-alarm evaluation)
30000-39999               training nights from 1, 2 and 5-Hz devices (seed modulo 3)
40000-                    smart-alarm evaluation nights from 1, 2 and 5-Hz devices
========================  ==========================================================

Every seed from :data:`LOWRATE_SEEDS` on is a low-frame-rate device in :func:`night_config`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np

from ..contracts import BedSide, RadarPosition
from .bedroom import PreSleep, SimulatorConfig

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


def is_training_seed(seed: int) -> bool:
    """Whether ``seed`` is a training night (10-Hz or low-frame-rate)."""
    return TRAIN_SEEDS <= seed < VALID_SEEDS or LOWRATE_SEEDS <= seed < ALARM_LOWRATE_SEEDS


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
    :data:`LOWRATE_SEEDS` on.
    """
    config = simulated_config(seed)
    rng = np.random.default_rng(seed + 11_000_000)
    config = replace(config, pre_sleep=PRE_SLEEP[int(rng.integers(len(PRE_SLEEP)))])
    if seed >= LOWRATE_SEEDS:
        config = replace(config, frame_rate_hz=LOW_RATES[seed % len(LOW_RATES)])
    return config


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
