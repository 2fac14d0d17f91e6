"""A real Home Assistant process for the memory, CPU and soak figures.

Used by :mod:`bench.ha` and :mod:`bench.soak`.

:class:`HassProcess` starts the virtual environment's ``hass`` on a fresh temporary
configuration folder laid out as ``scripts/develop``'s (``config/configuration.yaml``: the
frontend, history, logbook, recorder and Assist; Home Assistant's web server on a free port of
the loopback interface only), with or without one Radar Sleep tracker on the simulated bedroom,
``--skip-pip`` so that nothing is installed or downloaded. ``custom_components`` is this
repository's (on ``PYTHONPATH``, as ``scripts/develop`` does). The helpers read the process's
memory from ``/proc/PID/status`` and ``/proc/PID/smaps_rollup``, its CPU time from
``/proc/PID/stat`` and the tracker's stored nights from its storage file.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from types import TracebackType
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
STARTED_LINE = "Home Assistant initialized in"
START_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 60.0
SETTLE_DELAY_S = 10.0
SETTLE_SAMPLES = 10
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") / 1024

_CONFIG = """\
# Written by the bench (bench/hass.py): scripts/develop's components; the web server's settings
# (loopback only, a free port) are in .storage/http.
homeassistant:
  name: Radar Sleep bench
  time_zone: Europe/Amsterdam
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  country: NL
  currency: EUR
frontend:
config:
history:
logbook:
recorder:
  purge_keep_days: 10
conversation:
logger:
  default: warning
  logs:
    homeassistant.bootstrap: info
"""

_TRACKER = """\
radar_sleep:
  - name: Bedroom
    seed: {seed}
    side: left
    radar_position: left_table
    partner: true
    pet: false
    speed: {speed}
"""


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http_store(port: int) -> dict[str, Any]:
    """Home Assistant's stored web server settings: loopback only, on ``port``.

    Stored as the confirmed settings: an ``http:`` block in YAML would be a trial that Home
    Assistant reverts, restarting itself, five minutes later.
    """
    from homeassistant.components.http import config as http  # noqa: PLC0415
    from homeassistant.util import dt as dt_util  # noqa: PLC0415

    stable = dict(http.HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": port}))
    stable |= {"created_at": dt_util.utcnow().isoformat(), "error": None, "error_message": None}
    return {
        "version": http.STORAGE_VERSION,
        "minor_version": http.STORAGE_MINOR_VERSION,
        "key": http.STORAGE_KEY,
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }


def hass_executable() -> Path:
    """The ``hass`` of the virtual environment running this bench."""
    return Path(sys.executable).parent / "hass"


class HassProcess:
    """One Home Assistant process on a temporary configuration folder (a context manager)."""

    def __init__(
        self, *, tracker: bool, speed: float = 0.0, seed: int = 1, keep: bool = False
    ) -> None:
        """``tracker``: with one Radar Sleep tracker on the simulated bedroom at ``speed``."""
        self.tracker = tracker
        self.speed = speed
        self.seed = seed
        self.keep = keep
        self.config_dir = Path(tempfile.mkdtemp(prefix="radar-sleep-bench-"))
        self.log_file = self.config_dir / "home-assistant.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    @property
    def pid(self) -> int:
        """The process id."""
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> Self:
        """Write the configuration and start Home Assistant (returns once it is running)."""
        text = _CONFIG
        storage = self.config_dir / ".storage"
        storage.mkdir()
        (storage / "http").write_text(json.dumps(http_store(free_port())), encoding="utf-8")
        if self.tracker:
            text += _TRACKER.format(seed=self.seed, speed=self.speed)
        (self.config_dir / "configuration.yaml").write_text(text, encoding="utf-8")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env.setdefault("OMP_NUM_THREADS", "1")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            [
                str(hass_executable()),
                "--config",
                str(self.config_dir),
                "--skip-pip",
                "--log-no-color",
                "--log-file",
                str(self.log_file),
            ],
            env=env,
            cwd=self.config_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_for(lambda: STARTED_LINE in self.log_text(), START_TIMEOUT_S, "start")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop Home Assistant (SIGTERM, then SIGKILL) and remove the folder."""
        self.stop()
        if not self.keep:
            shutil.rmtree(self.config_dir, ignore_errors=True)

    def stop(self) -> None:
        """Stop the process (a clean shutdown if it answers within a minute)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def wait_for(self, ready: Callable[[], bool], timeout_s: float, what: str) -> None:
        """Poll ``ready`` every half second; fail if the process died or ``timeout_s`` passed."""
        deadline = time.monotonic() + timeout_s
        while not ready():
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Home Assistant exited ({self.process.returncode}) before {what}; "
                    f"log: {self.log_file}\n{self.log_text()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"Home Assistant: no {what} within {timeout_s:.0f} s")
            time.sleep(0.5)

    def log_text(self) -> str:
        """Home Assistant's log so far."""
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def stored(self) -> dict[str, Any] | None:
        """The tracker's storage file (``.storage/radar_sleep.<entry id>``), if written yet."""
        for path in sorted((self.config_dir / ".storage").glob("radar_sleep.*")):
            with contextlib.suppress(OSError, ValueError):
                data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["data"]
                return data
        return None

    def stored_nights(self) -> list[dict[str, Any]]:
        """The nights in the tracker's storage file, oldest first."""
        data = self.stored()
        return list(data.get("nights") or []) if data else []

    def memory_mb(self) -> dict[str, float]:
        """Resident memory now, in MB: ``rss``, ``anon``, ``file``, ``hwm`` (peak), ``pss``."""
        return memory_mb(self.pid)

    def settled_memory_mb(
        self, delay_s: float = SETTLE_DELAY_S, samples: int = SETTLE_SAMPLES
    ) -> dict[str, float]:
        """:meth:`memory_mb` ``delay_s`` from now: the median of ``samples`` half a second apart.

        At speed 0 the next night is drawn right after a night ends (a passing peak of
        scratch arrays); the median after a delay is what the process holds while it plays.
        """
        time.sleep(delay_s)
        readings = []
        for _ in range(samples):
            readings.append(self.memory_mb())
            time.sleep(0.5)
        return {key: statistics.median(r[key] for r in readings) for key in readings[0]}

    def cpu_seconds(self) -> float:
        """User and system CPU time of every thread so far."""
        return cpu_seconds(self.pid)


def memory_mb(pid: int) -> dict[str, float]:
    """``/proc/PID/status`` and ``smaps_rollup`` in MB (1 MB = 1024 kB, as ``ps`` shows)."""
    status: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            status[key] = float(rest.split()[0]) / 1024
    rollup: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="utf-8").splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Anonymous"):
                rollup[key] = float(rest.split()[0]) / 1024
    return {
        "rss": status["VmRSS"],
        "anon": status["RssAnon"],
        "file": status["RssFile"],
        "hwm": status["VmHWM"],
        "pss": rollup.get("Pss", float("nan")),
    }


def cpu_seconds(pid: int) -> float:
    """User plus system time of process ``pid`` (all its threads), from ``/proc/PID/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def bare_import_mb(modules: str) -> dict[str, float]:
    """What importing ``modules`` costs a bare Python (this interpreter): RSS and anonymous MB."""
    code = (
        "import os, sys\n"
        f"import {modules}\n" * bool(modules) + "print(open('/proc/self/status').read())\n"
    )
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    values: dict[str, float] = {}
    for line in out.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon"):
            values[key] = float(rest.split()[0]) / 1024
    return {"rss": values["VmRSS"], "anon": values["RssAnon"]}
