"""Fit the reference of the stage-model adaptation: what a typical training night's inputs are.

    python -m training.fit.adaptation [--nights 24] [--lowrate-nights 12] [--jobs 2]

Runs the pipeline over training nights (10-Hz devices from ``TRAIN_SEEDS`` and 1, 2 and
5-Hz devices from ``LOWRATE_SEEDS``, as the stage network was trained on), takes each
night's median and interquartile range of every model input over its in-bed epochs
(:func:`~custom_components.radar_sleep.sleep.learning.adaptation.night_statistics`) and
the stage network's mean probabilities over them
(:func:`~custom_components.radar_sleep.sleep.learning.adaptation.mean_output`), and writes
their medians (geometric means for the probabilities) and between-night spreads to
``custom_components/radar_sleep/sleep/staging/model_files/stage_adaptation.json``
(:class:`~custom_components.radar_sleep.sleep.learning.adaptation.AdaptationReference`).
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
from multiprocessing import get_context

import numpy as np

from custom_components.radar_sleep.simulation.scenarios import (
    LOWRATE_SEEDS,
    TRAIN_SEEDS,
    night_config,
)
from custom_components.radar_sleep.sleep.learning.adaptation import (
    REFERENCE_FILE,
    SPREAD_FLOOR,
    AdaptationReference,
    mean_output,
    night_statistics,
)
from training.evaluate.learning_adaptation import RecordedNight, record_config

ADAPTED = (False, False, True, True, False, True)
"""Inputs adapted: breath interval and amplitude variability and relative depth. Movement
comes from the device's own movement index, which the shifts the adaptation is for (gain,
noise, sampling, breathing) do not change; the relative rate's spread is quantised to 0 on
1-Hz devices (one breath more or less in the window), so it says nothing there."""


def _record(seed: int) -> RecordedNight:
    return record_config(night_config(seed))


def fit(nights: int, lowrate_nights: int, jobs: int) -> AdaptationReference:
    """The reference over ``nights`` 10-Hz and ``lowrate_nights`` low-rate training nights."""
    seeds = [TRAIN_SEEDS + i for i in range(nights)]
    seeds += [LOWRATE_SEEDS + i for i in range(lowrate_nights)]
    if jobs > 1:
        with get_context("spawn").Pool(jobs) as pool:
            recorded = pool.map(_record, seeds, chunksize=1)
    else:
        recorded = [_record(s) for s in seeds]
    return reference_of(recorded, nights, lowrate_nights)


def reference_of(
    recorded: list[RecordedNight], nights: int, lowrate_nights: int
) -> AdaptationReference:
    """The reference over recorded training nights (``nights`` and ``lowrate_nights`` of them)."""
    stats = [night_statistics(r.in_bed_rows()) for r in recorded]
    kept = [s for s in stats if s is not None]
    outputs = np.stack(
        [mean_output(r.in_bed_rows()) for r, st in zip(recorded, stats, strict=True) if st]
    )
    log_outputs = np.log(outputs)
    medians = np.stack([m for m, _ in kept])
    spreads = np.maximum(np.stack([s for _, s in kept]), SPREAD_FLOOR)
    return AdaptationReference(
        median=np.median(medians, axis=0),
        spread=np.median(spreads, axis=0),
        median_sd=np.std(medians, axis=0, ddof=1),
        log_spread_sd=np.std(np.log(spreads), axis=0, ddof=1),
        adapt=np.array(ADAPTED),
        output_mean=np.exp(np.mean(log_outputs, axis=0)),
        log_output_sd=np.std(log_outputs, axis=0, ddof=1),
        source={
            "data": "simulated training nights through the runtime pipeline",
            "seeds": f"{TRAIN_SEEDS}-{TRAIN_SEEDS + nights - 1},"
            f"{LOWRATE_SEEDS}-{LOWRATE_SEEDS + lowrate_nights - 1}",
            "nights": len(kept),
            "fitted_by": "python -m training.fit.adaptation",
        },
    )


def main(argv: list[str] | None = None) -> None:
    """Fit, write the file, print the reference as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=24)
    parser.add_argument("--lowrate-nights", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    reference = fit(args.nights, args.lowrate_nights, args.jobs)
    text = json.dumps(reference.to_dict(), indent=1) + "\n"
    REFERENCE_FILE.write_text(text, encoding="utf-8")
    print(json.dumps(reference.to_dict()))


if __name__ == "__main__":
    main()
