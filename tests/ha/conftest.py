"""Fixtures for tests against a real Home Assistant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Generator
import socket
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import pytest_socket

from custom_components.radar_sleep.const import (
    CONF_PARTNER,
    CONF_PET,
    CONF_RADAR_POSITION,
    CONF_SEED,
    CONF_SIDE,
    CONF_SOURCE,
    CONF_SPEED,
    DOMAIN,
)
from custom_components.radar_sleep.contracts import VitalsFrame
from custom_components.radar_sleep.coordinator import RadarSleepCoordinator
from custom_components.radar_sleep.simulation.bedroom import SimulatorConfig
from custom_components.radar_sleep.simulation.source import SimulatorSource


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/radar_sleep."""


class SourceFailed(BaseException):
    """A tracker's source or pipeline raised in a test that did not expect it.

    A ``BaseException``, so that the coordinator's retry loop (which restarts a failed source
    after ``RETRY_SECONDS``, forever) lets it through and its task ends: a test waiting for
    the task (``async_block_till_done(wait_background_tasks=True)``) or for a paced source's
    next batch (:class:`Pacer`) stops waiting, and the test fails with the error instead of
    hanging until pytest's timeout.
    """


@pytest.fixture(autouse=True)
def source_errors_fail_the_test(request: pytest.FixtureRequest) -> Generator[None]:
    """Fail the test on an unexpected error of the tracker's source or pipeline.

    The product survives them (the coordinator marks its entities unavailable and retries);
    a test that expects them is marked ``source_errors``. A lost device (``OSError``) is
    always expected: that is how serial sources report it.
    """
    if request.node.get_closest_marker("source_errors"):
        yield
        return
    failures: list[BaseException] = []
    consume = RadarSleepCoordinator._async_consume

    async def checked(self: RadarSleepCoordinator) -> None:
        try:
            await consume(self)
        except asyncio.CancelledError, OSError:
            raise
        except Exception as err:
            failures.append(err)
            pacer = getattr(self.source, "pacer", None)
            if isinstance(pacer, Pacer):
                pacer.fail(err)
            raise SourceFailed(f"the tracker's source or pipeline raised: {err!r}") from err

    with patch.object(RadarSleepCoordinator, "_async_consume", checked):
        yield
    if failures:
        raise failures[0]


def tracker_entry(options: dict[str, Any] | None = None) -> MockConfigEntry:
    """The test tracker: seed 7 with a partner, playing as fast as possible, with ``options``."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Bedroom",
        entry_id="01JRADARS1EEPTESTENTRY0001",
        unique_id="simulator_7",
        data={
            CONF_SOURCE: "simulator",
            CONF_SIDE: "left",
            CONF_RADAR_POSITION: "left_table",
            CONF_SEED: 7,
            CONF_PARTNER: True,
            CONF_PET: False,
        },
        options={CONF_SPEED: 0, **(options or {})},
    )


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A simulator tracker playing as fast as possible."""
    return tracker_entry()


class Pacer:
    """A handshake between a test and a source: one batch of frames per step of the clock.

    The coordinator consumes its source in a background task whose executor work
    ``hass.async_block_till_done()`` does not wait for, so a source paced by the loop's timers
    drifts behind a frozen clock by however long the CPU takes. Instead the source calls
    :meth:`park` after each batch, and the test calls :meth:`release` after moving the clock:
    it returns once the next batch has been consumed (the generator is only resumed after
    the coordinator has processed the frame before), epochs and alarm included.
    """

    RELEASE_TIMEOUT = 120.0
    """Seconds of real time a batch may take before the test fails (a guard, not a wait)."""

    def __init__(self) -> None:
        self._go = asyncio.Event()
        self._parked = asyncio.Event()
        self.done = False
        self.error: BaseException | None = None
        """Why the source will never park again (its consumer failed)."""

    async def park(self) -> None:
        """Source side: the batch is out; wait for the next step."""
        self._parked.set()
        await self._go.wait()
        self._go.clear()

    def finish(self) -> None:
        """Source side: no more frames."""
        self.done = True
        self._parked.set()

    def fail(self, error: BaseException) -> None:
        """Consumer side: the frames will never be consumed (the test fails at once)."""
        self.error = error
        self._parked.set()

    async def wait_parked(self) -> None:
        """Until the source has delivered its current batch (or ended, or failed)."""
        await asyncio.wait_for(self._parked.wait(), self.RELEASE_TIMEOUT)
        if self.error is not None:
            raise AssertionError("the tracker's source or pipeline failed") from self.error

    async def release(self) -> None:
        """Test side: deliver one more batch and wait until it has been consumed."""
        await self.wait_parked()
        if self.done:
            return
        self._parked.clear()
        self._go.set()
        await self.wait_parked()


class SilentSource:
    """A source that delivers no frames (a radar that has not sent anything yet)."""

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        return
        yield  # pragma: no cover - makes this an async generator


@pytest.fixture
def silent_source() -> Generator[None]:
    """Replace the entry's source by one that sends nothing."""
    with patch("custom_components.radar_sleep.runtime.build_source", return_value=SilentSource()):
        yield


@pytest.fixture
def one_night_source() -> Generator[list[SimulatorSource]]:
    """Play exactly one simulated night, as fast as possible; yields the sources built."""
    built: list[SimulatorSource] = []

    def build(hass: object, entry: MockConfigEntry) -> SimulatorSource:
        source = SimulatorSource(
            SimulatorConfig(
                seed=int(entry.data[CONF_SEED]),
                user_side=entry.data[CONF_SIDE],
                radar_position=entry.data[CONF_RADAR_POSITION],
                partner=entry.data[CONF_PARTNER],
                pet=entry.data[CONF_PET],
            ),
            speed=0,
            nights=1,
        )
        built.append(source)
        return source

    with patch("custom_components.radar_sleep.runtime.build_source", side_effect=build):
        yield built


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


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


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, those disabled by default too (as Home Assistant's own)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


class PacedNight:
    """A simulated night: as fast as possible up to ``pace_from`` (source seconds), then
    30 s of frames per 30 s of Home Assistant's clock (a :class:`Pacer` step), so that frame
    time and the clock agree inside the alarm's window."""

    def __init__(self, source: SimulatorSource, pace_from: float) -> None:
        self.source = source
        self.pace_from = pace_from
        self.pacer = Pacer()

    async def frames(self) -> AsyncIterator[VitalsFrame]:
        next_pause = self.pace_from
        async for frame in self.source.frames():
            if frame.t >= next_pause:
                await self.pacer.park()
                next_pause += 30
            yield frame
        self.pacer.finish()
