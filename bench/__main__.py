"""Every speed figure of the project in one run: ``python -m bench`` (``scripts/bench``).

1. ``pipeline.*``: the sleep pipeline on simulated nights (:mod:`bench.pipeline`: simulator
   frames per second, ``push`` microseconds per frame, ``process_epoch`` milliseconds per
   epoch, x real time), median over ``--repeats`` nights (default 3);
2. ``engine.*``: per-epoch inference of the shipped stage and intent models, numpy and
   onnxruntime backends (:mod:`bench.engine`; goal <= 5 ms, numpy), median of ``--repeats``
   runs (default 5);
3. ``parse.<family>.*``: byte-parser throughput of each serial family in MB/s for valid,
   random and mutated streams, decoded frames per second, assembler cost per message
   (:mod:`bench.parsers`), median of ``--repeats`` runs (default 5);
4. ``fmcw.*``: the raw-FMCW chain as a multiple of real time for 20-Hz 3-RX frames
   (:mod:`bench.fmcw`; goal >= 2000x for one person in 1-s batches), median of ``--repeats``
   runs (default 3); with ``--fmcw-accuracy`` also its worst errors;
5. ``analyze.*``: ``analyze`` on an 8-hour 10-Hz breathing recording (:mod:`bench.analyze`),
   median of ``--repeats`` runs (default 3) with min and max;
6. ``ha.*``: what one tracker costs a real Home Assistant process (:mod:`bench.ha`): resident
   memory with and without the integration (goals: <= 120 MB, <= 40 MB beyond the imports of
   numpy and scipy), and its CPU share at speed 1 over three minutes; median of ``--repeats``
   pairs of processes (default 3) with min and max.

The process (and the Home Assistant it starts) is pinned to one CPU and BLAS/FFT threads to 1.
``--quick`` (a smoke run) uses one repeat each, smaller parser streams and 30 s of CPU
sampling; ``--sections`` picks sections. The last line printed is one JSON object with every
figure, keys prefixed by their section.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from bench import (
    analyze as bench_analyze,
    engine as bench_engine,
    fmcw as bench_fmcw,
    ha as bench_ha,
    parsers as bench_parsers,
    pipeline,
)

SECTIONS = ("pipeline", "engine", "parse", "fmcw", "analyze", "ha")

QUICK_PARSER_MEGABYTES = 0.25


def pipeline_figures(repeats: int) -> dict[str, float]:
    """:mod:`bench.pipeline`'s figures: medians over ``repeats`` nights (seeds 0, 1, ...)."""
    runs = [pipeline.one_run(seed) for seed in range(repeats)]
    figures = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
    print(f"sleep pipeline (one simulated night, median of {repeats}):")
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=None, help="repeats of every bench (default: per bench)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: one repeat, small streams")
    parser.add_argument(
        "--fmcw-accuracy", action="store_true", help="also run the FMCW accuracy scenes"
    )
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=SECTIONS,
        default=list(SECTIONS),
        help="the sections to run (default: all)",
    )
    args = parser.parse_args()
    quick = 1 if args.quick else None
    repeats = {
        "pipeline": args.repeats or quick or 3,
        "engine": args.repeats or quick or 5,
        "parse": args.repeats or quick or bench_parsers.DEFAULT_REPEATS,
        "fmcw": args.repeats or quick or 3,
        "analyze": args.repeats or quick or 3,
        "ha": args.repeats or quick or 3,
    }
    megabytes = QUICK_PARSER_MEGABYTES if args.quick else bench_parsers.DEFAULT_MEGABYTES
    bench_fmcw.pin_one_core()
    start = time.perf_counter()
    sections: dict[str, dict[str, float | None]] = {}

    if "pipeline" in args.sections:
        sections["pipeline"] = dict(pipeline_figures(repeats["pipeline"]))
        print()
    if "engine" in args.sections:
        sections["engine"] = bench_engine.run(repeats["engine"])
        bench_engine.print_table(sections["engine"], repeats["engine"])
        print()
    if "parse" in args.sections:
        parse = bench_parsers.run(repeats["parse"], megabytes)
        bench_parsers.print_table(parse, repeats["parse"])
        sections["parse"] = dict(parse)
        print()
    if "fmcw" in args.sections:
        sections["fmcw"] = bench_fmcw.run(repeats["fmcw"], with_accuracy=args.fmcw_accuracy)
        print()
    if "analyze" in args.sections:
        analyzed = bench_analyze.run(repeats["analyze"])
        bench_analyze.print_table(analyzed)
        sections["analyze"] = dict(analyzed)
        print()
    if "ha" in args.sections:
        cpu_seconds = bench_ha.CPU_WINDOW_S if args.quick else 180.0
        hass = bench_ha.run(repeats["ha"], cpu_seconds)
        bench_ha.print_table(hass)
        sections["ha"] = dict(hass)

    merged: dict[str, float | None] = {}
    for section, figures in sections.items():
        merged.update({f"{section}.{key}": value for key, value in figures.items()})
        merged[f"{section}.repeats"] = repeats[section]
    print(f"\nall benches: {time.perf_counter() - start:.0f} s")
    print(json.dumps(merged))


if __name__ == "__main__":
    main()
