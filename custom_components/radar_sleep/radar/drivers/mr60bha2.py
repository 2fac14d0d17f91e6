"""Seeed MR60BHA2 (60 GHz breathing and heart-rate module): UART frames and frame assembly.

The MR60BHA2 talks 115200 8N1 and sends, several times a second, one small frame per
quantity: the breathing/heart phase waveform, breath rate, heart rate, distance, presence and
the positions of up to three tracked people. Radar Sleep uses the phase frame as its frame
clock: every ``0x0A13`` frame becomes one :class:`~..contracts.VitalsFrame` whose
``respiration_mm`` carries the breathing waveform converted to chest displacement.

Frame layout (all sources below agree)::

    SOF 0x01 | ID u16 BE | LEN u16 BE | TYPE u16 BE | HEAD_CKSUM u8 | DATA[LEN] | DATA_CKSUM u8

``HEAD_CKSUM`` is the bitwise NOT of the XOR of the 7 bytes before it, ``DATA_CKSUM`` the
bitwise NOT of the XOR of ``DATA``. Header fields are big-endian; payload values are
little-endian (IEEE-754 ``f32``, ``u32``/``i32``). ``ID`` is a running frame counter.

Payloads decoded here (``type`` name in brackets):

======== ================= ==============================================================
TYPE     name              payload
======== ================= ==============================================================
0x0A13   ``phase``         total, breath, heart phase: ``f32`` x 3 (radians, see below)
0x0A14   ``breath_rate``   ``f32`` breaths/min; 0 when nobody is in vital-sign range
0x0A15   ``heart_rate``    ``f32`` beats/min; 0 when nobody is in vital-sign range
0x0A16   ``distance``      ``u32`` range flag (0 = no target) + ``f32`` range in **cm**
0x0F09   ``presence``      unsigned little-endian integer, non-zero = person present
0x0A04   ``target_info``   ``u32`` count + count x (x ``f32`` m, y ``f32`` m, doppler
                           index ``i32``, cluster id ``i32``)
0x0A08   ``point_cloud``   same layout as ``0x0A04``
0x0A17   ``alt_position``  x, y ``f32`` m (undocumented; observed, see below)
0x0A29   ``status``        ``u16`` (undocumented; observed, see below)
0x0100   ``debug_log``     ASCII text (undocumented; observed, see below)
0xFFFF   ``firmware``      version bytes (reply to a query, not sent spontaneously)
======== ================= ==============================================================

Anything else decodes as type ``unknown`` with ``type_code`` and ``raw`` hex; a known type
whose payload is too short decodes with ``malformed=True`` and ``raw`` only.

Sources checked (repository and path):

- ESPHome ``esphome/esphome``: ``esphome/components/seeed_mr60bha2/seeed_mr60bha2.cpp`` and
  ``seeed_mr60bha2.h`` (several versions): SOF, big-endian ID/LEN/TYPE, both checksums,
  ``FRAME_MAX_DATA_LENGTH = 64``, little-endian ``f32`` rates, distance = flag ``u32`` at
  bytes 0-3 and ``f32`` at 4-7, presence = ``u16`` LE from bytes 0-1, ``0x0A04`` count =
  ``u32`` LE. ``sensor.py`` publishes the distance with ``UNIT_CENTIMETER``.
- Seeed's Arduino library (the Seeed wiki links ``Love4yzp/Seeed-mmWave-library``):
  ``src/FrameCodec.h`` / ``src/FrameCodec.cpp`` (layout, "ID, LEN, TYPE are big-endian",
  "DATA payloads are little-endian", a codec limit ``kMaxDataLen = 512``),
  ``src/SEEED_MR60BHA2.h`` / ``src/SEEED_MR60BHA2.cpp`` (type codes, phase order
  total/breath/heart, ``0x0A04``/``0x0A08`` target layout, ``RANGE_STEP 17.28`` cm/s per
  doppler step, firmware union), and the wiki page
  ``getting_started_with_mr60bha2_mmwave_kit`` (x/y "in meter", vital signs within 1.5 m,
  presence up to 6 m).
- A real capture in ``limengdu/MR60BHA2_ESPHome_external_components`` issue #3, e.g.
  ``01 67 E3 00 04 0A 16 62 00 00 00 00 FF``: confirms the byte order and both checksums
  (the test suite decodes it), and shows that older firmware sent a 4-byte distance payload.
- Third-party reverse engineering (not Seeed): ``duramson/mr60bha2-radar`` ``PROTOCOL.md`` and
  ``src/mr60bha2.c`` (firmware 1.6.12: ~8 Hz per type, phases in radians, distance in cm,
  the undocumented ``0x0A17``/``0x0A29``/``0x0100`` types) and
  ``sovereignintegritysystems/mr60bha2-rs`` ``crates/mr60bha2-proto/src/{frame,types}.rs``
  (+x to the sensor's right, +y forward).

Where the sources disagree or are silent (reported, not guessed away):

- **Distance unit**: ESPHome (``UNIT_CENTIMETER``) and ``duramson`` say cm; a comment in Seeed's
  example (``distance: 0.68``) and ``mr60bha2-rs`` suggest metres. Decoded as cm
  (``distance_m = value / 100``), the reading that matches the ESPHome entity users see.
  ``duramson``'s ``PROTOCOL.md`` table swaps flag and value; its code, ESPHome and Seeed read
  the flag first, as here.
- **Presence width**: Seeed reads ``data[0]``, ESPHome a ``u16``, ``duramson`` documents a
  ``u32``; all agree on "non-zero = present", so any width up to 4 bytes is accepted.
- **Phase unit**: Seeed does not state it; radians per ``duramson``. Whether ``breath_phase``
  is unwrapped, and its sign convention, are not documented.
- **Firmware reply**: Seeed's union reads bytes as project, major, sub, modified; ``duramson``
  reads them in the opposite order and documents a 12-byte layout. Seeed's order is used.
- **Undocumented types** (``0x0A17``, ``0x0A29``, ``0x0100``) are from third-party captures only.
- **Axis sign** of ``x`` (right positive) is from ``mr60bha2-rs`` only; Seeed does not say.
- **Maximum LEN**: ESPHome's component stops at 64 ("maximum expected data payload"),
  Seeed's codec at 512 (its buffer size). The largest payload any source describes is a
  ``0x0A04`` with three targets (52 bytes; Seeed's ``MAX_TARGET_NUM`` is 3), so this parser
  follows ESPHome: :data:`MAX_DATA_LEN` = 64, anything larger is garbage. The tighter bound
  makes a false SOF in corrupted data ~8 times less likely to swallow the frames after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import math
import struct
from typing import Final

from ...contracts import Capabilities, TargetVitals, VitalsFrame
from ..protocol import (
    BAD,
    NEED_MORE,
    SKIP,
    DecodedMessage,
    DecodeStep,
    FieldValue,
    HeaderSync,
    ParseResult,
)

FAMILY: Final = "mr60bha2"
BAUD_RATE: Final = 115_200

CAPABILITIES: Final = Capabilities(
    presence=True,
    respiration_waveform=True,
    breath_rate=True,
    heart_rate=True,
    distance=True,
    angle=True,
    movement=True,
    multiple_targets=True,
)
"""Phase waveform, rates, distance and presence for the person in vital-sign range (<= 1.5 m);
positions (hence angle) of up to three people; movement derived by the assembler."""

SOF: Final = 0x01
HEADER_LEN: Final = 8
"""SOF + ID + LEN + TYPE + HEAD_CKSUM."""
MAX_DATA_LEN: Final = 64
"""Largest accepted LEN (ESPHome's ``FRAME_MAX_DATA_LENGTH``); larger LEN values are garbage."""
MAX_FRAME_LEN: Final = HEADER_LEN + MAX_DATA_LEN + 1
"""Longest possible frame: the parser never leaves more than this unconsumed."""

TYPE_PHASE: Final = 0x0A13
TYPE_BREATH_RATE: Final = 0x0A14
TYPE_HEART_RATE: Final = 0x0A15
TYPE_DISTANCE: Final = 0x0A16
TYPE_PRESENCE: Final = 0x0F09
TYPE_TARGET_INFO: Final = 0x0A04
TYPE_POINT_CLOUD: Final = 0x0A08
TYPE_ALT_POSITION: Final = 0x0A17
TYPE_STATUS: Final = 0x0A29
TYPE_DEBUG_LOG: Final = 0x0100
TYPE_FIRMWARE: Final = 0xFFFF

TYPE_NAMES: Final[dict[int, str]] = {
    TYPE_PHASE: "phase",
    TYPE_BREATH_RATE: "breath_rate",
    TYPE_HEART_RATE: "heart_rate",
    TYPE_DISTANCE: "distance",
    TYPE_PRESENCE: "presence",
    TYPE_TARGET_INFO: "target_info",
    TYPE_POINT_CLOUD: "point_cloud",
    TYPE_ALT_POSITION: "alt_position",
    TYPE_STATUS: "status",
    TYPE_DEBUG_LOG: "debug_log",
    TYPE_FIRMWARE: "firmware",
}

SPEED_OF_LIGHT_M_S: Final = 299_792_458.0
CARRIER_HZ: Final = 60e9
WAVELENGTH_M: Final = SPEED_OF_LIGHT_M_S / CARRIER_HZ
"""About 4.997 mm at 60 GHz."""
MM_PER_RAD: Final = WAVELENGTH_M * 1000.0 / (4.0 * math.pi)
"""Chest displacement per radian of phase, about 0.398 mm/rad (see :func:`phase_to_mm`)."""
DOPPLER_STEP_M_S: Final = 0.1728
"""Radial speed per doppler index step (Seeed's ``RANGE_STEP = 17.28`` cm/s)."""

_F32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_TARGET = struct.Struct("<ffii")
_SOF_BYTE = bytes([SOF])


def checksum(data: bytes) -> int:
    """The MR60BHA2 checksum: bitwise NOT of the XOR of ``data`` (``~XOR``, one byte)."""
    x = 0
    for b in data:
        x ^= b
    return ~x & 0xFF


def phase_to_mm(phase_rad: float) -> float:
    """Chest displacement (mm) for a radar phase (rad): ``d = phase * wavelength / (4 * pi)``.

    A reflector moving by ``d`` changes the round-trip path by ``2 d`` and so the phase by
    ``4 pi d / wavelength``; with ``wavelength = c / 60 GHz`` that is about 0.398 mm per
    radian. The sign follows the device's phase convention, which Seeed does not document.
    """
    return phase_rad * MM_PER_RAD


# --------------------------------------------------------------------------------- encoding


@dataclass(frozen=True, slots=True)
class RadarTarget:
    """One entry of a ``0x0A04`` target-info or ``0x0A08`` point-cloud frame."""

    x_m: float
    """Lateral position, positive to the radar's right (per third-party sources)."""
    y_m: float
    """Forward position from the radar face."""
    doppler_index: int
    """Radial speed in steps of :data:`DOPPLER_STEP_M_S`."""
    cluster_id: int
    """Tracking id, stable while the device keeps the same person."""

    @property
    def range_m(self) -> float:
        """Distance from the radar."""
        return math.hypot(self.x_m, self.y_m)

    @property
    def angle_deg(self) -> float:
        """Azimuth from boresight, positive to the right."""
        return math.degrees(math.atan2(self.x_m, self.y_m))


def encode_frame(frame_type: int, data: bytes = b"", *, frame_id: int = 0) -> bytes:
    """One complete frame: header (big-endian), header checksum, payload, payload checksum."""
    if len(data) > MAX_DATA_LEN:
        raise ValueError(f"payload of {len(data)} bytes exceeds {MAX_DATA_LEN}")
    header = struct.pack(">BHHH", SOF, frame_id & 0xFFFF, len(data), frame_type & 0xFFFF)
    return header + bytes([checksum(header)]) + data + bytes([checksum(data)])


def encode_phase(
    total_phase_rad: float,
    breath_phase_rad: float,
    heart_phase_rad: float,
    *,
    frame_id: int = 0,
) -> bytes:
    """A ``0x0A13`` phase frame."""
    data = struct.pack("<fff", total_phase_rad, breath_phase_rad, heart_phase_rad)
    return encode_frame(TYPE_PHASE, data, frame_id=frame_id)


def encode_breath_rate(breath_rate_bpm: float, *, frame_id: int = 0) -> bytes:
    """A ``0x0A14`` breath-rate frame."""
    return encode_frame(TYPE_BREATH_RATE, _F32.pack(breath_rate_bpm), frame_id=frame_id)


def encode_heart_rate(heart_rate_bpm: float, *, frame_id: int = 0) -> bytes:
    """A ``0x0A15`` heart-rate frame."""
    return encode_frame(TYPE_HEART_RATE, _F32.pack(heart_rate_bpm), frame_id=frame_id)


def encode_distance(distance_m: float | None, *, frame_id: int = 0) -> bytes:
    """A ``0x0A16`` distance frame (range in cm on the wire); ``None`` sends flag 0."""
    flag, cm = (0, 0.0) if distance_m is None else (1, distance_m * 100.0)
    return encode_frame(TYPE_DISTANCE, _U32.pack(flag) + _F32.pack(cm), frame_id=frame_id)


def encode_presence(present: bool, *, width: int = 4, frame_id: int = 0) -> bytes:
    """A ``0x0F09`` presence frame with a ``width``-byte little-endian value (1, 2 or 4)."""
    return encode_frame(TYPE_PRESENCE, int(present).to_bytes(width, "little"), frame_id=frame_id)


def _encode_targets(frame_type: int, targets: Sequence[RadarTarget], frame_id: int) -> bytes:
    data = _U32.pack(len(targets)) + b"".join(
        _TARGET.pack(t.x_m, t.y_m, t.doppler_index, t.cluster_id) for t in targets
    )
    return encode_frame(frame_type, data, frame_id=frame_id)


def encode_target_info(targets: Sequence[RadarTarget], *, frame_id: int = 0) -> bytes:
    """A ``0x0A04`` target-info frame."""
    return _encode_targets(TYPE_TARGET_INFO, targets, frame_id)


def encode_point_cloud(targets: Sequence[RadarTarget], *, frame_id: int = 0) -> bytes:
    """A ``0x0A08`` point-cloud frame."""
    return _encode_targets(TYPE_POINT_CLOUD, targets, frame_id)


def encode_alt_position(x_m: float, y_m: float, *, frame_id: int = 0) -> bytes:
    """An (undocumented) ``0x0A17`` position frame."""
    return encode_frame(TYPE_ALT_POSITION, struct.pack("<ff", x_m, y_m), frame_id=frame_id)


def encode_status(status_code: int, *, frame_id: int = 0) -> bytes:
    """An (undocumented) ``0x0A29`` status frame."""
    return encode_frame(TYPE_STATUS, struct.pack("<H", status_code), frame_id=frame_id)


def encode_debug_log(text: str, *, frame_id: int = 0) -> bytes:
    """An (undocumented) ``0x0100`` debug text frame."""
    return encode_frame(TYPE_DEBUG_LOG, text.encode("ascii"), frame_id=frame_id)


def encode_firmware(
    project: int, major: int, sub: int, modified: int, *, frame_id: int = 0
) -> bytes:
    """A ``0xFFFF`` firmware reply in Seeed's byte order (project, major, sub, modified)."""
    return encode_frame(TYPE_FIRMWARE, bytes([project, major, sub, modified]), frame_id=frame_id)


# --------------------------------------------------------------------------------- decoding


def _f32(data: bytes, offset: int = 0) -> float:
    return float(_F32.unpack_from(data, offset)[0])


def _decode_targets(data: bytes) -> dict[str, FieldValue] | None:
    if len(data) < 4:
        return None
    count = int(_U32.unpack_from(data, 0)[0])
    if count > (len(data) - 4) // _TARGET.size:
        return None
    xs: list[float] = []
    ys: list[float] = []
    dops: list[int] = []
    ids: list[int] = []
    for k in range(count):
        x, y, dop, cid = _TARGET.unpack_from(data, 4 + k * _TARGET.size)
        xs.append(float(x))
        ys.append(float(y))
        dops.append(int(dop))
        ids.append(int(cid))
    return {
        "target_count": count,
        "x_m": xs,
        "y_m": ys,
        "doppler_index": dops,
        "speed_m_s": [d * DOPPLER_STEP_M_S for d in dops],
        "cluster_id": ids,
    }


def _decode_payload(frame_type: int, data: bytes) -> dict[str, FieldValue] | None:
    """Fields of a known type, or ``None`` if the payload is too short for it."""
    n = len(data)
    match frame_type:
        case 0x0A13 if n >= 12:
            total, breath, heart = struct.unpack_from("<fff", data)
            return {
                "total_phase_rad": float(total),
                "breath_phase_rad": float(breath),
                "heart_phase_rad": float(heart),
            }
        case 0x0A14 if n >= 4:
            return {"breath_rate_bpm": _f32(data)}
        case 0x0A15 if n >= 4:
            return {"heart_rate_bpm": _f32(data)}
        case 0x0A16 if n >= 4:
            flag = int(_U32.unpack_from(data, 0)[0])
            if n < 8:  # older firmware: flag only (limengdu/... issue #3)
                return {"range_flag": flag, "distance_m": None}
            return {"range_flag": flag, "distance_m": _f32(data, 4) / 100.0}
        case 0x0F09 if n >= 1:
            value = int.from_bytes(data[:4], "little")
            return {"present": value != 0, "value": value}
        case 0x0A04 | 0x0A08:
            return _decode_targets(data)
        case 0x0A17 if n >= 8:
            return {"x_m": _f32(data), "y_m": _f32(data, 4)}
        case 0x0A29 if n >= 2:
            return {"status_code": int.from_bytes(data[:2], "little")}
        case 0x0100:
            return {"text": data.rstrip(b"\x00 \r\n").decode("ascii", "replace")}
        case 0xFFFF if n >= 4:
            return {
                "project": data[0],
                "version": f"{data[1]}.{data[2]}.{data[3]}",
                "raw": data.hex(),
            }
        case _:
            return None


def _decode(frame_type: int, frame_id: int, data: bytes, offset: int) -> DecodedMessage:
    name = TYPE_NAMES.get(frame_type)
    fields: dict[str, FieldValue] = {"frame_id": frame_id}
    if name is None:
        fields |= {"type_code": frame_type, "raw": data.hex()}
        return DecodedMessage(FAMILY, "unknown", offset, fields)
    decoded = _decode_payload(frame_type, data)
    if decoded is None:
        fields |= {"malformed": True, "raw": data.hex()}
    else:
        fields |= decoded
    return DecodedMessage(FAMILY, name, offset, fields)


def _frame_at(buf: bytes, j: int, end: int) -> bool | None:
    """Whether a whole valid frame starts at ``j`` and runs past ``end``.

    ``None``: not known until more bytes have arrived (each header byte that has arrived can
    already say no).
    """
    n = len(buf)
    if j + 4 < n and (buf[j + 3] != 0 or buf[j + 4] > MAX_DATA_LEN):
        return False  # LEN above MAX_DATA_LEN
    if j + 4 < n and j + HEADER_LEN + buf[j + 4] + 1 <= end:
        return False  # ends inside the frame at hand
    if j + 3 < n and buf[j + 3] != 0:
        return False
    if n - j < HEADER_LEN:
        return None
    if checksum(buf[j : j + 7]) != buf[j + 7]:
        return False
    j_end = j + HEADER_LEN + buf[j + 4] + 1
    if j_end > n:
        return None
    return checksum(buf[j + HEADER_LEN : j_end - 1]) == buf[j_end - 1]


def _frame_overlaps(buf: bytes, i: int, end: int) -> bool | None:
    """Whether a valid frame starts inside the frame ``buf[i:end]`` and runs past its end.

    Such a frame is the real one: the frame at ``i`` lost bytes (or is garbage) and passed its
    8-bit checksum by chance (1 in 256), reading the next frame's first bytes as its own. The
    other way round (an intact frame holding a valid header and checksum that run past it) is
    about 1 in 2^24 per byte. ``None`` until the bytes that decide it have arrived: a frame
    with a 0x01 byte among its last 4 waits for the next frame's first bytes (about 1.5% of
    frames; a header starting earlier inside the frame is decided by its own LEN bytes).
    """
    j = buf.find(_SOF_BYTE, i + 1, end)
    undecided = False
    while j >= 0:
        found = _frame_at(buf, j, end)
        if found:
            return True
        undecided = undecided or found is None
        j = buf.find(_SOF_BYTE, j + 1, end)
    return None if undecided else False


def _decode_at(buf: bytes, i: int, base_offset: int) -> DecodeStep:
    """The frame whose SOF is at ``i`` (see :func:`parse`)."""
    n = len(buf)
    if n - i < HEADER_LEN:
        return NEED_MORE
    if checksum(buf[i : i + 7]) != buf[i + 7]:
        return SKIP
    length = (buf[i + 3] << 8) | buf[i + 4]
    if length > MAX_DATA_LEN:
        return SKIP
    end = i + HEADER_LEN + length + 1
    if end > n:
        return NEED_MORE
    data = buf[i + HEADER_LEN : end - 1]
    if checksum(data) != buf[end - 1]:
        return BAD
    overlap = _frame_overlaps(buf, i, end)
    if overlap is None:
        return NEED_MORE
    if overlap:
        return BAD
    frame_id = (buf[i + 1] << 8) | buf[i + 2]
    frame_type = (buf[i + 5] << 8) | buf[i + 6]
    return _decode(frame_type, frame_id, data, base_offset + i), end - i


_SYNC = HeaderSync(_SOF_BYTE)


def parse(buf: bytes, base_offset: int = 0) -> ParseResult:
    """Decode every complete frame at the start of ``buf``; never raises.

    - Bytes before a SOF are skipped as garbage.
    - A SOF whose header checksum fails is skipped by that one byte (a stray ``0x01`` in
      garbage looks exactly like this), as is one with ``LEN > MAX_DATA_LEN``.
    - A frame with a valid header but a failing data checksum counts in ``bad_checksums``
      and is also skipped by its first byte only, so that a real frame hiding inside it is
      still found; so is a frame that passes both checksums while a valid frame starts
      inside it and runs past its end (:func:`_frame_overlaps`: a frame that lost a byte and
      passed its 8-bit checksum by chance would otherwise swallow the next frame's start).
    - An incomplete frame at the end is left unconsumed (at most :data:`MAX_FRAME_LEN` - 1
      bytes), as is a complete frame with a 0x01 byte among its last 4 until the next
      frame's first bytes tell whether a frame starts there (fewer than 2 x
      :data:`MAX_FRAME_LEN` bytes in all), so the caller's buffer stays bounded.
    """
    return _SYNC.parse(buf, base_offset, _decode_at)


# --------------------------------------------------------------------------------- assembly

NOMINAL_PHASE_RATE_HZ: Final = 8.0
"""Starting guess of the phase-frame rate (observed ~8 Hz on firmware 1.6.12, per
``duramson/mr60bha2-radar``); the assembler then measures the real rate."""
STALE_S: Final = 3.0
"""Rates, distance and targets older than this are ignored."""
PRESENCE_KEEPALIVE_S: Final = 1.0
"""Without phase frames for this long, a presence frame emits a (target-less) frame."""
VITALS_RANGE_M: Final = 1.5
"""Seeed: breathing and heart rate are measured within 1.5 m."""
REST_CHEST_SPEED_MM_S: Final = 8.0
"""Chest speeds up to this are breathing (resting breathing peaks at ~4 mm/s)."""
FULL_MOVEMENT_CHEST_SPEED_MM_S: Final = 40.0
FULL_MOVEMENT_SPEED_M_S: Final = 0.5
"""Target speed (from doppler) that counts as gross movement (movement = 1)."""


def _clip01(x: float) -> float:
    return 0.0 if x <= 0.0 or math.isnan(x) else min(x, 1.0)


def _num(value: FieldValue) -> float | None:
    """A finite float from a field, else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


class Mr60bha2Assembler:
    """Folds MR60BHA2 messages into one :class:`VitalsFrame` per phase message.

    Per frame, for the person the device measures vitals of:

    - ``respiration_mm`` = one sample, :func:`phase_to_mm` of ``breath_phase``, at the measured
      phase-frame rate (an exponential average of the inter-frame interval, clipped to 1-50 Hz);
    - ``distance_m`` from the ``0x0A16`` distance (else the nearest ``0x0A04`` target); no
      target is emitted while no distance is known;
    - ``angle_deg`` and ``target_id`` from the ``0x0A04`` target closest to that distance;
    - ``movement`` (0..1) = the larger of (a) the chest speed of the breathing waveform above
      :data:`REST_CHEST_SPEED_MM_S`, reaching 1 at :data:`FULL_MOVEMENT_CHEST_SPEED_MM_S`
      (the band-passed breath waveform cannot move that fast from breathing alone), and
      (b) the target's doppler speed over :data:`FULL_MOVEMENT_SPEED_M_S`;
    - ``signal_quality`` (heuristic) = product of: 1.0 if the device reports a fresh breath
      rate in 4-40 /min else 0.5; a range factor (1 up to 1.0 m, falling linearly to 0.4 at
      the 1.5 m vital-sign limit, 0.2 beyond); ``1 - 0.8 * movement``; and 0.2 if the breath
      phase is exactly zero (the device outputs zeros when it has no vitals);
    - ``breath_rate_bpm``/``heart_rate_bpm`` = the device's fresh non-zero rates.

    The other ``0x0A04`` targets are emitted as targets without waveform (quality 0), so the
    pipeline can see a partner or pet. While the device's presence flag is off, frames carry
    no targets. ``device_presence`` is the latest ``0x0F09`` value (``None`` before the first).
    """

    def __init__(self) -> None:
        """Start with nothing known."""
        self.device_presence: bool | None = None
        self.breath_rate_bpm: float | None = None
        self.heart_rate_bpm: float | None = None
        self.distance_m: float | None = None
        self.targets: list[RadarTarget] = []
        self._t_breath = -math.inf
        self._t_heart = -math.inf
        self._t_distance = -math.inf
        self._t_targets = -math.inf
        self._last_phase_t: float | None = None
        self._last_breath_mm: float | None = None
        self._dt = 1.0 / NOMINAL_PHASE_RATE_HZ

    @property
    def phase_rate_hz(self) -> float:
        """Measured rate of phase frames (the sample rate of ``respiration_mm``)."""
        return min(max(1.0 / self._dt, 1.0), 50.0)

    def push(self, message: DecodedMessage, t: float) -> VitalsFrame | None:
        """Fold in one message received at source time ``t``; a frame per phase message."""
        if message.family != FAMILY or message.fields.get("malformed"):
            return None
        f = message.fields
        match message.type:
            case "phase":
                return self._phase_frame(f, t)
            case "breath_rate":
                self.breath_rate_bpm, self._t_breath = _rate(f.get("breath_rate_bpm")), t
            case "heart_rate":
                self.heart_rate_bpm, self._t_heart = _rate(f.get("heart_rate_bpm")), t
            case "distance":
                d = _num(f.get("distance_m"))
                valid = bool(f.get("range_flag")) and d is not None and d > 0.0
                self.distance_m, self._t_distance = (d if valid else None), t
            case "presence":
                self.device_presence = bool(f.get("present"))
                last = self._last_phase_t
                if last is None or t - last >= PRESENCE_KEEPALIVE_S:
                    return VitalsFrame(t=t, targets=(), device_presence=self.device_presence)
            case "target_info":
                self.targets, self._t_targets = _targets(f), t
            case _:
                pass
        return None

    def _phase_frame(self, f: dict[str, FieldValue], t: float) -> VitalsFrame:
        breath_rad = _num(f.get("breath_phase_rad"))
        breath_mm = phase_to_mm(breath_rad) if breath_rad is not None else None
        last_t, self._last_phase_t = self._last_phase_t, t
        last_mm, self._last_breath_mm = self._last_breath_mm, breath_mm
        dt = t - last_t if last_t is not None else None
        if dt is not None and 0.0 < dt < 2.0:
            self._dt += 0.1 * (dt - self._dt)
        if self.device_presence is False or breath_mm is None:
            return VitalsFrame(t=t, targets=(), device_presence=self.device_presence)

        chest_move = 0.0
        if dt is not None and 0.0 < dt < 2.0 and last_mm is not None:
            speed = abs(breath_mm - last_mm) / dt
            chest_move = (speed - REST_CHEST_SPEED_MM_S) / (
                FULL_MOVEMENT_CHEST_SPEED_MM_S - REST_CHEST_SPEED_MM_S
            )

        fresh_targets = self.targets if t - self._t_targets <= STALE_S else []
        distance = self.distance_m if t - self._t_distance <= STALE_S else None
        primary: RadarTarget | None = None
        if fresh_targets:
            ref = distance if distance is not None else 0.0
            primary = min(fresh_targets, key=lambda tg: abs(tg.range_m - ref))
            if distance is None:
                distance = primary.range_m
        if distance is None:
            return VitalsFrame(t=t, targets=(), device_presence=self.device_presence)

        movement = _clip01(max(chest_move, _doppler_movement(primary)))
        breath_rate = self.breath_rate_bpm if t - self._t_breath <= STALE_S else None
        heart_rate = self.heart_rate_bpm if t - self._t_heart <= STALE_S else None
        quality = 1.0 if breath_rate is not None and 4.0 <= breath_rate <= 40.0 else 0.5
        if distance > VITALS_RANGE_M:
            quality *= 0.2
        elif distance > 1.0:
            quality *= 1.0 - 0.6 * (distance - 1.0) / (VITALS_RANGE_M - 1.0)
        quality *= 1.0 - 0.8 * movement
        if breath_rad == 0.0:
            quality *= 0.2
        rate = self.phase_rate_hz
        vitals = TargetVitals(
            target_id=primary.cluster_id if primary is not None else 0,
            distance_m=distance,
            angle_deg=primary.angle_deg if primary is not None else None,
            respiration_mm=(breath_mm,),
            respiration_rate_hz=rate,
            movement=movement,
            signal_quality=_clip01(quality),
            breath_rate_bpm=breath_rate,
            heart_rate_bpm=heart_rate,
        )
        others = tuple(
            TargetVitals(
                target_id=tg.cluster_id,
                distance_m=tg.range_m,
                angle_deg=tg.angle_deg,
                respiration_mm=(),
                respiration_rate_hz=rate,
                movement=_doppler_movement(tg),
                signal_quality=0.0,
            )
            for tg in fresh_targets
            if tg is not primary
        )
        return VitalsFrame(t=t, targets=(vitals, *others), device_presence=self.device_presence)


def _rate(value: FieldValue) -> float | None:
    """A device rate, ``None`` when zero (the device's "no reading") or absurd."""
    r = _num(value)
    return r if r is not None and 0.0 < r < 300.0 else None


def _doppler_movement(target: RadarTarget | None) -> float:
    if target is None:
        return 0.0
    return _clip01(abs(target.doppler_index) * DOPPLER_STEP_M_S / FULL_MOVEMENT_SPEED_M_S)


def _targets(f: dict[str, FieldValue]) -> list[RadarTarget]:
    xs, ys, dops, ids = f.get("x_m"), f.get("y_m"), f.get("doppler_index"), f.get("cluster_id")
    if not (
        isinstance(xs, list)
        and isinstance(ys, list)
        and isinstance(dops, list)
        and isinstance(ids, list)
    ):
        return []
    targets = []
    for x, y, dop, cid in zip(xs, ys, dops, ids, strict=False):
        if math.isfinite(x) and math.isfinite(y) and (x != 0.0 or y != 0.0):
            targets.append(RadarTarget(float(x), float(y), int(dop), int(cid)))
    return targets
