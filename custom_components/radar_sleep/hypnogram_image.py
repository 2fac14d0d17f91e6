"""The night as a picture: a hypnogram PNG drawn with Pillow (which ships with Home Assistant).

Stages over clock time, one row each (awake at the top, then REM, light, deep, as sleep
laboratories draw them: Rechtschaffen A, Kales A, *A manual of standardized terminology,
techniques and scoring system for sleep stages of human subjects*, 1968), a legend, the
moments the user went to bed, fell asleep and finally woke, and the night's headline numbers
(the metrics of Menghini et al. 2021), and, when the bedroom's sensors were recorded, the room
while asleep (mean temperature, humidity and light) beside the title. What the user taught
about the night is marked in teal: a moment as a solid line across the stages, a time range as
a bar under them, and labels without a time ("slept badly") in words under the headline.
1080 x 720 pixels: readable on a phone's card.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
import io

from homeassistant.const import UnitOfTemperature
from homeassistant.util.unit_conversion import TemperatureConverter
from PIL import Image, ImageDraw, ImageFont

from .contracts import EPOCH_SECONDS, LabelKind, NightSummary, Stage

WIDTH = 1080
HEIGHT = 720
BACKGROUND = (255, 255, 255)
INK = (33, 33, 33)
GRID = (224, 224, 224)
MARKER = (117, 117, 117)
TAUGHT = (0, 150, 136)
"""What the user taught: lines, bars and words in teal."""
TAUGHT_WORDS = {
    LabelKind.READING_UNTIL: "reading until",
    LabelKind.FELL_ASLEEP_AT: "fell asleep around",
    LabelKind.AWAKE_AT: "awake",
    LabelKind.WAS_PARTNER: "partner",
    LabelKind.SLEPT_BADLY: "slept badly",
}
TAUGHT_TAGS = {
    LabelKind.READING_UNTIL: "reading",
    LabelKind.FELL_ASLEEP_AT: "asleep",
    LabelKind.AWAKE_AT: "awake",
    LabelKind.WAS_PARTNER: "partner",
}
"""The word tagging each taught moment or range at the top of the stages (what it says)."""
TAG_ROW = 26
"""Tags too close to the one before them go on the next row down (three rows, then over)."""
STAGE_COLOURS: dict[Stage, tuple[int, int, int]] = {
    Stage.WAKE: (239, 108, 0),
    Stage.REM: (142, 36, 170),
    Stage.LIGHT: (66, 165, 245),
    Stage.DEEP: (26, 35, 126),
}
"""One colour per stage, told apart also by its row (colour-blind readers)."""
ROWS = (Stage.WAKE, Stage.REM, Stage.LIGHT, Stage.DEEP)
"""Rows from the top."""
LABELS = {Stage.WAKE: "Awake", Stage.REM: "REM", Stage.LIGHT: "Light", Stage.DEEP: "Deep"}
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 130, WIDTH - 40, 200, HEIGHT - 140


def format_duration(minutes: float) -> str:
    """``7 h 12 min``, ``45 min``: whole minutes, as Home Assistant shows durations."""
    total = round(minutes)
    hours, mins = divmod(total, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


ROOM_LINE_RIGHT, ROOM_LINE_Y = WIDTH - 40, 47
"""The room line ends here, on the title's row (clear of the headline and the markers)."""


def render_hypnogram(
    summary: NightSummary,
    time_zone: tzinfo,
    temperature_unit: str = UnitOfTemperature.CELSIUS,
) -> bytes | None:
    """The night's hypnogram as PNG bytes, or ``None`` when the night has no stages.

    Clock times are shown in ``time_zone`` and temperatures in ``temperature_unit`` (Home
    Assistant's).
    """
    if not summary.hypnogram:
        return None
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title = ImageFont.load_default(size=38)
    text = ImageFont.load_default(size=26)
    small = ImageFont.load_default(size=22)

    start = min(summary.session_start, summary.hypnogram_start)
    hyp_end = summary.hypnogram_start + timedelta(seconds=EPOCH_SECONDS * len(summary.hypnogram))
    end = max(summary.session_end, hyp_end)
    span = max((end - start).total_seconds(), EPOCH_SECONDS)

    def x_of(when: datetime) -> float:
        return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * (when - start).total_seconds() / span

    row_h = (PLOT_BOTTOM - PLOT_TOP) / len(ROWS)

    draw.text((40, 24), f"Night of {summary.night:%a %d %b %Y}", font=title, fill=INK)
    draw.text((40, 80), _headline(summary), font=text, fill=INK)
    if room := room_line(summary, temperature_unit):
        draw.text((ROOM_LINE_RIGHT, ROOM_LINE_Y), room, font=small, fill=MARKER, anchor="rm")

    for i, stage in enumerate(ROWS):  # row labels and guides
        top = PLOT_TOP + i * row_h
        draw.line((PLOT_LEFT, top + row_h / 2, PLOT_RIGHT, top + row_h / 2), fill=GRID)
        draw.text((40, top + row_h / 2), LABELS[stage], font=text, fill=INK, anchor="lm")

    hour = start.astimezone(time_zone).replace(minute=0, second=0, microsecond=0)
    while hour <= end:  # hour ticks in local time
        if hour >= start:
            x = x_of(hour)
            draw.line((x, PLOT_TOP, x, PLOT_BOTTOM), fill=GRID)
            draw.text((x, PLOT_BOTTOM + 10), f"{hour:%H:%M}", font=small, fill=INK, anchor="mt")
        hour = (hour + timedelta(hours=1)).astimezone(time_zone)

    epoch = timedelta(seconds=EPOCH_SECONDS)
    for stage, first, last in _runs(summary.hypnogram):  # one block per run of a stage
        top = PLOT_TOP + ROWS.index(stage) * row_h + row_h * 0.15
        x0 = x_of(summary.hypnogram_start + first * epoch)
        x1 = x_of(summary.hypnogram_start + (last + 1) * epoch)
        draw.rectangle((x0, top, x1, top + row_h * 0.7), fill=STAGE_COLOURS[stage])

    markers = (
        ("In bed", summary.session_start),
        ("Asleep", summary.sleep_onset),
        ("Awake", summary.final_wake),
    )
    for n, (label, when) in enumerate(markers):
        if when is None:
            continue
        x = x_of(when)
        for y in range(PLOT_TOP - 6, PLOT_BOTTOM, 12):  # dashed line
            draw.line((x, y, x, min(y + 6, PLOT_BOTTOM)), fill=MARKER, width=2)
        stamp = f"{label} {when.astimezone(time_zone):%H:%M}"
        half = draw.textlength(stamp, font=small) / 2
        centre = min(max(x, half + 10), WIDTH - half - 10)  # the whole label on the picture
        draw.text((centre, PLOT_TOP - 10 - 26 * (n % 2)), stamp, font=small, fill=INK, anchor="mb")

    _draw_labels(draw, summary, x_of, small)

    x = PLOT_LEFT
    for stage in ROWS:  # legend
        draw.rectangle((x, HEIGHT - 60, x + 26, HEIGHT - 34), fill=STAGE_COLOURS[stage])
        draw.text((x + 36, HEIGHT - 47), LABELS[stage], font=text, fill=INK, anchor="lm")
        x += 36 + int(draw.textlength(LABELS[stage], font=text)) + 48
    if any(label.start is not None for label in summary.labels):  # the taught marks' key
        draw.rectangle((x + 11, HEIGHT - 60, x + 15, HEIGHT - 34), fill=TAUGHT)
        draw.text((x + 36, HEIGHT - 47), "You said", font=text, fill=INK, anchor="lm")

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_labels(
    draw: ImageDraw.ImageDraw,
    summary: NightSummary,
    x_of: Callable[[datetime], float],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    """Mark what the user taught.

    Moments as lines, ranges as bars under the stages, each tagged with a word at the top of
    the stages ("awake", "partner"); the rest in words under the headline.
    """
    untimed: list[str] = []
    row_ends: list[float] = []
    """Where the last tag of each row of tags ends."""
    for label in sorted(summary.labels, key=lambda lab: lab.start or summary.session_start):
        if label.start is None:
            untimed.append(
                TAUGHT_WORDS[label.kind]
                + (" all night" if label.kind is LabelKind.WAS_PARTNER else "")
            )
            continue
        x0 = min(max(x_of(label.start), PLOT_LEFT), PLOT_RIGHT)
        if label.end is None:
            draw.line((x0, PLOT_TOP, x0, PLOT_BOTTOM), fill=TAUGHT, width=3)
        else:
            x1 = min(max(x_of(label.end), PLOT_LEFT), PLOT_RIGHT)
            draw.rectangle((x0, PLOT_BOTTOM + 2, max(x1, x0 + 3), PLOT_BOTTOM + 8), fill=TAUGHT)
        tag = TAUGHT_TAGS[label.kind]
        width = draw.textlength(tag, font=font)
        left = x0 + 5 if x0 + 5 + width <= PLOT_RIGHT else x0 - 5 - width  # on the plot
        row = next((n for n, end in enumerate(row_ends) if left > end + 6), len(row_ends))
        if row == len(row_ends) < 3:
            row_ends.append(left + width)
        else:
            row = min(row, min(range(len(row_ends)), key=row_ends.__getitem__))
            row_ends[row] = left + width
        draw.text((left, PLOT_TOP + 2 + TAG_ROW * row), tag, font=font, fill=TAUGHT)
    if untimed:
        draw.text((40, 112), "You said: " + ", ".join(untimed), font=font, fill=TAUGHT)


def _runs(hypnogram: tuple[Stage, ...]) -> list[tuple[Stage, int, int]]:
    """Runs of one stage: ``(stage, first epoch, last epoch)`` in order."""
    runs: list[tuple[Stage, int, int]] = []
    for k, stage in enumerate(hypnogram):
        if runs and runs[-1][0] is stage and runs[-1][2] == k - 1:
            runs[-1] = (stage, runs[-1][1], k)
        else:
            runs.append((stage, k, k))
    return runs


def _headline(summary: NightSummary) -> str:
    """Total sleep, efficiency, deep and REM sleep, or what the night lacks."""
    m = summary.metrics
    if m is None:
        return "No sleep stages for this night"
    return (
        f"Slept {format_duration(m.tst_min)} · efficiency {m.se_pct:.0f} % · "
        f"deep {format_duration(m.deep_min)} · REM {format_duration(m.rem_min)}"
    )


def room_line(summary: NightSummary, temperature_unit: str = UnitOfTemperature.CELSIUS) -> str:
    """``Room 19.2 °C · 45 % · 0.4 lx`` (while asleep); empty when nothing was recorded."""
    parts: list[str] = []
    if (celsius := summary.room_temperature_c) is not None:
        value = TemperatureConverter.convert(celsius, UnitOfTemperature.CELSIUS, temperature_unit)
        parts.append(f"{value:.1f} {temperature_unit}")
    if summary.room_humidity_pct is not None:
        parts.append(f"{summary.room_humidity_pct:.0f} %")
    if summary.room_illuminance_lx is not None:
        parts.append(f"{summary.room_illuminance_lx:g} lx")
    return "Room " + " · ".join(parts) if parts else ""
