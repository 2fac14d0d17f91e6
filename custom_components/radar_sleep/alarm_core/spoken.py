"""Clock times as people say them to a voice assistant ("7", "6:30", "half past six", "7 pm").

Speech-to-text engines write times in many ways: digits with a colon or a dot ("6:30",
"6.30"), a bare hour ("7", "7 o'clock"), with "am"/"pm" or "in the morning/evening", or in
words ("six thirty", "quarter to seven", "half past six"). :func:`parse_clock_time` reads
them all into a :class:`datetime.time`; a bare hour without "am"/"pm" is read on the 24-hour
clock ("7" is 07:00, "19" is 19:00), as an alarm clock would.
"""

from __future__ import annotations

from datetime import time
import re
from typing import Final

_DAY_MIN: Final = 1440

_UNITS: Final = {
    "zero": 0,
    "oh": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS: Final = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_PM: Final = ("pm", "p.m.", "p.m", "in the evening", "in the afternoon")
_NIGHT: Final = ("at night", "tonight")
"""Like pm, except that twelve at night is midnight."""
_AM: Final = ("am", "a.m.", "a.m", "in the morning", "tomorrow morning")
_FILLER: Final = (
    "o'clock",
    "oclock",
    "o clock",
    "tomorrow",
    "sharp",
    "at",
    "about",
    "around",
)
"""Words around a time that do not change it ("at about midnight" is midnight)."""


def _number(words: list[str]) -> int | None:
    """A number from 0 to 59 written in English words ("forty five", "forty-five")."""
    if not words:
        return None
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    if len(words) == 1 and words[0] in _UNITS:
        return _UNITS[words[0]]
    if len(words) == 1 and words[0] in _TENS:
        return _TENS[words[0]]
    if len(words) == 2 and words[0] in _TENS and words[1] in _UNITS and _UNITS[words[1]] < 10:
        return _TENS[words[0]] + _UNITS[words[1]]
    if len(words) == 2 and words[0] == "oh" and words[1] in _UNITS and _UNITS[words[1]] < 10:
        return _UNITS[words[1]]
    return None


def _hour_minute(text: str) -> tuple[int, int] | None:
    """Hour and minute of a time without its am/pm part."""
    if text in ("noon", "midday"):
        return 12, 0
    if text == "midnight":
        return 0, 0
    if m := re.fullmatch(r"(\d{1,2})(?:\s*[:.h]\s*|\s+)(\d{2})", text):
        return int(m[1]), int(m[2])
    if m := re.fullmatch(r"(\d{1,2})(\d{2})", text):
        return int(m[1]), int(m[2])
    words = text.replace("-", " ").split()
    for lead, minutes in (("half past", 30), ("quarter past", 15), ("quarter to", -15)):
        lead_words = lead.split()
        if words[: len(lead_words)] == lead_words:
            hour = _number(words[len(lead_words) :])
            return None if hour is None else (hour, minutes)
    for i, word in enumerate(words):
        if word in ("past", "after", "to", "before"):
            minute = _number([w for w in words[:i] if w not in ("minutes", "minute")])
            hour = _number(words[i + 1 :])
            if minute is None or hour is None:
                return None
            return (hour, minute) if word in ("past", "after") else (hour, -minute)
    hour = _number(words)
    if hour is not None:
        return hour, 0
    # "six thirty", "seven forty five", "six oh five"
    for split in (1, 2):
        hour = _number(words[:split])
        minute = _number(words[split:])
        if hour is not None and minute is not None:
            return hour, minute
    return None


def parse_clock_time(text: str) -> time | None:
    """The clock time in ``text``, or ``None`` if it is not one.

    >>> parse_clock_time("half past six"), parse_clock_time("7 pm"), parse_clock_time("6.30")
    (datetime.time(6, 30), datetime.time(19, 0), datetime.time(6, 30))
    """
    clean = " ".join(text.lower().strip().strip("?!,").split())
    meridiem: str | None = None
    for words, which in ((_PM, "pm"), (_NIGHT, "night"), (_AM, "am")):
        for suffix in words:
            if clean.endswith(suffix):
                clean = clean[: -len(suffix)].strip()
                meridiem = which
                break
        if meridiem:
            break
    for filler in _FILLER:
        clean = re.sub(rf"(^|\s){re.escape(filler)}(\s|$)", " ", clean).strip()
    if (found := _hour_minute(clean)) is None:
        return None
    hour, minute = found
    # The hour said, on the 24-hour clock; "quarter to" and "ten to" count back from it.
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        if meridiem == "night" and hour == 12:
            hour = 0
        else:
            hour = hour % 12 + (0 if meridiem == "am" else 12)
    if not (0 <= hour <= 23 and -59 <= minute <= 59):
        return None
    total = (hour * 60 + minute) % _DAY_MIN
    return time(total // 60, total % 60)


def clock_minutes_before(earlier: float, later: float) -> int:
    """Whole minutes between the clock minutes of two instants (POSIX seconds), at least 0.

    06:31:30 is 29 minutes before 07:00, as "06:31" and "07:00" say (not 28.5 rounded): what
    an answer gives beside the two clock times agrees with them.
    """
    return max(int(later // 60) - int(earlier // 60), 0)


def minutes_between(start: time, end: time) -> int:
    """Minutes from ``start`` to the next ``end`` on the clock (0..1439), across midnight."""
    return (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % _DAY_MIN
