"""What Radar Sleep's sentences cost Assist per utterance: ``python -m bench.assist``.

Home Assistant's default agent matches every utterance against the registered sentence
triggers before its own intents, so Radar Sleep's templates (``assist.py``) are tried on
*every* command, "turn on the kitchen light" included. This bench builds the trigger's
sentences as the agent does (hassil ``Intents`` with every ``{slot}`` a wildcard, two trackers
named so that the tracker part is in) and times matching: utterances that are Radar Sleep
questions (found early or late in the templates, with and without wildcards) and commands
that are not (the full scan every other command pays). Each figure is the median over
``--repeats`` runs of the mean time per utterance in milliseconds. The last line printed is
one JSON object with every figure.

Needs the conversation integration's sentence parser, ``hassil`` (``requirements_test.txt``).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time

from hassil import Intents, recognize_all
from hassil.intents import WildcardSlotList

from custom_components.radar_sleep.assist import expand_templates

QUESTIONS = (
    "how did I sleep last night",
    "how much deep sleep did I get in the guest room",
    "when did I fall asleep",
    "wake me up between 6:30 and 7",
    "why did my alarm go off at 6:42",
)
OTHER_COMMANDS = (
    "turn on the kitchen light",
    "what is the temperature in the living room",
    "set a timer for 5 minutes",
)
TRACKERS = ["Bedroom", "Guest room"]


def trigger_intents() -> tuple[Intents, int]:
    """The trigger's sentences as the default agent builds them, and how many templates."""
    templates = list(expand_templates(TRACKERS))
    intents = Intents.from_dict(
        {"language": "en", "intents": {"RadarSleep": {"data": [{"sentences": templates}]}}}
    )
    for name in {m for t in templates for m in re.findall(r"\{(\w+)\}", t)}:
        intents.slot_lists[name] = WildcardSlotList(name)
    return intents, len(templates)


def match(intents: Intents, text: str) -> bool:
    """What the agent does with one utterance: the first result of the trigger, if any."""
    return next(iter(recognize_all(text, intents)), None) is not None


def mean_ms(intents: Intents, texts: tuple[str, ...], rounds: int) -> float:
    """Mean milliseconds per utterance over ``rounds`` passes through ``texts``."""
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            match(intents, text)
    return (time.perf_counter() - start) * 1000 / (rounds * len(texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--rounds", type=int, default=5, help="passes through the utterances")
    args = parser.parse_args()
    intents, templates = trigger_intents()
    assert all(match(intents, q) for q in QUESTIONS), "a question did not match"
    assert not any(match(intents, c) for c in OTHER_COMMANDS), "another command matched"
    figures: dict[str, float] = {"templates": templates}
    for key, texts in (("question_ms", QUESTIONS), ("other_command_ms", OTHER_COMMANDS)):
        runs = [mean_ms(intents, texts, args.rounds) for _ in range(args.repeats)]
        figures[key] = round(statistics.median(runs), 3)
    for key, value in figures.items():
        print(f"{key:>18}: {value}")
    print(json.dumps({f"assist.{k}": v for k, v in figures.items()}))


if __name__ == "__main__":
    main()
