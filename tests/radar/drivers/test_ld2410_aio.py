"""The LD2410 parser against ``aio-ld2410``'s frame decoding, on the same byte streams.

``aio-ld2410`` (morian/aio-ld2410) is an asyncio client of the module that owns the serial
port, so it cannot replace the driver; its frame splitter (:class:`aio_ld2410.stream.
FrameStream`, fed bytes, no port) and its ``construct`` structures of reports, commands and
replies are pure, and decode the same streams independently. Streams are built here from the
documented layout (Hi-Link protocol V1.02/V1.06) with ``struct``, never with the driver's
encoders: basic and engineering reports, the protocol document's command and ACK examples,
and junk between frames.
"""

from __future__ import annotations

import struct
from typing import Any

from aio_ld2410.protocol import Command, FrameType, Reply, Report, ReportType
from aio_ld2410.stream import FrameStream
from hypothesis import given, settings, strategies as st

from custom_components.radar_sleep.radar.drivers import ld2410
from custom_components.radar_sleep.radar.protocol import DecodedMessage, StreamParser

HEAD = bytes.fromhex("F4F3F2F1")
FOOT = bytes.fromhex("F8F7F6F5")
CMD_HEAD = bytes.fromhex("FDFCFBFA")
CMD_FOOT = bytes.fromhex("04030201")

# Examples of the protocol document, byte for byte.
DOC_FRAMES = [
    bytes.fromhex("FDFCFBFA0400FF00010004030201"),  # enable configuration
    bytes.fromhex("FDFCFBFA0800FF01000001004000" + "04030201"),  # its ACK
    bytes.fromhex("FDFCFBFA0200620004030201"),  # enable engineering mode
    bytes.fromhex("FDFCFBFA0400620100000403" + "0201"),  # its ACK
    bytes.fromhex("FDFCFBFA0200FE0004030201"),  # end configuration
    bytes.fromhex("FDFCFBFA0600AB0100000100" + "04030201"),  # distance resolution ACK
]

energy = st.integers(0, 100)
distance = st.integers(0, 0xFFFF)


def _report(data: bytes) -> bytes:
    return HEAD + struct.pack("<H", len(data)) + data + FOOT


@st.composite
def reports(draw: st.DrawFn) -> bytes:
    """A basic or engineering report frame (engineering with light level and OUT pin)."""
    kind = draw(st.sampled_from([0x01, 0x02]))
    basic = struct.pack(
        "<BBBHBHBH",
        kind,
        0xAA,
        draw(st.integers(0, 3)),
        draw(distance),
        draw(energy),
        draw(distance),
        draw(energy),
        draw(distance),
    )
    if kind == 0x02:
        return _report(basic + b"\x55\x00")
    moving = draw(st.lists(energy, min_size=1, max_size=9))
    still = draw(st.lists(energy, min_size=1, max_size=9))
    body = bytes((len(moving) - 1, len(still) - 1, *moving, *still))
    extra = bytes((draw(st.integers(0, 255)), draw(st.integers(0, 1))))
    return _report(basic + body + extra + b"\x55\x00")


# Junk that holds no (partial) header: both parsers must skip it and lose nothing.
junk = st.binary(max_size=12).filter(lambda b: 0xF4 not in b and 0xFD not in b)


def _aio_frames(stream: bytes) -> list[dict[str, Any]]:
    """What aio-ld2410 decodes from ``stream``, as plain values."""
    frames = FrameStream()
    frames.push(stream)
    out: list[dict[str, Any]] = []
    for frame in frames:
        if frame.type == FrameType.REPORT:
            report = Report.parse(frame.data)
            basic = report.data.basic
            values: dict[str, Any] = {
                "type": "engineering" if int(report.type) == ReportType.ENGINEERING else "basic",
                "target_state": int(basic.target_status),
                "moving_distance_m": basic.moving_distance / 100.0,
                "moving_energy": basic.moving_energy,
                "still_distance_m": basic.static_distance / 100.0,
                "still_energy": basic.static_energy,
                "detection_distance_m": basic.detection_distance / 100.0,
            }
            eng = report.data.engineering
            if eng is not None:
                values["max_moving_gate"] = eng.moving_max_distance_gate
                values["max_still_gate"] = eng.static_max_distance_gate
                values["moving_gate_energy"] = list(eng.moving_gate_energy)
                values["still_gate_energy"] = list(eng.static_gate_energy)
                values["light_level"] = eng.photosensitive_value
                values["out_pin"] = bool(int(eng.out_pin_status))
            out.append(values)
        elif frame.data[1] == 1:  # a reply (ACK): the word's high byte is 0x01
            reply = Reply.parse(frame.data)
            values = {"type": "ack", "command": int(reply.code), "status": int(reply.status)}
            if int(reply.code) == 0xFF:
                values["protocol_version"] = reply.data.protocol_version
                values["buffer_size"] = reply.data.buffer_size
            out.append(values)
        else:
            out.append({"type": "command", "command": int(Command.parse(frame.data).code)})
    return out


def _ours(messages: list[DecodedMessage], like: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our messages restricted to the keys aio-ld2410 decodes."""
    return [
        {key: (msg.type if key == "type" else msg.fields.get(key)) for key in expected}
        for msg, expected in zip(messages, like, strict=True)
    ]


@settings(database=None, max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(junk, reports() | st.sampled_from(DOC_FRAMES)), min_size=1, max_size=8),
    st.integers(1, 40),
)
def test_same_values_as_aio_ld2410(items: list[tuple[bytes, bytes]], chunk: int) -> None:
    stream = b"".join(j + frame for j, frame in items)
    theirs = _aio_frames(stream)
    assert len(theirs) == len(items)
    parser = StreamParser(ld2410.FAMILY, ld2410.parse)
    ours: list[DecodedMessage] = []
    for start in range(0, len(stream), chunk):
        ours += parser.feed(stream[start : start + chunk])
    assert len(ours) == len(items)
    assert _ours(ours, theirs) == theirs


def test_documented_examples_agree() -> None:
    basic = _report(struct.pack("<BBBHBHBH", 0x02, 0xAA, 2, 0x51, 0, 0, 0x3B, 0) + b"\x55\x00")
    stream = b"".join([basic, *DOC_FRAMES])
    theirs = _aio_frames(stream)
    assert [t["type"] for t in theirs] == [
        "basic",
        "command",
        "ack",
        "command",
        "ack",
        "command",
        "ack",
    ]
    assert _ours(ld2410.parse(stream).messages, theirs) == theirs
