"""Hardware sources in Home Assistant: serial (tested before configure), FMCW replay, entities.

Serial devices are real TCP peers on 127.0.0.1 (``socket://`` URLs, as an ESPHome
``stream_server`` or ser2net bridge would be); FMCW captures are simulated IF frames written to
files; existing entities are real states in Home Assistant's state machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from importlib import import_module
import math
from pathlib import Path
import sys
import threading
from types import ModuleType
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USB, SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.service_info.usb import UsbServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.radar_sleep.const import (
    CONF_BREATH_ENTITY,
    CONF_CAPTURE_PATH,
    CONF_DISTANCE_ENTITY,
    CONF_FAMILY,
    CONF_PORT,
    CONF_PRESENCE_ENTITY,
    CONF_RADAR_POSITION,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_SPEED,
    DOMAIN,
    UNAVAILABLE_REPAIR_SECONDS,
)
from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.radar.drivers import ld2410, mr60bha2
from custom_components.radar_sleep.radar.fmcw.capture import save_capture
from custom_components.radar_sleep.radar.fmcw.simulate import FmcwScene, SimPerson, simulate
from custom_components.radar_sleep.sleep.pipeline import FrameResult, SleepPipeline
from tests.conftest import shared_data_or_skip

from .conftest import SilentSource

pytestmark = pytest.mark.usefixtures("socket_enabled")  # TCP peers on 127.0.0.1 only

BED = {CONF_SIDE: "left", CONF_RADAR_POSITION: "left_table"}


def mr60_stream(seconds: float = 2.0) -> bytes:
    """What an MR60BHA2 sends: 20-Hz phase frames, rates, distance and presence each second."""
    out = bytearray()
    for k in range(round(20 * seconds)):
        phase = 0.8 * math.sin(2 * math.pi * 0.25 * k / 20)
        out += mr60bha2.encode_phase(phase, phase, 0.0, frame_id=k)
        if k % 20 == 0:
            out += mr60bha2.encode_presence(True)
            out += mr60bha2.encode_distance(0.8)
            out += mr60bha2.encode_breath_rate(15.0)
            out += mr60bha2.encode_heart_rate(62.0)
    return bytes(out)


def ld2410_stream(frames: int = 20) -> bytes:
    """LD2410 engineering reports: another family than the one the user chose."""
    return b"".join(
        ld2410.encode_engineering_report(3, moving_distance_cm=80, moving_energy=40)
        for _ in range(frames)
    )


type Serve = Callable[[bytes], Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start TCP peers on 127.0.0.1 that send ``payload`` to whoever connects."""
    servers: list[asyncio.Server] = []

    async def start(payload: bytes) -> str:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(payload)
            await writer.drain()
            await reader.read()  # hold the line open until the client closes it
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        return f"socket://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


@pytest.fixture(autouse=True)
def fast_probe() -> AsyncIterator[None]:
    """Listen 0.5 s instead of 5 s for devices that never send a valid frame; list no ports."""
    with (
        patch("custom_components.radar_sleep.sources.PROBE_SECONDS", 0.5),
        patch(
            "custom_components.radar_sleep.sources._list_ports",
            return_value=["/dev/serial/by-id/usb-radar"],
        ),
    ):
        yield


async def start_user_flow(hass: HomeAssistant, source: str, name: str = "Bedroom") -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: name, CONF_SOURCE: source, **BED}
    )
    assert result["type"] is FlowResultType.FORM
    return result["flow_id"]


async def closed_port_url() -> str:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    return f"socket://127.0.0.1:{port}"


@pytest.mark.usefixtures("silent_source")
async def test_serial_flow_names_what_it_saw_then_accepts_the_device(
    hass: HomeAssistant, serve: Serve
) -> None:
    flow_id = await start_user_flow(hass, "serial")
    shown = hass.config_entries.flow.async_get(flow_id)
    assert shown["step_id"] == "serial"

    cases = [
        (await closed_port_url(), "cannot_connect"),
        (await serve(b""), "no_data"),
        (await serve(bytes(range(256)) * 8), "garbage"),
        (await serve(ld2410_stream()), "wrong_family"),
    ]
    for url, error in cases:
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_FAMILY: "mr60bha2", CONF_PORT: url}
        )
        assert result["type"] is FlowResultType.FORM, error
        assert result["errors"] == {"base": error}
        assert result["description_placeholders"]["port"] == url
    assert result["description_placeholders"]["detected"] == "ld2410"

    url = await serve(mr60_stream())
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_FAMILY: "mr60bha2", CONF_PORT: url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_SOURCE: "serial",
        **BED,
        CONF_FAMILY: "mr60bha2",
        CONF_PORT: url,
    }
    assert result["result"].unique_id == f"serial_{url}"


@pytest.mark.usefixtures("silent_source")
async def test_usb_discovery_prefills_the_port_and_aborts_when_known(
    hass: HomeAssistant, serve: Serve
) -> None:
    url = await serve(mr60_stream())
    info = UsbServiceInfo(
        device=url,
        vid="10C4",
        pid="EA60",
        serial_number="0001",
        manufacturer="Silicon Labs",
        description="CP2102 USB to UART",
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USB}, data=info
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Alex", CONF_SOURCE: "serial", **BED}
    )
    assert result["step_id"] == "serial"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_FAMILY: "mr60bha2", CONF_PORT: url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PORT] == url

    again = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USB}, data=info
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    """Twenty seconds of one sleeper at 0.9 m, as a raw-frame capture file."""
    cap = simulate(FmcwScene(people=(SimPerson(0.9, -10.0),), seed=5), 20.0, output="adc")
    path = tmp_path / "bedside.npz"
    save_capture(path, cap.frames, cap.t, cap.config)
    return path


@pytest.mark.usefixtures("silent_source")
async def test_fmcw_flow_checks_the_capture(
    hass: HomeAssistant, capture: Path, tmp_path: Path
) -> None:
    flow_id = await start_user_flow(hass, "fmcw_replay")
    missing = tmp_path / "nowhere.npz"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_CAPTURE_PATH: str(missing)}
    )
    assert result["errors"] == {CONF_CAPTURE_PATH: "capture_not_found"}
    assert result["description_placeholders"]["path"] == str(missing)

    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_CAPTURE_PATH: str(junk)})
    assert result["errors"] == {CONF_CAPTURE_PATH: "bad_capture"}
    assert result["description_placeholders"]["error"]

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_CAPTURE_PATH: str(capture)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_SOURCE: "fmcw_replay", **BED, CONF_CAPTURE_PATH: str(capture)}


def replay_entry(capture: Path) -> MockConfigEntry:
    """A tracker replaying ``capture`` as fast as it can."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        unique_id=f"fmcw_replay_{capture}",
        data={CONF_SOURCE: "fmcw_replay", **BED, CONF_CAPTURE_PATH: str(capture)},
        options={CONF_SPEED: 0},
    )


async def test_fmcw_replay_feeds_the_pipeline(
    hass: HomeAssistant, capture: Path, caplog: pytest.LogCaptureFixture
) -> None:
    entry = replay_entry(capture)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    coordinator = entry.runtime_data.coordinator
    assert coordinator.stats.source_errors == 0
    assert coordinator.stats.frames == 20 * 20  # every captured frame reached the pipeline
    assert coordinator.pipeline.config.stages_available
    assert hass.states.get("binary_sensor.bedroom_presence").state == "on"
    # The end of the file is said once in the log (the entities keep the last state).
    assert caplog.text.count("Bedroom: the capture has been replayed to its end (400 frames)") == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_no_radar_module_is_imported_in_the_event_loop(
    hass: HomeAssistant, capture: Path
) -> None:
    """Looking a device family up in the event loop imports nothing there.

    Home Assistant reports every ``import_module`` call in its event loop whose name is not
    already in ``sys.modules`` (a relative name never is) as a blocking call: setting up a
    capture replay did, and so did the serial step's table of devices.
    """
    in_loop: list[str] = []

    def spy(name: str, package: str | None = None) -> ModuleType:
        if threading.get_ident() == hass.loop_thread_id and name not in sys.modules:
            in_loop.append(name)
        return import_module(name, package)

    entry = replay_entry(capture)
    entry.add_to_hass(hass)
    with patch("custom_components.radar_sleep.radar.families.import_module", spy):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        flow_id = await start_user_flow(hass, "serial")
    assert entry.state is ConfigEntryState.LOADED
    assert in_loop == []
    hass.config_entries.flow.async_abort(flow_id)
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.usefixtures("silent_source")
async def test_entities_flow_requires_an_existing_presence_entity(hass: HomeAssistant) -> None:
    flow_id = await start_user_flow(hass, "entities")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_PRESENCE_ENTITY: "binary_sensor.nothing_here"}
    )
    assert result["errors"] == {CONF_PRESENCE_ENTITY: "entity_not_found"}
    hass.states.async_set("binary_sensor.bed_occupied", "off")
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {CONF_PRESENCE_ENTITY: "binary_sensor.bed_occupied", CONF_BREATH_ENTITY: "sensor.br"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PRESENCE_ENTITY] == "binary_sensor.bed_occupied"
    assert result["result"].unique_id == "entities_binary_sensor.bed_occupied"


async def test_entities_source_runs_in_degraded_mode(hass: HomeAssistant) -> None:
    hass.states.async_set("binary_sensor.bed_occupied", "on")
    hass.states.async_set("sensor.breath", "13.5", {"unit_of_measurement": "bpm"})
    hass.states.async_set("sensor.distance", "85", {"unit_of_measurement": "cm"})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        unique_id="entities_binary_sensor.bed_occupied",
        data={
            CONF_SOURCE: "entities",
            **BED,
            CONF_PRESENCE_ENTITY: "binary_sensor.bed_occupied",
            CONF_BREATH_ENTITY: "sensor.breath",
            CONF_DISTANCE_ENTITY: "sensor.distance",
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    assert not coordinator.pipeline.config.stages_available
    frame = coordinator.source.frame()  # type: ignore[attr-defined]
    assert frame.device_presence is True
    [target] = frame.targets
    assert target.breath_rate_bpm == 13.5
    assert target.distance_m == pytest.approx(0.85)
    assert target.respiration_mm == ()

    hass.states.async_remove("binary_sensor.bed_occupied")
    with pytest.raises(LookupError, match=r"binary_sensor\.bed_occupied"):
        coordinator.source.frame()  # type: ignore[attr-defined]
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.usefixtures("silent_source")
async def test_lost_device_goes_unavailable_raises_a_repair_and_comes_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    url = "socket://127.0.0.1:6638"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        unique_id=f"serial_{url}",
        data={CONF_SOURCE: "serial", **BED, CONF_FAMILY: "mr60bha2", CONF_PORT: url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    issue_id = f"device_unavailable_{entry.entry_id}"

    coordinator._connection_changed(False, "device unplugged")
    coordinator._connection_changed(False, "still unplugged")
    assert hass.states.get("sensor.bedroom_sleep_stage").state == "unavailable"
    assert caplog.text.count("lost the radar") == 1

    freezer.tick(timedelta(seconds=UNAVAILABLE_REPAIR_SECONDS - 60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    registry = ir.async_get(hass)
    assert registry.async_get_issue(DOMAIN, issue_id) is None
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "device_unavailable"
    assert issue.translation_placeholders == {"name": "Bedroom", "port": url, "minutes": "10"}

    coordinator._connection_changed(True, None)
    coordinator._publish(coordinator.pipeline.last_update)
    await hass.async_block_till_done()
    assert registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("sensor.bedroom_sleep_stage").state != "unavailable"
    assert caplog.text.count("delivering frames again") == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_real_infineon_recording_replays_as_one_person(hass: HomeAssistant) -> None:
    """The real BGT60TR13C recording (an ifxdaq folder), chosen in the config flow, replayed.

    One person at 0.33 m in the recording (see ``tests/radar/fmcw/test_infineon.py``): every
    frame that reaches the sleep pipeline holds at most one target, always the same one.
    """
    folder = shared_data_or_skip("radar", "bgt60tr13c-ifxdaq")
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=SilentSource()):
        flow_id = await start_user_flow(hass, "fmcw_replay")
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_CAPTURE_PATH: str(folder)}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        await hass.async_block_till_done()
        assert await hass.config_entries.async_unload(entry.entry_id)
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_SPEED: 0})
    seen: list[VitalsFrame] = []
    push = SleepPipeline.push

    def spy(self: SleepPipeline, frame: VitalsFrame) -> FrameResult:
        seen.append(frame)
        return push(self, frame)

    with patch.object(SleepPipeline, "push", spy):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    coordinator = entry.runtime_data.coordinator
    assert coordinator.stats.source_errors == 0
    assert coordinator.stats.frames == 256  # 19.8 s at 12.94 frames/s
    assert all(len(frame.targets) <= 1 for frame in seen), "one person, one target"
    targets = [frame.targets[0] for frame in seen if frame.targets]
    assert len(targets) >= 256 - 26  # a target from the first detection (2 s) on
    assert {t.target_id for t in targets} == {targets[0].target_id}
    assert all(abs(t.distance_m - 0.33) < 0.03 for t in targets)
    assert await hass.config_entries.async_unload(entry.entry_id)
