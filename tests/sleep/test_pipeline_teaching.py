"""The pipeline keeps what explains a night's stages, and uses what the user taught."""

from __future__ import annotations

import json
import re

from custom_components.radar_sleep.contracts import EPOCH_SECONDS
from custom_components.radar_sleep.simulation.bedroom import BedroomSimulator
from custom_components.radar_sleep.sleep import SleepPipeline
from custom_components.radar_sleep.sleep.explain import NOTE_LENGTH
from custom_components.radar_sleep.sleep.teach import TeachingAdaptation

from ..conftest import SimulatedNight


def run_until(pipeline: SleepPipeline, sim: BedroomSimulator, stop_t: float) -> None:
    for frame in sim.frames():
        if frame.t >= stop_t:
            break
        closed = pipeline.push(frame).epoch
        if closed is not None:
            pipeline.process_epoch(closed)


def test_the_summary_keeps_a_note_per_epoch(simulated_night: SimulatedNight) -> None:
    summary = simulated_night.pipeline.summaries[0]
    assert len(summary.epoch_notes) == NOTE_LENGTH * len(summary.hypnogram)
    notes = [
        summary.epoch_notes[k : k + NOTE_LENGTH]
        for k in range(0, len(summary.epoch_notes), NOTE_LENGTH)
    ]
    assert all(re.fullmatch(r"[0-9-][0-9-][0-9-]", n) for n in notes)
    assert any(n != "---" for n in notes)
    assert summary.intent_detected is None  # nothing taught: the model's onset stands


def test_a_taught_offset_moves_the_onset_and_survives_a_restart(
    simulated_night: SimulatedNight,
) -> None:
    sim, straight = simulated_night.sim, simulated_night.pipeline
    model_onset = straight.summaries[0].intent_start
    assert model_onset is not None
    detected = round((model_onset - straight.origin).total_seconds() / EPOCH_SECONDS)
    taught = TeachingAdaptation(onset_offset_min=10.0)  # 20 epochs
    first = SleepPipeline(straight.config, origin=straight.origin)
    first.set_teaching(taught)
    run_until(first, sim, sim.truth.sleep_onset_s + 1800)
    assert first.intent.slept
    assert first.intent.detected_index == detected
    assert first.intent.onset_index is not None
    assert detected <= first.intent.onset_index <= detected + 20

    # Restored from a snapshot of before the records had their movement and breathing (an
    # older version): the taught offset stays, the records load without them.
    state = json.loads(json.dumps(first.snapshot()))
    state["records"] = [r[:7] for r in state["records"]]
    del state["sleep_intent_detected"]
    second = SleepPipeline(straight.config, origin=straight.origin)
    second.set_teaching(taught)
    second.restore(state)
    assert second.intent.onset_offset == 20
    assert all(r.movement is None and r.irregularity is None for r in second.records)
    assert second.intent.onset_index == first.intent.onset_index
