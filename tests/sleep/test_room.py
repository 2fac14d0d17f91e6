"""The bedroom while asleep: aggregation, gaps, verdicts against the published ranges, storage,
and the readings of the night in progress across a restart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
import json
import math

import pytest

from custom_components.radar_sleep.contracts import EPOCH_SECONDS, NightSummary, Stage
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator
from custom_components.radar_sleep.sleep import SleepPipeline
from custom_components.radar_sleep.sleep.room import (
    ROOM_FIELDS,
    RoomInsight,
    RoomQuantity,
    RoomSample,
    RoomStats,
    RoomVerdict,
    describe,
    humidity_verdict,
    light_verdict,
    room_insights,
    room_stats,
    temperature_verdict,
)
from custom_components.radar_sleep.sleep.serialize import summary_from_dict, summary_to_dict

from ..conftest import SimulatedNight


def test_room_stats_over_the_sleep_epochs_by_hand() -> None:
    samples = {
        10: RoomSample(25.0, 70.0, 80.0),  # awake in bed with the light on: not asleep
        11: RoomSample(19.0, 45.0, 0.5),  # sleep onset
        12: RoomSample(19.5, None, 0.5),  # humidity sensor unavailable: a gap
        13: RoomSample(None, 47.0, 1.0),  # temperature sensor unavailable: a gap
        # 14: no reading at all
        15: RoomSample(20.25, 50.0, 12.0),
    }
    stats = room_stats(samples, asleep=[11, 12, 13, 14, 15], onset=11)
    # temperature: 19.0, 19.5, 20.25 -> 58.75 / 3 = 19.583.. ; humidity 45, 47, 50 -> 47.33..
    # light: 0.5, 0.5, 1.0, 12.0 -> 14 / 4 = 3.5
    assert stats == RoomStats(
        temperature_c=19.6,
        temperature_min_c=19.0,
        temperature_max_c=20.2,  # 20.25 rounds to the even 20.2
        humidity_pct=47.3,
        humidity_min_pct=45.0,
        humidity_max_pct=50.0,
        illuminance_lx=3.5,
        illuminance_min_lx=0.5,
        illuminance_max_lx=12.0,
        illuminance_onset_lx=0.5,
    )


def test_room_stats_leave_gaps_and_guess_nothing() -> None:
    samples = {11: RoomSample(19.0, None, None), 12: RoomSample(None, None, 4.0)}
    # The onset epoch had no light reading: the light at onset is unknown, not 4.0 from the
    # next epoch.
    stats = room_stats(samples, asleep=[11, 12], onset=11)
    assert stats == RoomStats(19.0, 19.0, 19.0, None, None, None, 4.0, 4.0, 4.0, None)
    assert room_stats({}, asleep=[11, 12], onset=11) == RoomStats()
    assert room_stats(samples, asleep=[], onset=None) == RoomStats()


@pytest.mark.parametrize(
    ("celsius", "verdict"),
    [
        (16.9, RoomVerdict.TOO_COLD),
        (17.0, RoomVerdict.IN_RANGE),
        (28.0, RoomVerdict.IN_RANGE),
        (28.1, RoomVerdict.TOO_WARM),
    ],
)
def test_temperature_range_17_to_28_c(celsius: float, verdict: RoomVerdict) -> None:
    assert temperature_verdict(celsius) is verdict


@pytest.mark.parametrize(
    ("percent", "verdict"),
    [
        (39.9, RoomVerdict.TOO_DRY),
        (40.0, RoomVerdict.IN_RANGE),
        (60.0, RoomVerdict.IN_RANGE),
        (60.1, RoomVerdict.TOO_HUMID),
    ],
)
def test_humidity_range_40_to_60_pct(percent: float, verdict: RoomVerdict) -> None:
    assert humidity_verdict(percent) is verdict


@pytest.mark.parametrize(
    ("lux", "verdict"),
    [(0.0, RoomVerdict.IN_RANGE), (2.9, RoomVerdict.IN_RANGE), (3.0, RoomVerdict.TOO_BRIGHT)],
)
def test_dark_below_3_lx(lux: float, verdict: RoomVerdict) -> None:
    assert light_verdict(lux) is verdict


NIGHT = NightSummary(
    night=date(2026, 11, 22),
    session_start=datetime(2026, 11, 22, 21, 40, tzinfo=UTC),
    session_end=datetime(2026, 11, 23, 5, 55, tzinfo=UTC),
    intent_start=None,
    sleep_onset=datetime(2026, 11, 22, 21, 58, tzinfo=UTC),
    final_wake=None,
    hypnogram_start=datetime(2026, 11, 22, 21, 55, tzinfo=UTC),
    hypnogram=(Stage.WAKE, Stage.LIGHT, Stage.DEEP),
    metrics=None,
    mean_breathing_rate_bpm=None,
)
ROOMY = replace(
    NIGHT,
    room_temperature_c=24.5,
    room_temperature_min_c=23.0,
    room_temperature_max_c=29.5,
    room_humidity_pct=63.0,
    room_humidity_min_pct=55.0,
    room_humidity_max_pct=70.0,
    room_illuminance_lx=0.4,
    room_illuminance_min_lx=0.0,
    room_illuminance_max_lx=1.5,
    room_illuminance_onset_lx=1.5,
)


def test_insights_of_last_night_with_its_numbers() -> None:
    assert room_insights(NIGHT) == []
    temperature, humidity, light = room_insights(ROOMY)
    assert temperature == RoomInsight(
        RoomQuantity.TEMPERATURE, RoomVerdict.IN_RANGE, 24.5, 23.0, 29.5, 17.0, 28.0
    )
    assert humidity == RoomInsight(
        RoomQuantity.HUMIDITY, RoomVerdict.TOO_HUMID, 63.0, 55.0, 70.0, 40.0, 60.0
    )
    assert light == RoomInsight(
        RoomQuantity.LIGHT, RoomVerdict.IN_RANGE, 0.4, 0.0, 1.5, None, 3.0, at_onset=1.5
    )
    assert describe(temperature) == (
        "Temperature 24.5 °C (23-29.5 °C) while asleep: within the recommended range (17-28 °C)."
    )
    assert describe(humidity) == "Humidity 63 % (55-70 %) while asleep: too humid (40-60 %)."
    assert describe(light) == (
        "Light 0.4 lx (0-1.5 lx) while asleep, 1.5 lx when you fell asleep: within the "
        "recommended range (below 3 lx)."
    )
    only_light = replace(NIGHT, room_illuminance_lx=5.0)
    [bright] = room_insights(only_light)
    assert bright.verdict is RoomVerdict.TOO_BRIGHT
    assert describe(bright) == "Light 5 lx while asleep: too bright (below 3 lx)."


def test_stored_nights_keep_the_room_and_old_ones_still_load() -> None:
    stored = json.loads(json.dumps(summary_to_dict(ROOMY)))
    assert {k for k in stored if k.startswith("room_")} == set(ROOM_FIELDS)
    assert stored["room_temperature_min_c"] == 23.0
    assert stored["room_illuminance_onset_lx"] == 1.5
    assert summary_from_dict(stored) == ROOMY
    old = summary_to_dict(NIGHT)  # a night stored before the room was recorded
    for key in [k for k in old if k.startswith("room_")]:
        del old[key]
    assert summary_from_dict(old) == NIGHT


# -- the pipeline: a simulated night with the room's readings, interrupted by a restart ----------

ONSET_PLUS_2H = 2 * 3600.0


def _room(index: int, sim: BedroomSimulator) -> RoomSample | None:
    """Fixed readings by epoch: 18 °C then 22 °C two hours after the simulated sleep onset;
    40 % then a gap of 30 min (sensor unavailable) from one hour after onset, then 60 %;
    80 lx until bedtime, 0.5 lx in bed, 2.5 lx from two hours after onset."""
    truth = sim.truth
    t = index * EPOCH_SECONDS
    later = t >= truth.sleep_onset_s + ONSET_PLUS_2H
    gap = truth.sleep_onset_s + 3600 <= t < truth.sleep_onset_s + 5400
    if t < truth.sleep_onset_s + 3600:
        humidity: float | None = 40.0
    else:
        humidity = None if gap else 60.0
    light = 80.0 if t < truth.bed_enter_s else (2.5 if later else 0.5)
    return RoomSample(22.0 if later else 18.0, humidity, light)


def test_pipeline_records_the_room_while_asleep_across_a_restart(
    simulated_night: SimulatedNight,
) -> None:
    sim = simulated_night.sim
    straight = simulated_night.pipeline
    first = SleepPipeline(straight.config, origin=straight.origin)
    stop_t = sim.truth.sleep_onset_s + 3 * 3600 + 12.5  # after every change of the readings
    for frame in sim.frames():
        if frame.t >= stop_t:
            break
        closed = first.push(frame).epoch
        if closed is not None:
            first.process_epoch(closed, _room(closed.index, sim))
    assert first.room, "the night in progress keeps its readings"
    stored = json.loads(json.dumps(first.snapshot()))
    assert stored["room"][0] == [
        first.records[0].index,
        *first.room[first.records[0].index].as_list(),
    ]

    second = SleepPipeline(straight.config, origin=straight.origin)
    second.restore(stored)
    assert second.room == first.room
    assert second.last_t is not None
    resume = math.floor(second.last_t / EPOCH_SECONDS) * EPOCH_SECONDS
    for frame in (f for f in sim.frames() if f.t >= resume):
        closed = second.push(frame).epoch
        if closed is not None:
            second.process_epoch(closed, _room(closed.index, sim))
    last = second.flush()
    if last is not None:
        second.process_epoch(last, _room(last.index, sim))
    [night] = second.summaries
    assert not second.room, "the readings of a finished night are not kept"

    # Expected from the night's own hypnogram and the fixed readings above.
    first_epoch = round((night.hypnogram_start - second.origin).total_seconds() / EPOCH_SECONDS)
    asleep = [first_epoch + k for k, s in enumerate(night.hypnogram) if s is not Stage.WAKE]
    truth = sim.truth
    change = math.ceil((truth.sleep_onset_s + ONSET_PLUS_2H) / EPOCH_SECONDS)
    gap = range(
        math.ceil((truth.sleep_onset_s + 3600) / EPOCH_SECONDS),
        math.ceil((truth.sleep_onset_s + 5400) / EPOCH_SECONDS),
    )
    early = sum(1 for i in asleep if i < change)
    late = len(asleep) - early
    assert early > 0, "sleep before the change"
    assert late > 0, "sleep after the change"
    dry = sum(1 for i in asleep if i < gap.start)
    humid = sum(1 for i in asleep if i >= gap.stop)
    assert night.room_temperature_c == round((18.0 * early + 22.0 * late) / len(asleep), 1)
    assert (night.room_temperature_min_c, night.room_temperature_max_c) == (18.0, 22.0)
    assert night.room_humidity_pct == round((40.0 * dry + 60.0 * humid) / (dry + humid), 1)
    assert (night.room_humidity_min_pct, night.room_humidity_max_pct) == (40.0, 60.0)
    assert night.room_illuminance_lx == round((0.5 * early + 2.5 * late) / len(asleep), 1)
    assert (night.room_illuminance_min_lx, night.room_illuminance_max_lx) == (0.5, 2.5)
    assert night.room_illuminance_onset_lx == 0.5
    # Apart from the room, the night is the one played straight through without readings.
    assert RoomStats().apply(night) == straight.summaries[0]


def test_snapshot_from_before_the_room_was_recorded_restores(
    simulated_night: SimulatedNight,
) -> None:
    straight = simulated_night.pipeline
    pipeline = SleepPipeline(straight.config, origin=straight.origin)
    state = pipeline.snapshot()
    del state["room"]
    pipeline.room = {3: RoomSample(20.0)}
    pipeline.restore(state)
    assert pipeline.room == {}


def test_without_stages_the_room_is_recorded_while_in_bed(
    simulated_night: SimulatedNight,
) -> None:
    """A presence-only device has no sleep to select: the epochs in bed count instead."""
    sim = simulated_night.sim
    straight = simulated_night.pipeline
    pipeline = SleepPipeline(replace(straight.config, stages_available=False), straight.origin)
    truth = sim.truth
    for frame in sim.frames():
        closed = pipeline.push(frame).epoch
        if closed is not None:
            in_bed = truth.bed_enter_s <= closed.index * EPOCH_SECONDS < truth.bed_exit_s
            # 30 °C and 100 lx out of bed (never counted), 19.5 °C and 0 lx in bed
            room = RoomSample(19.5, None, 0.0) if in_bed else RoomSample(30.0, None, 100.0)
            pipeline.process_epoch(closed, room)
    [night] = pipeline.summaries
    assert night.hypnogram == ()
    assert (night.room_temperature_c, night.room_temperature_min_c) == (19.5, 19.5)
    assert night.room_temperature_max_c == 19.5
    assert (night.room_illuminance_lx, night.room_illuminance_max_lx) == (0.0, 0.0)
    assert night.room_illuminance_onset_lx is None  # no sleep onset without stages
    assert night.room_humidity_pct is None
