"""What one tracker costs a real Home Assistant: ``python -m bench.ha``.

Memory: Home Assistant (:class:`bench.hass.HassProcess`: ``scripts/develop``'s components on a
temporary configuration folder, nothing downloaded) is started with one tracker on the
simulated bedroom played as fast as it goes (speed 0) and measured ten seconds after the first
night's summary is stored (the median of ten readings over five seconds: the next night is
then playing); then the same process without the integration, measured after it settled.

- ``rss_overhead_mb``: resident memory with the tracker less without it (goal <= 120 MB);
- ``rss_beyond_imports_mb``: the same less what importing ``numpy`` and ``scipy.signal``
  costs a bare Python (``import_numpy_scipy_mb``; goal <= 40 MB);
- ``anon_overhead_mb``, ``hwm_overhead_mb``: the anonymous part of the overhead and the peak's;
- ``onnxruntime_import_mb``: what importing ``onnxruntime`` adds to a bare Python with numpy
  and scipy (the stage networks run through it when it is installed);
- ``night_wall_s``: how long the first night took to play;
- ``cpu_pct_realtime``: share of one core (all threads) the process with the tracker uses at
  speed 1 over ``--cpu-seconds`` (default 180 s: the first minutes of a simulated night)
  after it settled, with the lowest and highest of its 30-s windows (``/proc`` counts CPU time
  in 10-ms ticks: a window resolves 0.03 %); ``cpu_pct_idle``: the process without the
  integration over its settling.

Each memory figure is the median over ``--repeats`` runs (pairs of processes, default 3) with
its minimum and maximum (``_min``, ``_max``). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from bench.hass import HassProcess, bare_import_mb

GOAL_OVERHEAD_MB = 120.0
GOAL_BEYOND_IMPORTS_MB = 40.0
NIGHT_TIMEOUT_S = 900.0
SETTLE_S = 20.0
CPU_WINDOW_S = 30.0
RUNTIME_IMPORTS = "numpy, scipy.signal"


def spread(name: str, values: list[float], digits: int = 1) -> dict[str, float]:
    """``name`` as the median of ``values`` with ``name_min`` and ``name_max``."""
    return {
        name: round(statistics.median(values), digits),
        f"{name}_min": round(min(values), digits),
        f"{name}_max": round(max(values), digits),
    }


def import_cost_mb(modules: str, over: str = "", repeats: int = 3) -> dict[str, float]:
    """RSS and anonymous MB that importing ``modules`` adds to a bare Python importing ``over``."""
    base = [bare_import_mb(over) for _ in range(repeats)]
    more = [bare_import_mb(f"{over}, {modules}" if over else modules) for _ in range(repeats)]
    return {
        key: statistics.median(m[key] for m in more) - statistics.median(b[key] for b in base)
        for key in ("rss", "anon")
    }


def with_tracker(seed: int) -> tuple[dict[str, float], float]:
    """Memory of Home Assistant with one tracker when its first night is stored; the wall time."""
    with HassProcess(tracker=True, speed=0.0, seed=seed) as hass:
        hass.wait_for(lambda: len(hass.stored_nights()) >= 1, NIGHT_TIMEOUT_S, "night summary")
        wall = time.monotonic() - hass.started_at
        return hass.settled_memory_mb(), wall


def without_tracker(settle_s: float) -> tuple[dict[str, float], float]:
    """Memory of Home Assistant without the integration once settled; its idle CPU share."""
    with HassProcess(tracker=False) as hass:
        time.sleep(settle_s / 2)
        cpu0, t0 = hass.cpu_seconds(), time.monotonic()
        time.sleep(settle_s / 2)
        idle = 100 * (hass.cpu_seconds() - cpu0) / (time.monotonic() - t0)
        return hass.settled_memory_mb(0.0), idle


def cpu_at_speed_1(seconds: float, settle_s: float) -> tuple[float, list[float]]:
    """CPU share of one core of Home Assistant with a tracker at speed 1: overall, per window."""
    windows = max(1, round(seconds / CPU_WINDOW_S))
    shares = []
    with HassProcess(tracker=True, speed=1.0) as hass:
        time.sleep(settle_s)
        start_cpu, start = hass.cpu_seconds(), time.monotonic()
        for _ in range(windows):
            cpu0, t0 = hass.cpu_seconds(), time.monotonic()
            time.sleep(seconds / windows)
            shares.append(100 * (hass.cpu_seconds() - cpu0) / (time.monotonic() - t0))
        overall = 100 * (hass.cpu_seconds() - start_cpu) / (time.monotonic() - start)
    return overall, shares


def run(repeats: int, cpu_seconds: float, settle_s: float = SETTLE_S) -> dict[str, float]:
    """Every figure of the module docstring."""
    imports = import_cost_mb(RUNTIME_IMPORTS)
    onnx = import_cost_mb("onnxruntime", over=RUNTIME_IMPORTS)
    overhead: list[float] = []
    anon: list[float] = []
    hwm: list[float] = []
    walls: list[float] = []
    idles: list[float] = []
    rss_with: list[float] = []
    rss_without: list[float] = []
    for seed in range(1, repeats + 1):
        tracked, wall = with_tracker(seed)
        bare, idle = without_tracker(settle_s)
        print(
            f"run {seed}: with the tracker {tracked['rss']:.0f} MB (anonymous "
            f"{tracked['anon']:.0f}, peak {tracked['hwm']:.0f}), without {bare['rss']:.0f} MB "
            "(anonymous "
            f"{bare['anon']:.0f}); night played in {wall:.0f} s",
            flush=True,
        )
        overhead.append(tracked["rss"] - bare["rss"])
        anon.append(tracked["anon"] - bare["anon"])
        hwm.append(tracked["hwm"] - bare["hwm"])
        walls.append(wall)
        idles.append(idle)
        rss_with.append(tracked["rss"])
        rss_without.append(bare["rss"])
    overall, shares = cpu_at_speed_1(cpu_seconds, settle_s)
    print(f"CPU at speed 1, {CPU_WINDOW_S:.0f}-s windows: {[round(s, 3) for s in shares]} %")
    figures: dict[str, float] = {}
    figures |= spread("rss_overhead_mb", overhead)
    figures |= spread("rss_beyond_imports_mb", [o - imports["rss"] for o in overhead])
    figures |= spread("anon_overhead_mb", anon)
    figures |= spread("hwm_overhead_mb", hwm)
    figures |= spread("rss_with_tracker_mb", rss_with)
    figures |= spread("rss_without_mb", rss_without)
    figures["import_numpy_scipy_mb"] = round(imports["rss"], 1)
    figures["import_numpy_scipy_anon_mb"] = round(imports["anon"], 1)
    figures["onnxruntime_import_mb"] = round(onnx["rss"], 1)
    figures |= spread("night_wall_s", walls)
    figures["cpu_pct_realtime"] = round(overall, 3)
    figures["cpu_pct_realtime_min"] = round(min(shares), 3)
    figures["cpu_pct_realtime_max"] = round(max(shares), 3)
    figures |= spread("cpu_pct_idle", idles, 2)
    figures["goal_overhead_mb"] = GOAL_OVERHEAD_MB
    figures["goal_beyond_imports_mb"] = GOAL_BEYOND_IMPORTS_MB
    figures["repeats"] = repeats
    figures["cpu_seconds"] = cpu_seconds
    return figures


def print_table(figures: dict[str, float]) -> None:
    """Readable summary."""
    print("Home Assistant with one tracker (medians, min-max):")
    for key, value in figures.items():
        if key.endswith(("_min", "_max")):
            continue
        low, high = figures.get(f"{key}_min"), figures.get(f"{key}_max")
        extra = f"  ({low} - {high})" if low is not None else ""
        print(f"{key:>28}: {value}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cpu-seconds", type=float, default=180.0)
    parser.add_argument("--quick", action="store_true", help="one pair, 30 s of CPU sampling")
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    cpu = CPU_WINDOW_S if args.quick else args.cpu_seconds
    figures = run(repeats, cpu)
    print_table(figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
