"""Privacy: nothing leaves the house, diagnostics hide where the radar is, data can be deleted.

Every test here runs with Home Assistant's recorder (the nights' long-term statistics are
sleep data too).
"""

from __future__ import annotations

from datetime import timedelta
import json
import socket
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.image import async_get_image
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import list_statistic_ids
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.json import json_dumps
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
import pytest_socket

from custom_components.radar_sleep.alarm_core.state import AlarmPhase
from custom_components.radar_sleep.const import (
    CONF_FAMILY,
    CONF_HUMIDITY_ENTITY,
    CONF_PORT,
    CONF_RADAR_POSITION,
    CONF_ROOM,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_TEMPERATURE_ENTITY,
    DOMAIN,
)
from custom_components.radar_sleep.diagnostics import async_get_config_entry_diagnostics
from custom_components.radar_sleep.simulation.bedroom import SimulatorConfig
from custom_components.radar_sleep.simulation.source import SimulatorSource
from custom_components.radar_sleep.statistics import NIGHT_STATISTICS, async_add_night_statistics

from .conftest import tracker_entry
from .fixed import NIGHT, NOW, async_setup_fixed
from .test_restart import START
from .test_standby import SleeperSource

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must be set up before Home Assistant (and custom integrations)."""


def _host(address: Any) -> str | None:
    """The host of a socket address (``None`` for a Unix socket's path)."""
    if isinstance(address, tuple) and address:
        return str(address[0])
    return None


@pytest.fixture
def outbound(socket_enabled: None, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Record every attempt to reach a host other than this machine, and block it.

    Sockets may be created (as for the loopback peers of ``test_hardware_sources.py``), but
    connecting anywhere except to the loopback addresses raises (pytest-socket's guard, made
    explicit here); connections, datagrams and name look-ups are recorded on the way.
    """
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::1"], allow_unix_socket=True)
    attempts: list[tuple[str, Any]] = []
    guarded_connect = socket.socket.connect
    guarded_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo

    def note(kind: str, address: Any) -> None:
        host = _host(address)
        if host is not None and host not in LOOPBACK:
            attempts.append((kind, address))

    def connect(sock: socket.socket, address: Any) -> None:
        note("connect", address)
        guarded_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        note("connect", address)
        return guarded_connect_ex(sock, address)

    def sendto(sock: socket.socket, data: bytes, *args: Any) -> int:
        note("datagram", args[-1])
        return real_sendto(sock, data, *args)  # type: ignore[call-overload,no-any-return]

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        note("name look-up", (host,))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


def test_the_guard_sees_and_blocks_an_outbound_connection(
    outbound: list[tuple[str, Any]],
) -> None:
    """What the night below is checked with works: an attempt is recorded and refused."""
    with pytest.raises(pytest_socket.SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1
    assert outbound == [("name look-up", ("192.0.2.1",)), ("connect", ("192.0.2.1", 80))]


@pytest.mark.slow
async def test_a_whole_night_with_every_feature_on_connects_nowhere(
    hass: HomeAssistant,
    outbound: list[tuple[str, Any]],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A simulated night with the alarm, the room sensors, the statistics, the picture, the
    night's action and diagnostics: no connection leaves the machine.

    The night is the test tracker's, at 1 frame a second (a tenth of the frames: the test
    is about where data goes, not about the stages).
    """
    freezer.move_to(START)
    hass.states.async_set("sensor.bedroom_temperature", "19.5", {"unit_of_measurement": "°C"})
    hass.states.async_set("sensor.bedroom_humidity", "45", {"unit_of_measurement": "%"})
    entry = tracker_entry(
        {
            CONF_ROOM: {
                CONF_TEMPERATURE_ENTITY: "sensor.bedroom_temperature",
                CONF_HUMIDITY_ENTITY: "sensor.bedroom_humidity",
            }
        }
    )
    night = SimulatorSource(SimulatorConfig(seed=7, frame_rate_hz=1.0), speed=0, nights=1)
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=night):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.services.async_call(
            DOMAIN,
            "set_alarm",
            {"config_entry_id": entry.entry_id, "time": "07:00", "window": 30},
            blocking=True,
        )
        await hass.async_block_till_done(wait_background_tasks=True)  # the whole night
    freezer.tick(timedelta(hours=10))  # and the morning's timers
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    summary = entry.runtime_data.coordinator.data.last_night
    assert summary is not None, "the night was played through"
    assert summary.room_temperature_c == 19.5
    assert entry.runtime_data.alarm.state.phase is not AlarmPhase.OFF
    answer = await hass.services.async_call(
        DOMAIN,
        "get_night",
        {"config_entry_id": entry.entry_id, "show_picture": True},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    assert answer["night"] == summary.night.isoformat()
    image = await async_get_image(hass, "image.bedroom_last_night_hypnogram")
    assert image.content.startswith(b"\x89PNG")
    json_dumps(await async_get_config_entry_diagnostics(hass, entry))
    assert await _statistic_ids(hass), "the night's statistics were recorded"
    assert outbound == []
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_diagnostics_hide_the_port_and_host_and_hold_no_waveform(
    hass: HomeAssistant,
) -> None:
    url = "socket://radar-bridge.home.lan:6638"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        unique_id=f"serial_{url}",
        data={
            CONF_SOURCE: "serial",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
            CONF_FAMILY: "mr60bha2",
            CONF_PORT: url,
        },
    )
    source = SleeperSource(seconds=95.0)  # three epochs and the breathing of a fourth
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=source):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await source.sent.wait()
        await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    # The open epoch holds 5 s of breathing: 50 samples that must not be downloaded.
    assert coordinator.stats.frames == 950
    assert coordinator.pipeline._epoch is not None
    assert len(coordinator.pipeline._epoch.respiration) == 50
    coordinator._connection_changed(
        False, "[Errno -2] Name or service not known: radar-bridge.home.lan"
    )
    await hass.async_block_till_done()

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = json_dumps(diagnostics)
    assert "radar-bridge" not in text
    assert "6638" not in text
    assert diagnostics["entry"]["data"][CONF_PORT] == "**REDACTED**"
    assert diagnostics["entry"]["data"][CONF_FAMILY] == "mr60bha2"
    assert diagnostics["stats"]["last_error"] == (
        "[Errno -2] Name or service not known: **REDACTED**"
    )

    def longest_numbers(value: Any) -> int:
        """The longest list of numbers anywhere in ``value``."""
        if isinstance(value, dict):
            return max((longest_numbers(v) for v in value.values()), default=0)
        if isinstance(value, list):
            numbers = sum(isinstance(v, (int, float)) for v in value)
            return max([numbers, *(longest_numbers(v) for v in value)])
        return 0

    # At most the stage probabilities (wake, light, deep, REM): no signal.
    assert longest_numbers(json.loads(text)) <= 4
    assert await hass.config_entries.async_unload(entry.entry_id)


async def _statistic_ids(hass: HomeAssistant) -> set[str]:
    await async_wait_recording_done(hass)
    found = await hass.async_add_executor_job(list_statistic_ids, hass)
    return {s["statistic_id"] for s in found if s["source"] == DOMAIN}


async def test_removing_the_tracker_deletes_its_nights_and_statistics(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(hass, mock_config_entry, hass_storage, [Platform.SENSOR])
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    async_add_night_statistics(hass, mock_config_entry, NIGHT)
    assert len(await _statistic_ids(hass)) == len(NIGHT_STATISTICS)
    assert len(hass_storage[key]["data"]["nights"]) == 3

    assert await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
    assert await _statistic_ids(hass) == set()


async def test_forget_data_deletes_the_nights_and_keeps_the_alarm(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    await async_setup_fixed(
        hass, mock_config_entry, hass_storage, [Platform.SENSOR, Platform.IMAGE]
    )
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    async_add_night_statistics(hass, mock_config_entry, NIGHT)
    assert len(await _statistic_ids(hass)) == len(NIGHT_STATISTICS)
    tst = hass.states.get("sensor.bedroom_last_night_total_sleep_time")
    assert float(tst.state) == pytest.approx(16 / 60)  # the stored night's 16 min, in hours
    assert hass.states.get("image.bedroom_last_night_hypnogram").attributes["night"] == (
        "2026-11-22"
    )

    await hass.services.async_call(
        DOMAIN, "forget_data", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
    )
    await hass.async_block_till_done()
    stored = hass_storage[key]["data"]
    assert stored["nights"] == []
    assert stored["in_progress"] is None
    assert stored["alarm"]["settings"]["time"] == "06:30:00", "the settings are kept"
    assert mock_config_entry.runtime_data.store.nights == []
    assert hass.states.get("sensor.bedroom_last_night_total_sleep_time").state == "unknown"
    assert "night" not in hass.states.get("image.bedroom_last_night_hypnogram").attributes
    assert hass.states.get("sensor.bedroom_next_alarm").state == "2026-11-24T05:30:00+00:00"
    assert await _statistic_ids(hass) == set()
    assert mock_config_entry.state is ConfigEntryState.LOADED

    # A tracker that is not loaded: a translated error.
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "forget_data", {"config_entry_id": mock_config_entry.entry_id}, blocking=True
        )
    assert err.value.translation_domain == "homeassistant"
