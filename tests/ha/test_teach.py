"""Teaching and explanations with Home Assistant: the action, the sentences, the picture, reset.

The fixed night (``fixed.py``) is 22 November 2026 in Berlin (UTC+1): in bed 22:40 to 06:55,
scored from 22:55 to 23:15, epoch by epoch (30 s): 22:55-22:58 awake (epochs 0-5), light
(6-15), 23:03-23:07 deep (16-23), light (24-27), REM (28-33), awake (34-35), light (36-39).
Its model onset ("lights off") is 22:55. The notes written below give every awake epoch
"678" (moving now and then: 0.30; irregular breathing: 0.28; sure: 0.8) and every other
"019" (lying still; very regular breathing: 0.04; sure: 0.9).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
import io
import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.radar_sleep.const import DOMAIN
from custom_components.radar_sleep.contracts import LabelKind, Stage, TeachingLabel
from custom_components.radar_sleep.hypnogram_image import render_hypnogram

from . import fixed
from .fixed import NIGHT, NIGHTS, async_respond, async_setup_assist, async_setup_fixed

TRANSLATIONS = json.loads(
    (
        Path(__file__).resolve().parents[2] / "custom_components/radar_sleep/translations/en.json"
    ).read_text(encoding="utf-8")
)

MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
"""09:00 in Berlin, the morning after :data:`NIGHT`."""
NOTES = "".join("678" if s is Stage.WAKE else "019" for s in NIGHT.hypnogram)
NOTED = tuple(replace(n, epoch_notes=NOTES) for n in NIGHTS)
TEAL = (0, 150, 136)
PICTURE = "image.bedroom_last_night_hypnogram"
KEY = f"{DOMAIN}.{{}}"


@pytest.fixture
async def tracker(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """The fixed tracker (nights with notes) on the morning after, with Assist."""
    freezer.move_to(MORNING)
    with patch.object(fixed, "NIGHTS", NOTED):
        await async_setup_fixed(
            hass, mock_config_entry, hass_storage, [Platform.SENSOR, Platform.IMAGE]
        )
    await async_setup_assist(hass)
    return mock_config_entry


async def teach(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> dict[str, Any]:
    return await async_respond(hass, entry, "teach", **data)


async def get_night(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> dict[str, Any]:
    return await async_respond(hass, entry, "get_night", **data)


async def ask(hass: HomeAssistant, text: str) -> str:
    result = await conversation.async_converse(hass, text, None, Context(), language="en")
    await hass.async_block_till_done()
    speech: str = result.response.speech["plain"]["speech"]
    return speech


def saved_labels(hass_storage: dict[str, Any], entry: MockConfigEntry) -> list[dict[str, Any]]:
    labels: list[dict[str, Any]] = hass_storage[KEY.format(entry.entry_id)]["data"]["nights"][-1][
        "labels"
    ]
    return labels


async def flush(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the store's delayed write happen."""
    freezer.tick(timedelta(seconds=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_teach_action_keeps_the_label_learns_and_survives_a_restart(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    # Last night: not trying to sleep until 23:00 Berlin (22:00 UTC), 5 min after the model's
    # 22:55. Epochs 0-9 are taught awake; the model had 0-5 awake and 6-9 light: taught
    # wake odds (10+1)/(0+1) = 11, the model's (6+1)/(4+1) = 1.4: 7.9, bounded to 2.
    answer = await teach(hass, tracker, kind="reading_until", time="23:00")
    assert answer["night"] == "2026-11-22"
    assert answer["labels"] == [
        {
            "kind": "reading_until",
            "start": "2026-11-22T22:00:00+00:00",
            "end": None,
            "taught_at": MORNING.isoformat(),
        }
    ]
    assert answer["learned"] == {
        "onset_offset_min": 0.0,  # one taught night is not enough
        "wake_weight": 2.0,
        "taught_onsets": 1,
        "taught_epochs": 10,
    }
    # The night before (model onset 22:45 Berlin): reading until 22:55, 10 min later. The
    # offset is the median of 5 and 10 minutes: 7.5 (15 epochs).
    answer = await teach(hass, tracker, night="2026-11-21", kind="reading_until", time="22:55")
    assert answer["learned"]["onset_offset_min"] == 7.5
    pipeline = tracker.runtime_data.coordinator.pipeline
    assert pipeline.intent.onset_offset == 15

    # In the night's history, on the Last night sensors and in what was written.
    night = await get_night(hass, tracker)
    assert [label["kind"] for label in night["labels"]] == ["reading_until"]
    state = hass.states.get("sensor.bedroom_last_night_total_sleep_time")
    assert state is not None
    assert state.attributes["taught"] == ["reading_until"]
    await flush(hass, freezer)
    assert saved_labels(hass_storage, tracker)[0]["start"] == "2026-11-22T22:00:00+00:00"

    # A restart: the labels load with their nights and the tracker learns the same again.
    assert await hass.config_entries.async_reload(tracker.entry_id)
    await hass.async_block_till_done()
    night = await get_night(hass, tracker)
    assert night["labels"][0]["start"] == "2026-11-22T22:00:00+00:00"
    pipeline = tracker.runtime_data.coordinator.pipeline
    assert pipeline.intent.onset_offset == 15
    assert pipeline.teaching.wake_weight == 2.0


async def test_teach_action_refuses_what_cannot_be(
    hass: HomeAssistant, tracker: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    cases = [
        ({"kind": "awake_at"}, "teach_needs_time"),
        ({"kind": "awake_at", "time": "15:00"}, "teach_outside_night"),
        ({"kind": "awake_at", "time": "03:00", "end": "02:00"}, "teach_bad_range"),
        ({"kind": "slept_badly", "night": "2026-10-01"}, "no_such_night"),
    ]
    messages: dict[str, str] = {}
    for data, key in cases:
        with pytest.raises(ServiceValidationError) as err:
            await teach(hass, tracker, **data)
        assert err.value.translation_key == key
        # Rendered whole, from its own placeholders only.
        template = TRANSLATIONS["exceptions"][key]["message"]
        placeholders = set(err.value.translation_placeholders or {})
        assert placeholders == set(re.findall(r"{(\w+)}", template))
        assert "{" not in str(err.value)
        messages[key] = str(err.value)
    # The night in Berlin: 21:40 to 05:55 UTC.
    assert messages["teach_outside_night"] == (
        "15:00 is not in the night of 2026-11-22: you were in bed from 22:40 to 06:55"
    )
    assert (await get_night(hass, tracker))["labels"] == []


SENTENCES = [
    (
        "I was reading until 23:10",
        "Thanks. I've noted that you weren't trying to sleep until 23:10. I'll learn when you "
        "really start trying to sleep.",
        ("reading_until", "2026-11-22T22:10:00+00:00", None),
    ),
    (
        "I fell asleep around 23:20",
        "Thanks. I've noted that you fell asleep around 23:20.",
        ("fell_asleep_at", "2026-11-22T22:20:00+00:00", None),
    ),
    (
        "I was awake at 3",
        "Thanks. I've noted that you were awake at 03:00.",
        ("awake_at", "2026-11-23T02:00:00+00:00", None),
    ),
    (
        "I was awake from 2 to 3",
        "Thanks. I've noted that you were awake from 02:00 to 03:00.",
        ("awake_at", "2026-11-23T01:00:00+00:00", "2026-11-23T02:00:00+00:00"),
    ),
    (
        "That was my partner",
        "Thanks. I've noted that it was your partner last night.",
        ("was_partner", None, None),
    ),
    (
        "that was my partner at 1:30",
        "Thanks. I've noted that it was your partner at 01:30.",
        ("was_partner", "2026-11-23T00:30:00+00:00", None),
    ),
    (
        "I slept badly",
        "Sorry to hear that. I've noted that you slept badly last night.",
        ("slept_badly", None, None),
    ),
    (
        "I had a rough night",
        "Sorry to hear that. I've noted that you slept badly last night.",
        ("slept_badly", None, None),
    ),
]


@pytest.mark.parametrize(("text", "answer", "label"), SENTENCES, ids=[s[0] for s in SENTENCES])
async def test_each_sentence_keeps_its_label(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    text: str,
    answer: str,
    label: tuple[str, str | None, str | None],
) -> None:
    assert await ask(hass, text) == answer
    labels = (await get_night(hass, tracker))["labels"]
    assert [(x["kind"], x["start"], x["end"]) for x in labels] == [label]


async def test_a_sentence_outside_the_night_is_not_kept(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    assert await ask(hass, "I was awake at 15:00") == (
        "15:00 isn't in your night of Sunday 22 November: you were in bed from 22:40 to 06:55. "
        "I didn't note it."
    )
    assert await ask(hass, "I fell asleep around teatime") == (
        "Sorry, I didn't understand the time teatime."
    )
    assert (await get_night(hass, tracker))["labels"] == []


WHY = [
    (
        "why do you think I was awake at 22:56",
        "At 22:56 I had you awake: moving now and then, irregular breathing (sure).",
    ),
    (
        "Why do you think I was asleep at 23:05?",
        "At 23:05 I had you in deep sleep: lying still, very regular breathing (sure).",
    ),
    (
        "why do you think I was in REM sleep at 23:05",
        "At 23:05 I didn't have you in REM sleep but in deep sleep: lying still, very regular "
        "breathing (sure).",
    ),
    (
        "why was I awake at 23:10",
        "At 23:10 I didn't have you awake but in REM sleep: lying still, very regular "
        "breathing (sure).",
    ),
    (
        "why do you think I was awake at 3",
        "I have no stages for 03:00 last night: I scored your night from 22:55 to 23:15.",
    ),
]


@pytest.mark.parametrize(("text", "answer"), WHY, ids=[w[0] for w in WHY])
async def test_why_question(
    hass: HomeAssistant, tracker: MockConfigEntry, text: str, answer: str
) -> None:
    assert await ask(hass, text) == answer


async def test_why_says_what_was_taught_and_when_no_details_were_kept(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    await teach(hass, tracker, kind="awake_at", time="22:56")
    assert await ask(hass, "why do you think I was awake at 22:56") == (
        "At 22:56 I had you awake: moving now and then, irregular breathing (sure). "
        "You told me you were awake then, and I learn from that."
    )
    coordinator = tracker.runtime_data.coordinator
    bare = replace(coordinator.data.last_night, epoch_notes="")
    coordinator.async_night_changed(bare)
    tracker.runtime_data.store.replace_night(bare)
    assert await ask(hass, "why do you think I was asleep at 22:56") == (
        "At 22:56 I didn't have you asleep but awake. I kept no details of that night to say "
        "why. You told me you were awake then, and I learn from that."
    )


def x_of(when: datetime) -> int:
    """Where the picture draws ``when`` for :data:`NIGHT`.

    The plot runs from x=130 to 1040 over the time in bed, 21:40 to 05:55 UTC (29 700 s).
    """
    seconds = (when - NIGHT.session_start).total_seconds()
    return round(130 + 910 * seconds / 29_700)


def decode(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_the_picture_marks_what_was_taught(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    client = await hass_client()
    url = f"/api/image_proxy/{PICTURE}"
    before = decode(await (await client.get(url)).read())
    await teach(hass, tracker, kind="awake_at", time="23:05")  # 22:05 UTC: x = 176
    response = await client.get(url)
    assert response.status == HTTPStatus.OK
    image = decode(await response.read())
    x = x_of(datetime(2026, 11, 22, 22, 5, tzinfo=UTC))
    assert x == 176
    for y in (210, 400, 570):  # the whole height of the stages
        assert image.getpixel((x, y)) == TEAL
        assert before.getpixel((x, y)) != TEAL
    # The picture's time is now when it was taught (09:00 in Berlin), not the end of the
    # night: a dashboard showing it fetches the new picture.
    assert hass.states.get(PICTURE).state == "2026-11-23T08:00:00+00:00"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_what_is_taught_is_timed_on_the_trackers_clock(
    hass: HomeAssistant, tracker: MockConfigEntry
) -> None:
    """A simulated bedroom played at speed 60 is ahead of Home Assistant's clock: what was
    taught is timed on the tracker's clock, like the nights, so the picture's time moves on."""
    clock = tracker.runtime_data.coordinator.clock
    clock.speed = 60.0
    clock.anchor(datetime(2026, 11, 24, 6, 30, tzinfo=UTC))  # Home Assistant: 23 Nov 08:00
    response = await teach(hass, tracker, kind="slept_badly")
    assert response["labels"][-1]["taught_at"] == "2026-11-24T06:30:00+00:00"
    assert hass.states.get(PICTURE).state == "2026-11-24T06:30:00+00:00"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_an_earlier_night_shown_is_drawn_again_when_taught(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The night before last, shown with ``get_night``, then taught about: its picture shows it.

    That night runs from 21:30 UTC on 21 November to 05:55 UTC on the 23rd (the fixed nights
    share their end): 116 700 s over the plot's 910 px from x = 130. "Awake at 23:05" in
    Berlin is 22:05 UTC, 2 100 s in: x = 130 + 910 * 2100 / 116700 = 146.4.
    """
    client = await hass_client()
    url = f"/api/image_proxy/{PICTURE}"
    await get_night(hass, tracker, night="2026-11-21", show_picture=True)
    await hass.async_block_till_done()
    assert hass.states.get(PICTURE).attributes["night"] == "2026-11-21"
    before = decode(await (await client.get(url)).read())
    await teach(hass, tracker, kind="awake_at", time="23:05", night="2026-11-21")
    await hass.async_block_till_done()
    state = hass.states.get(PICTURE)
    assert state.attributes["night"] == "2026-11-21"
    assert state.state == "2026-11-23T08:00:00+00:00"
    image = decode(await (await client.get(url)).read())
    for y in (210, 400, 570):
        assert image.getpixel((146, y)) == TEAL
        assert before.getpixel((146, y)) != TEAL


def test_the_picture_draws_ranges_and_words() -> None:
    night = replace(
        NIGHT,
        labels=(
            TeachingLabel(
                LabelKind.WAS_PARTNER,
                datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
                datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
            ),
            TeachingLabel(LabelKind.SLEPT_BADLY, None),
        ),
    )
    image = decode(render_hypnogram(night, UTC) or b"")
    # 01:00-02:00 UTC: x = 130 + 910 * 12 000 / 29 700 = 498 to 130 + 910 * 15 600 / 29 700
    # = 608, a bar from y = 582 to 588 under the stages.
    assert x_of(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 498
    assert x_of(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == 608
    for x in (500, 550, 606):
        assert image.getpixel((x, 585)) == TEAL
    assert image.getpixel((490, 585)) != TEAL
    assert image.getpixel((550, 400)) != TEAL  # a range is not a line
    # Tagged "partner" at the top of the stages (y = 202 on), from 5 px right of its start.
    tag = [
        (x, y) for x in range(503, 600) for y in range(202, 226) if image.getpixel((x, y)) == TEAL
    ]
    assert len(tag) > 50
    assert not [
        y for x in range(498, 600) for y in range(232, 580) if image.getpixel((x, y)) == TEAL
    ]
    # "You said: slept badly" under the headline, in teal.
    words = [
        (x, y) for x in range(40, 400) for y in range(115, 145) if image.getpixel((x, y)) == TEAL
    ]
    assert len(words) > 100


async def test_reset_learning_forgets_the_teaching(
    hass: HomeAssistant,
    tracker: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await teach(hass, tracker, kind="reading_until", time="23:00")
    await teach(hass, tracker, night="2026-11-21", kind="reading_until", time="22:55")
    assert tracker.runtime_data.coordinator.pipeline.intent.onset_offset == 15
    await hass.services.async_call(
        DOMAIN,
        "reset_learning",
        {"config_entry_id": tracker.entry_id, "what": ["teaching"]},
        blocking=True,
    )
    assert (await get_night(hass, tracker))["labels"] == []
    assert (await get_night(hass, tracker, night="2026-11-21"))["labels"] == []
    pipeline = tracker.runtime_data.coordinator.pipeline
    assert pipeline.intent.onset_offset == 0
    assert pipeline.teaching.wake_weight == 1.0
    await flush(hass, freezer)
    assert saved_labels(hass_storage, tracker) == []
    # Without a part named, everything is forgotten (teaching included).
    await teach(hass, tracker, kind="slept_badly")
    await hass.services.async_call(
        DOMAIN, "reset_learning", {"config_entry_id": tracker.entry_id}, blocking=True
    )
    assert (await get_night(hass, tracker))["labels"] == []
