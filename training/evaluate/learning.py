"""What the tracker learns from its user, measured: ``python -m training.evaluate learning``.

Three measurements on simulated users, each in its own module and process:

``adaptation``  the stage model adapting to a shifted radar and body over a user's own
                unlabelled nights (:mod:`training.evaluate.learning_adaptation`)
``alarm``       the smart alarm learning from snoozes, dismissals and getting up
                (:mod:`training.evaluate.learning_alarm`)
``teaching``    intent onsets after the user taught five nights
                (:mod:`training.evaluate.learning_teaching`)

Each prints its own report; the last line printed is one JSON object: every part's figures
under their dotted names (``adaptation.kappa_shifted``, ``alarm_learning.fraction_of_way``,
``teaching.onset_error_after_min`` ...), flat, plus ``seconds``. ``--cache DIR`` keeps the
adaptation's simulated nights (about 35 minutes on 2 cores the first time; a few minutes after).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

PARTS: dict[str, str] = {
    "adaptation": "training.evaluate.learning_adaptation",
    "alarm": "training.evaluate.learning_alarm",
    "teaching": "training.evaluate.learning_teaching",
}
"""Each part's module; each one's ``main`` prints its figures as its last line."""


def run_printing(command: list[str]) -> tuple[int, dict[str, Any]]:
    """Run an evaluation, printing its report as it comes; its exit code and last JSON line."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        line = ""
        for line in proc.stdout:
            print(line, end="", flush=True)
    if proc.returncode:
        return proc.returncode, {}
    figures: dict[str, Any] = json.loads(line)
    return 0, figures


def part_command(name: str, quick: bool = False, cache: str | None = None) -> list[str]:
    """The command that runs part ``name``; ``cache`` is the adaptation's folder of nights."""
    command = [sys.executable, "-m", PARTS[name]]
    if quick:
        command.append("--quick")
    if cache is not None and name == "adaptation":
        command += ["--cache", cache]
    return command


def main(argv: list[str] | None = None) -> int:
    """Run every part (or the ones named) in turn; last, their figures as one object."""
    parser = argparse.ArgumentParser(prog="python -m training.evaluate learning")
    parser.add_argument("parts", nargs="*", help=f"some of {', '.join(PARTS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="a few nights each, a smoke run")
    parser.add_argument(
        "--cache",
        help="a folder keeping the adaptation's simulated nights (its --cache), to compute the"
        " figures again in minutes",
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    started = time.monotonic()
    figures: dict[str, Any] = {}
    for name in args.parts or list(PARTS):
        print(f"== {name}", flush=True)
        code, part = run_printing(part_command(name, args.quick, args.cache))
        if code:
            return code
        figures.update(part)
    figures["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
