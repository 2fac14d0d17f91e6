"""The night as a picture: the hypnogram PNG and its image entity."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
import io
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.radar_sleep.contracts import NightSummary, Stage
from custom_components.radar_sleep.coordinator import RadarSleepData
from custom_components.radar_sleep.hypnogram_image import format_duration, render_hypnogram
from custom_components.radar_sleep.sleep.metrics import sleep_metrics

from .fixed import NIGHT, NIGHTS, NOW, async_respond, async_setup_fixed

ENTITY = "image.bedroom_last_night_hypnogram"
COLOURS = {  # the documented palette (docs/entities.md), written out here
    Stage.WAKE: (239, 108, 0),
    Stage.REM: (142, 36, 170),
    Stage.LIGHT: (66, 165, 245),
    Stage.DEEP: (26, 35, 126),
}

# A 7-hour night written by hand: 10 min awake, then cycles of light, deep, light and REM,
# an awakening at 03:00 and a final wake; 840 epochs.
_PLAN = [
    (Stage.WAKE, 20),
    (Stage.LIGHT, 40),
    (Stage.DEEP, 80),
    (Stage.LIGHT, 60),
    (Stage.REM, 40),
    (Stage.LIGHT, 80),
    (Stage.DEEP, 40),
    (Stage.LIGHT, 60),
    (Stage.WAKE, 20),
    (Stage.LIGHT, 100),
    (Stage.REM, 60),
    (Stage.LIGHT, 120),
    (Stage.REM, 80),
    (Stage.WAKE, 40),
]
HYPNOGRAM = tuple(stage for stage, n in _PLAN for _ in range(n))
START = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)
LONG_NIGHT = NightSummary(
    night=date(2026, 11, 22),
    session_start=START - timedelta(minutes=15),
    session_end=START + timedelta(minutes=425),
    intent_start=START,
    sleep_onset=START + timedelta(minutes=10),
    final_wake=START + timedelta(minutes=400),
    hypnogram_start=START,
    hypnogram=HYPNOGRAM,
    metrics=sleep_metrics(HYPNOGRAM),
    mean_breathing_rate_bpm=14.0,
)


def _decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def test_format_duration() -> None:
    assert format_duration(412) == "6 h 52 min"
    assert format_duration(60) == "1 h 00 min"
    assert format_duration(45.4) == "45 min"
    assert format_duration(0) == "0 min"


def assert_stages_where_they_are(image: Image.Image, hypnogram: tuple[Stage, ...]) -> None:
    """The picture's coloured blocks: one row per stage, each epoch in its stage's row."""
    assert image.size == (1080, 720)
    pixels = image.load()
    assert pixels is not None
    width, height = image.size
    where: dict[Stage, list[tuple[int, int]]] = {s: [] for s in COLOURS}
    for x in range(width):
        for y in range(height):
            for stage, colour in COLOURS.items():
                if pixels[x, y] == colour:
                    where[stage].append((x, y))
    # Rows from the top: awake, REM, light, deep (the legend's swatches are below them all).
    plot_rows = {s: [p for p in pts if p[1] < height - 100] for s, pts in where.items()}
    middle = {s: sum(y for _, y in pts) / len(pts) for s, pts in plot_rows.items()}
    assert middle[Stage.WAKE] < middle[Stage.REM] < middle[Stage.LIGHT] < middle[Stage.DEEP]
    # The hypnogram's epochs fill the coloured part of the plot evenly; check the middle of
    # every epoch not next to a change of stage.
    xs = sorted({x for pts in plot_rows.values() for x, _ in pts})
    per_epoch = (xs[-1] + 1 - xs[0]) / len(hypnogram)
    changes = {k for k in range(1, len(hypnogram)) if hypnogram[k] != hypnogram[k - 1]}
    for k in range(len(hypnogram)):
        if changes & {k - 1, k, k + 1, k + 2}:
            continue
        x = int(xs[0] + (k + 0.5) * per_epoch)
        column = {stage for stage, pts in plot_rows.items() for px, _ in pts if px == x}
        assert column == {hypnogram[k]}, f"epoch {k} at x={x}: {column}"


def test_the_picture_shows_each_stage_where_it_is() -> None:
    image = _decode(render_hypnogram(LONG_NIGHT, ZoneInfo("Europe/Berlin")) or b"")
    assert_stages_where_they_are(image, HYPNOGRAM)


def test_a_night_without_stages_has_no_picture() -> None:
    blank = replace(LONG_NIGHT, hypnogram=(), metrics=None)
    assert render_hypnogram(blank, UTC) is None


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_the_entity_shows_last_night(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.IMAGE])
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.state == NIGHT.session_end.isoformat()
    assert state.attributes["friendly_name"] == "Bedroom Last night hypnogram"

    client = await hass_client_no_auth()
    url = f"/api/image_proxy/{ENTITY}?token={state.attributes['access_token']}"
    response = await client.get(url)
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    image = _decode(await response.read())
    assert image.size == (1080, 720)

    # A new night replaces the picture.
    coordinator = mock_config_entry.runtime_data.coordinator
    coordinator.async_set_updated_data(RadarSleepData(coordinator.data.update, LONG_NIGHT))
    await hass.async_block_till_done()
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.state == LONG_NIGHT.session_end.isoformat()
    url = f"/api/image_proxy/{ENTITY}?token={state.attributes['access_token']}"
    response = await client.get(url)
    assert response.status == HTTPStatus.OK
    assert _decode(await response.read()).tobytes() != image.tobytes()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_no_picture_for_a_night_without_stages(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.IMAGE])
    coordinator = mock_config_entry.runtime_data.coordinator
    blank = replace(NIGHT, hypnogram=(), metrics=None)
    coordinator.async_set_updated_data(RadarSleepData(coordinator.data.update, blank))
    await hass.async_block_till_done()
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.state == "unknown"
    # No link to a picture that is not there: the frontend shows the icon, not a broken image.
    assert "entity_picture" not in state.attributes

    # The next night with stages brings the picture back.
    coordinator.async_set_updated_data(RadarSleepData(coordinator.data.update, LONG_NIGHT))
    await hass.async_block_till_done()
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.attributes["entity_picture"].startswith(f"/api/image_proxy/{ENTITY}?token=")


EARLIER = replace(
    LONG_NIGHT,
    night=date(2026, 11, 19),
    session_start=LONG_NIGHT.session_start - timedelta(days=3),
    session_end=LONG_NIGHT.session_end - timedelta(days=3),
    intent_start=START - timedelta(days=3),
    sleep_onset=START - timedelta(days=3, minutes=-10),
    final_wake=START - timedelta(days=3, minutes=-400),
    hypnogram_start=START - timedelta(days=3),
)
"""An earlier stored night with the hand-made 7-hour hypnogram (the fixed nights have another)."""


async def get_night(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> dict[str, Any]:
    return await async_respond(hass, entry, "get_night", **data)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_get_night_shows_an_earlier_night_in_the_picture(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    hass_client: ClientSessionGenerator,
) -> None:
    with patch("tests.ha.fixed.NIGHTS", (EARLIER, *NIGHTS)):
        await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.IMAGE])
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.attributes["night"] == "2026-11-22"  # last night

    # Asked for, the summary alone: the picture stays on last night.
    plain = await get_night(hass, mock_config_entry, night="2026-11-19")
    assert "picture" not in plain
    assert hass.states.get(ENTITY).attributes["night"] == "2026-11-22"

    answer = await get_night(hass, mock_config_entry, night="2026-11-19", show_picture=True)
    assert answer["night"] == "2026-11-19"
    assert answer["picture"] == {
        "entity_id": ENTITY,
        "url": "/api/image_proxy/image.bedroom_last_night_hypnogram",
    }
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.attributes["night"] == "2026-11-19"
    assert state.state == "2026-11-20T05:05:00+00:00"  # the end of the night shown
    client = await hass_client()
    response = await client.get(answer["picture"]["url"])
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    assert_stages_where_they_are(_decode(await response.read()), HYPNOGRAM)

    # The next night to end takes the picture back.
    coordinator = mock_config_entry.runtime_data.coordinator
    tonight = replace(NIGHT, night=date(2026, 11, 23), session_end=NOW)
    coordinator.async_set_updated_data(RadarSleepData(coordinator.data.update, tonight))
    await hass.async_block_till_done()
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.attributes["night"] == "2026-11-23"
    assert state.state == NOW.isoformat()


async def test_get_night_refuses_the_picture_when_its_entity_is_disabled(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    entity_registry: er.EntityRegistry,
) -> None:
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.IMAGE])
    entity_registry.async_update_entity(ENTITY, disabled_by=er.RegistryEntryDisabler.USER)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await get_night(hass, mock_config_entry, show_picture=True)
    assert err.value.translation_key == "no_picture_entity"
    # The summary alone is still there.
    assert (await get_night(hass, mock_config_entry))["night"] == "2026-11-22"
