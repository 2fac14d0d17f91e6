"""Seven simulated nights back to back in one Home Assistant: ``python -m bench.soak``.

One Home Assistant process (:class:`bench.hass.HassProcess`) with one tracker on the simulated
bedroom played as fast as it goes (speed 0) runs until ``--nights`` nights (default 7) are
stored. It prints

- ``rss_growth_mb_per_night``: the slope (least squares) of the resident memory at each
  night's end (five seconds after its summary is stored: the median of six readings over
  three seconds) over nights 2 to N (the first night also pays for one-off loading), and
  ``rss_growth_mb_per_night_all`` over every night; ``rss_night_<n>_mb`` each night's;
- ``stored_nights`` against ``retention`` (the tracker's history option);
- from Home Assistant's log: ``blocking_calls`` ("Detected blocking call" lines), and the
  ``warnings`` and ``errors`` not also logged by the same Home Assistant without the integration
  (a short run first: this machine's own, such as a missing ``ffmpeg``), with ``_total`` the
  counts of every warning and error line;
- ``summary_complete``: 1 when the last night's stored summary has a value for every field the
  first night's has (``summary_fields_first``, ``summary_fields_last``).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
from functools import partial
import json
import re
import time
from typing import Any

import numpy as np

from bench.hass import HassProcess

NIGHT_TIMEOUT_S = 600.0
SETTLE_DELAY_S = 5.0
SETTLE_SAMPLES = 6
BASELINE_SETTLE_S = 10.0
BLOCKING = "Detected blocking call"
_LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d [\d:.]+ (?P<level>WARNING|ERROR|CRITICAL) \((?P<thread>[^)]*)\) "
    r"\[(?P<logger>[^\]]+)\] (?P<message>.*)$"
)


def log_lines(text: str) -> list[tuple[str, str, str]]:
    """The warning and error lines of a Home Assistant log: (level, logger, message)."""
    found = []
    for line in text.splitlines():
        if match := _LOG_LINE.match(line):
            level = "ERROR" if match["level"] == "CRITICAL" else match["level"]
            found.append((level, match["logger"], match["message"]))
    return found


def filled_fields(summary: dict[str, Any]) -> set[str]:
    """The fields of a stored night summary that have a value (one level into dicts)."""
    fields: set[str] = set()
    for key, value in summary.items():
        if isinstance(value, dict):
            fields |= {f"{key}.{k}" for k, v in value.items() if v not in (None, "", [], {})}
        elif value not in (None, "", [], {}):
            fields.add(key)
    return fields


def slope(values: dict[int, float]) -> float:
    """Least-squares slope of ``values`` against their keys (0 for fewer than two)."""
    if len(values) < 2:
        return 0.0
    return float(np.polyfit(list(values), list(values.values()), 1)[0])


def more_nights(hass: HassProcess, seen: int) -> bool:
    """Whether more than ``seen`` nights are stored."""
    return len(hass.stored_nights()) > seen


def retention(hass: HassProcess) -> int:
    """The tracker's history option (how many nights it keeps)."""
    from custom_components.radar_sleep.const import (  # noqa: PLC0415
        CONF_HISTORY_NIGHTS,
        DEFAULT_HISTORY_NIGHTS,
    )

    path = hass.config_dir / ".storage" / "core.config_entries"
    entries = json.loads(path.read_text(encoding="utf-8"))["data"]["entries"]
    for entry in entries:
        if entry["domain"] == "radar_sleep":
            return int(entry["options"].get(CONF_HISTORY_NIGHTS, DEFAULT_HISTORY_NIGHTS))
    raise RuntimeError("no Radar Sleep entry")


def baseline_signatures() -> set[tuple[str, str]]:
    """(level, logger) of the warnings and errors Home Assistant logs here without the tracker."""
    with HassProcess(tracker=False) as hass:
        time.sleep(BASELINE_SETTLE_S)
        hass.stop()
        return {(level, logger) for level, logger, _ in log_lines(hass.log_text())}


def run(nights: int, seed: int = 1) -> dict[str, float]:
    """Play ``nights`` nights in one Home Assistant; the figures of the module docstring."""
    known = baseline_signatures()
    rss: dict[int, float] = {}
    walls: list[float] = []
    with HassProcess(tracker=True, speed=0.0, seed=seed) as hass:
        stored = 0
        while stored < nights:
            hass.wait_for(
                partial(more_nights, hass, stored), NIGHT_TIMEOUT_S, f"night {stored + 1}"
            )
            stored = len(hass.stored_nights())
            memory = hass.settled_memory_mb(SETTLE_DELAY_S, SETTLE_SAMPLES)
            rss[stored] = memory["rss"]
            walls.append(time.monotonic() - hass.started_at)
            print(
                f"night {stored}: RSS {memory['rss']:.1f} MB (anonymous {memory['anon']:.1f}), "
                f"{walls[-1]:.0f} s after the start",
                flush=True,
            )
        kept = hass.stored_nights()
        limit = retention(hass)
        hass.stop()
        lines = log_lines(hass.log_text())
        blocking = hass.log_text().count(BLOCKING)
    new = [line for line in lines if (line[0], line[1]) not in known]
    for level, logger, message in new:
        print(f"log: {level} [{logger}] {message[:200]}")
    first, last = filled_fields(kept[0]), filled_fields(kept[-1])
    if missing := sorted(first - last):
        print(f"the last night's summary lacks: {', '.join(missing)}")
    figures: dict[str, float] = {
        "rss_growth_mb_per_night": round(slope({n: v for n, v in rss.items() if n > 1}), 2),
        "rss_growth_mb_per_night_all": round(slope(rss), 2),
    }
    figures |= {f"rss_night_{n}_mb": round(value, 1) for n, value in rss.items()}
    figures |= {
        "nights": nights,
        "stored_nights": len(kept),
        "retention": limit,
        "blocking_calls": blocking,
        "warnings": sum(level == "WARNING" for level, _, _ in new),
        "errors": sum(level == "ERROR" for level, _, _ in new),
        "warnings_total": sum(level == "WARNING" for level, _, _ in lines),
        "errors_total": sum(level == "ERROR" for level, _, _ in lines),
        "summary_fields_first": len(first),
        "summary_fields_last": len(last),
        "summary_complete": float(first <= last),
        "wall_s_per_night": round(walls[-1] / nights, 1),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    figures = run(args.nights, args.seed)
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    print(json.dumps({f"soak.{key}": value for key, value in figures.items()}))


if __name__ == "__main__":
    main()
