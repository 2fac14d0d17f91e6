"""The radar command line: ``decode`` of every family, ``record`` from a socket, errors.

Every expected value comes from how the test builds its input (the frames it encodes with the
drivers' own encoders, the junk and the corrupted frame it inserts, the simulated person's
distance, the bytes its TCP server sends), never from the output of the code under test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import io
import json
from pathlib import Path
import random
import socket
import struct
import subprocess
import sys
from typing import Any

import pytest

from custom_components.radar_sleep.radar.cli import main
from custom_components.radar_sleep.radar.drivers import (
    ld2410,
    mr24bsd1,
    mr60bha2,
    ti_vitals as ti,
)
from custom_components.radar_sleep.radar.fmcw.capture import save_capture
from custom_components.radar_sleep.radar.fmcw.simulate import FmcwScene, SimPerson, simulate

ROOT = Path(__file__).resolve().parents[2]
"""The project root: ``python -m custom_components.radar_sleep.radar`` runs from here."""


def _no_constants(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def parse_lines(text: str) -> list[dict[str, Any]]:
    """Every output line as strict JSON (``NaN``/``Infinity`` rejected)."""
    lines = text.splitlines()
    assert lines, "no output"
    return [json.loads(line, parse_constant=_no_constants) for line in lines]


# -- building byte streams ----------------------------------------------------------------


@dataclass
class Expected:
    offset: int
    type: str
    fields: dict[str, Any]


@dataclass
class Stream:
    """A byte stream and what decoding it must find."""

    data: bytearray = field(default_factory=bytearray)
    expected: list[Expected] = field(default_factory=list)
    bad_checksums: int = 0
    skipped_bytes: int = 0

    def frame(self, raw: bytes, type_: str, **fields: Any) -> None:
        """An intact frame, decoded at the current offset."""
        self.expected.append(Expected(len(self.data), type_, fields))
        self.data += raw

    def junk(self, raw: bytes) -> None:
        """Garbage between frames: every byte is skipped."""
        self.skipped_bytes += len(raw)
        self.data += raw

    def corrupt(self, raw: bytes) -> None:
        """A frame whose checksum (or consistency check) fails: one bad frame, all skipped."""
        self.bad_checksums += 1
        self.skipped_bytes += len(raw)
        self.data += raw


def flip_last_byte(frame: bytes) -> bytes:
    """The frame with its last byte (the checksum, CRC or footer) inverted."""
    return frame[:-1] + bytes([frame[-1] ^ 0xFF])


def mr60bha2_stream() -> Stream:
    m = mr60bha2
    s = Stream()
    s.junk(b"\x00\xff\x01\x7f\x33")  # a stray SOF whose header checksum fails
    s.frame(
        m.encode_phase(1.0, 0.5, -0.25, frame_id=0x10),
        "phase",
        frame_id=0x10,
        total_phase_rad=1.0,
        breath_phase_rad=0.5,
        heart_phase_rad=-0.25,
    )
    s.frame(m.encode_breath_rate(16.5, frame_id=0x11), "breath_rate", breath_rate_bpm=16.5)
    s.corrupt(flip_last_byte(m.encode_heart_rate(72.0, frame_id=0x12)))
    s.junk(bytes(range(0x80, 0x90)))
    s.frame(m.encode_heart_rate(64.0, frame_id=0x13), "heart_rate", heart_rate_bpm=64.0)
    s.frame(m.encode_distance(0.75, frame_id=0x14), "distance", range_flag=1, distance_m=0.75)
    s.frame(m.encode_presence(True, frame_id=0x15), "presence", present=True)
    s.junk(b"\xee\xdd")
    return s


def mr24bsd1_stream() -> Stream:
    m = mr24bsd1
    s = Stream()
    s.junk(b"\x00\xaa\x13\x37")
    s.frame(m.encode_breath_rate(14), "breath_rate", breath_rate_bpm=14.0)
    s.frame(m.encode_heart_rate(61), "heart_rate", heart_rate_bpm=61.0)
    s.corrupt(flip_last_byte(m.encode_sleep_state("deep")))
    s.junk(b"\x10\x20\x30")
    s.frame(m.encode_sleep_state("light"), "sleep_state", sleep_state="light")
    s.frame(m.encode_bed_status(True), "bed_status", in_bed=True)
    s.frame(m.encode_body_movement(12.5), "body_movement", body_movement_pct=12.5)
    s.junk(b"\xee\xdd")
    return s


def ld2410_stream() -> Stream:
    m = ld2410
    s = Stream()
    s.junk(b"\x11\x22\xf4\xf3\x33")  # half a report header
    s.frame(
        m.encode_basic_report(
            1, moving_distance_cm=120, moving_energy=55, detection_distance_cm=130
        ),
        "basic",
        moving=True,
        still=False,
        moving_distance_m=1.2,
        moving_energy=55,
        detection_distance_m=1.3,
    )
    gates = tuple(range(10, 19))
    s.frame(
        m.encode_engineering_report(
            2, still_distance_cm=80, still_energy=40, moving_gate_energy=gates
        ),
        "engineering",
        still=True,
        still_distance_m=0.8,
        still_energy=40,
        max_moving_gate=len(gates) - 1,
        moving_gate_energy=list(gates),
    )
    s.corrupt(flip_last_byte(m.encode_basic_report(2, still_distance_cm=90)))  # bad footer
    s.junk(b"\x00\x01\x02")
    s.frame(
        m.encode_ack(m.CMD_ENABLE_CONFIG, 0, struct.pack("<HH", 1, 0x40)),
        "ack",
        command=m.CMD_ENABLE_CONFIG,
        success=True,
        protocol_version=1,
        buffer_size=0x40,
    )
    s.frame(m.encode_command(m.CMD_ENABLE_ENGINEERING), "command", command=0x62)
    s.junk(b"\xee\xdd")
    return s


def ti_vitals_stream() -> Stream:
    s = Stream()
    s.junk(b"\x00\x99\x02\x01\x04")  # the start of a magic word
    vitals = ti.TiVitals(3, 12, 0.25, 70.0, 15.0)
    s.frame(
        ti.encode_frame(
            7,
            [
                ti.encode_tracks([ti.TiTrack(3, 0.5, 1.25, 0.75)]),
                ti.encode_target_index([3, 3, 255]),
                ti.encode_vitals(vitals),
            ],
        ),
        "frame",
        frame_number=7,
        tlv_types=[ti.TLV_TRACKS, ti.TLV_TARGET_INDEX, ti.TLV_VITALS],
        track_id=[3],
        track_x_m=[0.5],
        track_y_m=[1.25],
        track_z_m=[0.75],
        target_index=[3, 3, 255],
        vs_heart_rate_bpm=70.0,
        vs_breath_rate_bpm=15.0,
        vs_breath_deviation=0.25,
    )
    s.frame(ti.encode_frame(8), "frame", frame_number=8, tlv_types=[])
    # No checksum in TI frames: a TLV length past totalPacketLen makes the frame inconsistent.
    bad = bytearray(ti.encode_frame(9, [ti.encode_tracks([ti.TiTrack(4, 0.1, 1.0)])]))
    struct.pack_into("<I", bad, ti.HEADER_BYTES + 4, 0xFFFF)
    s.corrupt(bytes(bad))
    s.junk(b"\x10\x20\x30")
    s.frame(
        ti.encode_frame(10, [ti.encode_target_heights([ti.TiHeight(3, 1.5, 0.25)])]),
        "frame",
        frame_number=10,
        tlv_types=[ti.TLV_TARGET_HEIGHT],
        height_track_id=[3],
        height_max_z_m=[1.5],
        height_min_z_m=[0.25],
    )
    s.junk(b"\xee\xdd")
    return s


STREAMS: dict[str, Callable[[], Stream]] = {
    "mr60bha2": mr60bha2_stream,
    "mr24bsd1": mr24bsd1_stream,
    "ld2410": ld2410_stream,
    "ti-vitals": ti_vitals_stream,
}


def assert_decoded(records: list[dict[str, Any]], family: str, stream: Stream) -> None:
    """The intact frames at their offsets with their fields, then the right counts."""
    *messages, last = records
    assert [(r["family"], r["type"], r["offset"]) for r in messages] == [
        (family, e.type, e.offset) for e in stream.expected
    ]
    for record, expected in zip(messages, stream.expected, strict=True):
        for key, value in expected.fields.items():
            if isinstance(value, float) or (
                isinstance(value, list) and any(isinstance(v, float) for v in value)
            ):
                assert record[key] == pytest.approx(value), (expected.type, key)
            else:
                assert record[key] == value, (expected.type, key)
                assert type(record[key]) is type(value), (expected.type, key)
    summary = last["summary"]
    assert summary["frames"] == len(stream.expected)
    assert summary["bad_checksums"] == stream.bad_checksums == 1
    assert summary["skipped_bytes"] == stream.skipped_bytes
    assert summary["bytes"] == len(stream.data)
    assert summary["incomplete_bytes"] == 0


# -- decode ----------------------------------------------------------------------------------


@pytest.mark.parametrize("family", sorted(STREAMS))
def test_decode_serial_family(tmp_path: Path, family: str) -> None:
    stream = STREAMS[family]()
    path = tmp_path / f"{family}.bin"
    path.write_bytes(stream.data)
    buf = io.StringIO()
    assert main(["decode", "--family", family, str(path)], out=buf) == 0
    assert_decoded(parse_lines(buf.getvalue()), family, stream)


def test_decode_fmcw_capture(tmp_path: Path) -> None:
    person = SimPerson(1.1, 10.0)
    cap = simulate(FmcwScene(people=(person,), seed=3), 3.0, output="adc")
    path = tmp_path / "capture.npz"
    save_capture(path, cap.frames, cap.t, cap.config)
    buf = io.StringIO()
    assert main(["decode", "--family", "fmcw", str(path)], out=buf) == 0
    *frames, last = parse_lines(buf.getvalue())
    assert last == {"summary": {"frames": len(cap.t), "bad_checksums": 0, "skipped_bytes": 0}}
    assert [(f["family"], f["type"]) for f in frames] == [("fmcw", "frame")] * len(cap.t)
    assert [f["t"] for f in frames] == pytest.approx(cap.t.tolist())
    with_targets = [f for f in frames if f["targets"]]
    assert frames[-1]["targets"], "the person is still not detected at the end"
    assert len(with_targets) >= len(frames) // 3
    for frame in with_targets:
        nearest = min(frame["targets"], key=lambda t: abs(t["distance_m"] - person.distance_m))
        assert nearest["distance_m"] == pytest.approx(person.distance_m, abs=0.1)
        assert nearest["angle_deg"] == pytest.approx(person.angle_deg, abs=10.0)
        assert set(nearest) >= {"target_id", "respiration_mm", "movement", "signal_quality"}


@pytest.mark.parametrize("family", ["mr24bsd1", "fmcw"])
def test_decode_missing_file(
    tmp_path: Path, family: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "absent.bin"
    buf = io.StringIO()
    assert main(["decode", "--family", family, str(path)], out=buf) == 2
    assert buf.getvalue() == ""
    err = capsys.readouterr().err
    assert "cannot read" in err
    assert str(path) in err
    assert "Traceback" not in err


@pytest.mark.parametrize("content", [b"not a capture", b"PK\x03\x04truncated zip"])
def test_decode_fmcw_not_a_capture(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    assert main(["decode", "--family", "fmcw", str(path)], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert f"cannot read {path}" in err
    assert "Traceback" not in err


# -- record ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("socket_enabled")  # a TCP peer on 127.0.0.1
async def test_record_from_socket(tmp_path: Path) -> None:
    payload = ld2410_stream().data * 20 + random.Random(0).randbytes(20_000)
    connected = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        for start in range(0, len(payload), 1500):
            writer.write(payload[start : start + 1500])
            await writer.drain()
        await reader.read()  # keep the connection open until the client hangs up
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    out = tmp_path / "capture.bin"
    buf = io.StringIO()
    argv = ["record", "--family", "ld2410", "--port", f"socket://127.0.0.1:{port}"]
    try:
        code = await asyncio.to_thread(main, [*argv, "--seconds", "1", str(out)], buf)
    finally:
        server.close()
        server.close_clients()
        await server.wait_closed()
    assert connected.is_set()
    assert code == 0
    assert out.read_bytes() == payload
    assert parse_lines(buf.getvalue()) == [{"bytes": len(payload), "file": str(out)}]


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    "url",
    [
        pytest.param("closed", id="closed-port"),
        pytest.param("socket://127.0.0.1", id="no-port"),
        pytest.param("nosuchscheme://device", id="unknown-scheme"),
    ],
)
def test_record_cannot_open(tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    if url == "closed":
        url = f"socket://127.0.0.1:{closed_port()}"
    out = tmp_path / "capture.bin"
    buf = io.StringIO()
    argv = ["record", "--family", "mr60bha2", "--port", url, "--seconds", "1", str(out)]
    assert main(argv, out=buf) == 2
    assert buf.getvalue() == ""
    assert not out.exists()
    err = capsys.readouterr().err
    assert f"cannot open {url}" in err
    assert "Traceback" not in err


# -- without Home Assistant -------------------------------------------------------------------

WITHOUT_HOMEASSISTANT = """
import importlib.abc, runpy, sys

class BlockHomeAssistant(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "homeassistant" or name.startswith("homeassistant."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, BlockHomeAssistant())
try:
    import homeassistant
except ModuleNotFoundError:
    pass
else:
    raise SystemExit("homeassistant was not blocked")
try:
    runpy.run_module("custom_components.radar_sleep.radar", run_name="__main__", alter_sys=True)
finally:
    leaked = [m for m in sys.modules if m.split(".")[0] == "homeassistant"]
    assert not leaked, leaked
"""


def test_decode_runs_without_homeassistant(tmp_path: Path) -> None:
    stream = mr24bsd1_stream()
    path = tmp_path / "mr24bsd1.bin"
    path.write_bytes(stream.data)
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_HOMEASSISTANT, "decode", "--family", "mr24bsd1", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert_decoded(parse_lines(result.stdout), "mr24bsd1", stream)
