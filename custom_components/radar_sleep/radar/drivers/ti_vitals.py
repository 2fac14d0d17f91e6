"""TI mmWave UART output of the people-tracking and vital-signs demos (IWR6843, IWRL6432).

Frame (all integers little-endian; the layout of the mmWave SDK 3.x / MMWAVE-L-SDK demos)::

    magic   8 bytes   02 01 04 03 06 05 08 07   (the u16 words 0x0102 0x0304 0x0506 0x0708)
    header  8 x u32   version, totalPacketLen, platform, frameNumber, timeCpuCycles,
                      numDetectedObj, numTLVs, subFrameNumber          -> 40 bytes with the magic
    numTLVs x TLV     type u32, length u32, payload[length]
    padding           zero or more bytes up to totalPacketLen (the demos pad to a multiple of 32)

``totalPacketLen`` counts the whole frame, magic and padding included. A TLV's ``length`` is the
length of its **payload only** (the 8-byte TLV header excluded).

Decoded TLVs (``struct`` formats, little-endian):

========  =====================================  ==========================================
type      payload                                fields of the ``frame`` message
========  =====================================  ==========================================
1010/308  n x ``I27f`` (112 bytes): tid, posX,   ``track_id``, ``track_x_m`` .. ``track_z_m``,
          posY, posZ, velX..Z, accX..Z, ec[16],  ``track_vx_mps`` .., ``track_ax_mps2`` ..,
          g, confidenceLevel                     ``track_gating_gain``, ``track_confidence``
1011/309  n x ``B``: track index of each point   ``target_index`` (253 weak SNR, 254 outside
          of the (previous) point cloud          the boundary box, 255 noise)
1012      n x ``Iff`` (12 bytes): tid, maxZ,     ``height_track_id``, ``height_max_z_m``,
          minZ                                   ``height_min_z_m``
1040      ``HH33f`` (136 bytes): id, rangeBin,   ``vs_id``, ``vs_range_bin``,
          breathingDeviation, heartRate,         ``vs_breath_deviation``, ``vs_heart_rate_bpm``,
          breathingRate, heart buffer[15],       ``vs_breath_rate_bpm``, ``vs_heart_buffer``,
          breath buffer[15]                      ``vs_breath_buffer`` (15 floats each, as sent)
========  =====================================  ==========================================

Every frame also carries ``frame_number``, ``version``, ``platform``, ``time_cpu_cycles``,
``num_detected_obj``, ``sub_frame_number``, ``packet_bytes`` and ``tlv_types`` (every TLV type in
the frame, decoded or not). Track fields are parallel lists (one entry per track) so that the
message stays a flat JSON object; the error covariance ``ec[16]`` is not kept.

Sources, and where they disagree
--------------------------------
* Frame header, TLV walk and padding: TI Radar Toolbox Applications Visualizer
  ``parseFrame.py`` (header ``'Q8I'`` = 40 bytes; ``tlvLength`` excludes the TLV header;
  "Pad totalLenCheck to the next largest multiple of 32 since the device does this to the
  totalPacketLen") and ``gui_parser.py`` (``frameLength -= 16`` after reading magic, version and
  length: the length covers the whole frame), as copied in
  ``mgopalkrishna0007/Texas-Instruments-FMCW-IWR6943ISK-remotevitalsignestimation-parsingscripts``
  (``parseFrame.py``, ``gui_parser.py``); the same 40-byte header in the SDK 3.x branch
  (``sdk3xTLVHeader``) of TI's mmwave_industrial_toolbox 4.10.1 People_Counting
  ``visualizer/oob_parser.py``, copied in ``giangtin1920/radar_ws``.
* The header struct ``MmwDemo_output_message_header`` ("totalPacketLen: Total packet length
  including header in Bytes"), as copied in ``ACChallenge2021/iwr6843aop``
  (``src/iwr6843aop_mmwave.hpp``); TI's xWRL6432 mmw demo ``mmwDemo_TransmitProcessedOutputTask``
  (rounds ``totalPacketLen`` up to ``MMWDEMO_OUTPUT_MSG_SEGMENT_LEN`` and sends that many
  padding bytes from an uninitialised stack array; sends nothing when a frame has no TLV; a copy
  was read in the code index but its repository could not be identified).
* TLV type numbers: ``tlv_defines.py`` (1010, 1011, 1012, 1040; 308/309 are the xWRL6432
  ``EXT`` target list/index that ``parseFrame.py`` decodes with the same functions).
* TLV layouts: ``parseTLVs.py`` (``parseTrackTLV`` ``'I27f'`` with the commented C struct,
  ``parseTargetIndexTLV`` ``'B'``, ``parseTrackHeightTLV`` ``'I2f'``, ``parseVitalSignsTLV``
  ``'2H33f'``: heartWaveform = values 5..19, breathWaveform = values 20..34), same repository.
* The vital-signs struct in firmware: ``vsFeature`` in TI's ``vitalsign.h`` (copied in
  ``Space-Pirate11/radar-magic``, ``vitalsign.h``): ``uint16 id; uint16 rangebin; float
  breathingDeviation, heartRate, breathingRate; float VitalSignsHeartCircularBuffer[15];
  float VitalSignsBreathCircularBuffer[15]`` = 136 bytes, output type ``0x410`` (1040).

Disagreements found:

* **TLV length semantics.** The legacy (SDK 2.x) People Counting labs use a different, 52-byte
  header (``'Q10I2H'``: version, platform, timestamp, packetLength, frameNumber, ..., numTLVs
  u16, checksum u16) and there the TLV length *includes* the 8-byte TLV header
  (``tlvLength-8`` in ``oob_parser.py`` ``tlvHeader``); those labs send TLV types 6/7/8, never
  1010/1040. Within the 40-byte header no field tells the two semantics apart and every source
  for the 40-byte header (and for types 1010-1040) uses payload-only lengths, so only those are
  implemented. A legacy frame is not decoded: its ``platform`` word sits where
  ``totalPacketLen`` is expected, which fails the length checks below.
* **Header size.** Only the 40-byte header (with the magic) was found for these demos; no
  48-byte variant was found in the sources above.
* **What the 15-value "waveforms" of TLV 1040 are.** TI's visualizer names them
  ``heartWaveform``/``breathWaveform`` and plots them as 15 new samples per packet, newest first
  (it reverses them before plotting). In TI's vital-signs firmware for xWRL64xx (``vitalsign.c``,
  Copyright 2024 TI, copied in ``NCHU-HSUN/vital_signs_xwrl64xx``) the code that copied phase
  samples into them is commented out; instead, every ``REFRESH_RATE`` (32) frames, the buffers
  are shifted by one and the new ``breathingRate``/``heartRate`` is written to index 0: they are a
  **history of rate estimates (bpm), newest first**, not chest displacement. Hence
  :data:`CAPABILITIES` says ``respiration_waveform=False`` and :class:`TiVitalsAssembler`
  ignores the buffers unless told (``waveform="phase_rad"``) that the firmware fills the breath
  buffer with per-frame phase in radians, newest first (not verified for any stock firmware).
* The firmware (``vitalsign.c``) sets ``id = 0``; the visualizer uses ``id`` as a patient index
  below ``maxTracks``. The assembler attaches the rates to the track whose ``tid`` equals ``id``.

Validation (TI frames carry no checksum): a frame is *garbage* (one byte skipped, not counted as a
bad frame) when ``totalPacketLen`` is below 40 or above :data:`MAX_PACKET_BYTES`; it is a *bad
frame* (counted in ``bad_checksums``, one byte skipped so that a frame hiding inside is still
found) when ``40 + 8 * numTLVs > totalPacketLen``, when the TLV walk runs past
``totalPacketLen``, when more than 31 bytes of padding are left over, when a known TLV's length
is impossible (not a multiple of its element size, or a vital-signs TLV shorter than 136 bytes),
when a decoded position, rate or deviation is not finite, or when a magic word overlaps its
TLVs (the frame was cut short and the next one was read as its payload). The padding is
arbitrary bytes (the xWRL6432 demo sends an uninitialised stack buffer), but a magic word (or
the start of one reaching the end) in it means ``totalPacketLen`` was corrupted upwards: the
frame then ends where the magic begins, so that the next frame is not lost. A frame whose last
TLV bytes could begin a magic word is decided when the next 7 bytes have arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
import math
import struct
from typing import Literal

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

FAMILY = "ti-vitals"
BAUD_RATE = 921_600
"""The IWR6843 demos' data UART (the CLI UART, used to send the cfg, runs at 115200)."""

CAPABILITIES = Capabilities(
    presence=True,
    respiration_waveform=False,
    breath_rate=True,
    heart_rate=True,
    distance=True,
    angle=True,
    movement=True,
    multiple_targets=True,
)
"""Stock vital-signs firmware: tracks, presence and rates; no displacement waveform (see above)."""

MAGIC = b"\x02\x01\x04\x03\x06\x05\x08\x07"
_HEADER = struct.Struct("<8s8I")
HEADER_BYTES = _HEADER.size  # 40
_TLV_HEADER = struct.Struct("<II")
TLV_HEADER_BYTES = _TLV_HEADER.size  # 8
PACKET_ALIGN = 32
"""The demos pad ``totalPacketLen`` to a multiple of this (``parseFrame.py``)."""
MAX_PACKET_BYTES = 32_768
"""Longest frame accepted; a longer ``totalPacketLen`` is garbage. A full IWR6843 people-tracking
frame (1000 compressed points, their indices, 20 tracks, heights, vital signs) is about 12 kB,
and the bound keeps :class:`~.protocol.StreamParser`'s buffer well below its 64 kB limit."""

TLV_TRACKS = 1010
TLV_TARGET_INDEX = 1011
TLV_TARGET_HEIGHT = 1012
TLV_VITALS = 1040
TLV_EXT_TRACKS = 308
TLV_EXT_TARGET_INDEX = 309

_TRACK = struct.Struct("<I27f")  # 112 bytes
_HEIGHT = struct.Struct("<Iff")  # 12 bytes
_VITALS = struct.Struct("<HH33f")  # 136 bytes
TRACK_BYTES = _TRACK.size
HEIGHT_BYTES = _HEIGHT.size
VITALS_BYTES = _VITALS.size
VITALS_BUFFER_LEN = 15

SPEED_OF_LIGHT_M_S = 299_792_458.0
WAVELENGTH_M = SPEED_OF_LIGHT_M_S / 60.75e9
"""Wavelength at the vital-signs cfgs' start frequency (``profileCfg 0 60.75 ...``): 4.93 mm."""
DEFAULT_FRAME_RATE_HZ = 1000.0 / 90.0
"""``frameCfg ... 90.00`` (90-ms frames) in TI's ``vital_signs_ISK_6m.cfg`` and
``vital_signs_AOP_6m.cfg``."""
BREATHING_DEVIATION_PRESENT = 0.02
"""TI's visualizer shows "Presence" (breathing) at ``breathDeviation >= 0.02``, "Holding Breath"
below and "No Patient Detected" at 0."""
MOVEMENT_FULL_SCALE_MPS = 0.5
"""Track speed mapped to ``movement = 1`` (turning over in bed is a few tenths of m/s)."""

_TRACK_FIELDS = (
    "track_x_m",
    "track_y_m",
    "track_z_m",
    "track_vx_mps",
    "track_vy_mps",
    "track_vz_mps",
    "track_ax_mps2",
    "track_ay_mps2",
    "track_az_mps2",
)


# --------------------------------------------------------------------------- parsing


def _finite(values: Sequence[float]) -> bool:
    return all(math.isfinite(v) for v in values)


def _decode_tracks(payload: bytes, fields: dict[str, FieldValue]) -> bool:
    if len(payload) % TRACK_BYTES:
        return False
    ids: list[int] = []
    columns: list[list[float]] = [[] for _ in range(len(_TRACK_FIELDS) + 2)]
    for tid, *values in _TRACK.iter_unpack(payload):
        kept = (*values[:9], values[25], values[26])  # pos, vel, acc, g, confidence
        if not _finite(kept):
            return False
        ids.append(tid)
        for column, value in zip(columns, kept, strict=True):
            column.append(value)
    fields["track_id"] = ids
    for name, column in zip(
        (*_TRACK_FIELDS, "track_gating_gain", "track_confidence"), columns, strict=True
    ):
        fields[name] = column
    return True


def _decode_heights(payload: bytes, fields: dict[str, FieldValue]) -> bool:
    if len(payload) % HEIGHT_BYTES:
        return False
    rows = list(_HEIGHT.iter_unpack(payload))
    if not all(_finite(row[1:]) for row in rows):
        return False
    fields["height_track_id"] = [row[0] for row in rows]
    fields["height_max_z_m"] = [row[1] for row in rows]
    fields["height_min_z_m"] = [row[2] for row in rows]
    return True


def _decode_vitals(payload: bytes, fields: dict[str, FieldValue]) -> bool:
    if len(payload) < VITALS_BYTES:
        return False
    vs_id, range_bin, deviation, heart, breath, *buffers = _VITALS.unpack_from(payload)
    if not _finite((deviation, heart, breath)):
        return False
    fields["vs_id"] = vs_id
    fields["vs_range_bin"] = range_bin
    fields["vs_breath_deviation"] = deviation
    fields["vs_heart_rate_bpm"] = heart
    fields["vs_breath_rate_bpm"] = breath
    fields["vs_heart_buffer"] = list(buffers[:VITALS_BUFFER_LEN])
    fields["vs_breath_buffer"] = list(buffers[VITALS_BUFFER_LEN:])
    return True


def _decode_tlv(tlv_type: int, payload: bytes, fields: dict[str, FieldValue]) -> bool:
    """Fold one TLV into ``fields``; ``False`` if its layout is impossible."""
    if tlv_type in (TLV_TRACKS, TLV_EXT_TRACKS):
        return _decode_tracks(payload, fields)
    if tlv_type in (TLV_TARGET_INDEX, TLV_EXT_TARGET_INDEX):
        fields["target_index"] = list(payload)
        return True
    if tlv_type == TLV_TARGET_HEIGHT:
        return _decode_heights(payload, fields)
    if tlv_type == TLV_VITALS:
        return _decode_vitals(payload, fields)
    return True  # other TLV types are listed in ``tlv_types`` and skipped


def _frame_end(buf: bytes, pos: int, used_end: int, end: int) -> int | Literal["wait"] | None:
    """Where the decoded frame at ``pos`` really ends, given its TLVs end at ``used_end``.

    No frame contains a magic word. One that starts in the padding means ``totalPacketLen`` was
    corrupted upwards: the frame ends there (its TLVs are intact). One that overlaps the TLVs
    means the frame was cut short and the next frame was read as its payload: ``None`` (bad
    frame). When the frame's last bytes inside its TLVs could begin a magic word, the answer
    needs up to 7 more bytes: ``"wait"``. Only bytes the decision needs are looked at, so it
    does not depend on how the stream was split into chunks.
    """
    inside = buf.find(MAGIC, pos + 1, end)
    if inside >= 0:
        return inside if inside >= used_end else None
    for k in range(min(len(MAGIC) - 1, end - pos - 1), 0, -1):
        if buf[end - k : end] == MAGIC[:k]:  # at most one k matches (0x02 occurs once)
            start = end - k
            if start >= used_end:
                return start
            if len(buf) < start + len(MAGIC):
                return "wait"
            return None if buf[start : start + len(MAGIC)] == MAGIC else end
    return end


def _decode_frame(
    buf: bytes, pos: int, header: tuple[int, ...]
) -> tuple[dict[str, FieldValue], int] | Literal["wait"] | None:
    """Fields and length of the complete frame at ``pos``; ``None`` if it is inconsistent."""
    version, total, platform, frame_number, cycles, n_obj, n_tlv, sub_frame = header
    end = pos + total
    off = pos + HEADER_BYTES
    fields: dict[str, FieldValue] = {
        "frame_number": frame_number,
        "version": version,
        "platform": platform,
        "time_cpu_cycles": cycles,
        "num_detected_obj": n_obj,
        "sub_frame_number": sub_frame,
        "packet_bytes": total,
    }
    types: list[int] = []
    for _ in range(n_tlv):
        if off + TLV_HEADER_BYTES > end:
            return None
        tlv_type, length = _TLV_HEADER.unpack_from(buf, off)
        off += TLV_HEADER_BYTES
        if length > end - off:
            return None
        if not _decode_tlv(tlv_type, buf[off : off + length], fields):
            return None
        types.append(tlv_type)
        off += length
    if end - off >= PACKET_ALIGN:
        return None
    fields["tlv_types"] = types
    frame_end = _frame_end(buf, pos, off, end)
    if frame_end is None or frame_end == "wait":
        return frame_end
    return fields, frame_end - pos


def _decode_at(buf: bytes, pos: int, base_offset: int) -> DecodeStep:
    """The frame whose magic word is at ``pos`` (see the module docstring)."""
    if len(buf) - pos < HEADER_BYTES:
        return NEED_MORE
    header = _HEADER.unpack_from(buf, pos)[1:]
    total, n_tlv = header[1], header[6]
    if not HEADER_BYTES <= total <= MAX_PACKET_BYTES:
        return SKIP  # absurd length: not a frame header
    if HEADER_BYTES + TLV_HEADER_BYTES * n_tlv > total:
        return BAD  # inconsistent header
    if len(buf) - pos < total:
        return NEED_MORE
    decoded = _decode_frame(buf, pos, header)
    if decoded == "wait":
        return NEED_MORE
    if decoded is None:
        return BAD
    fields, length = decoded
    return DecodedMessage(FAMILY, "frame", base_offset + pos, fields), length


_SYNC = HeaderSync(MAGIC)


def parse(buf: bytes, base_offset: int = 0) -> ParseResult:
    """Decode every complete frame at the start of ``buf`` (see the module docstring).

    Garbage before a magic word is skipped; an incomplete frame (or a partial magic word) at the
    end is left unconsumed. Never raises.
    """
    return _SYNC.parse(buf, base_offset, _decode_at)


# --------------------------------------------------------------------------- encoding


@dataclass(frozen=True, slots=True)
class TiTrack:
    """One entry of the 3D target list (TLV 1010/308)."""

    tid: int
    x: float
    y: float
    z: float = 0.0
    vx: float = 0.0
    vy: float = 0.0
    vz: float = 0.0
    ax: float = 0.0
    ay: float = 0.0
    az: float = 0.0
    ec: tuple[float, ...] = (0.0,) * 16
    """Error covariance, 4x4 row-major."""
    g: float = 0.0
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class TiHeight:
    """One entry of the target height TLV (1012)."""

    tid: int
    max_z: float
    min_z: float


@dataclass(frozen=True, slots=True)
class TiVitals:
    """The vital-signs TLV (1040)."""

    target_id: int
    range_bin: int
    breath_deviation: float
    heart_rate_bpm: float
    breath_rate_bpm: float
    heart_buffer: tuple[float, ...] = (0.0,) * VITALS_BUFFER_LEN
    breath_buffer: tuple[float, ...] = (0.0,) * VITALS_BUFFER_LEN


def encode_tlv(tlv_type: int, payload: bytes) -> bytes:
    """One TLV: type u32, payload length u32, payload."""
    return _TLV_HEADER.pack(tlv_type, len(payload)) + payload


def encode_tracks(tracks: Sequence[TiTrack], tlv_type: int = TLV_TRACKS) -> bytes:
    """The 3D target list TLV (1010, or 308 for xWRL6432)."""
    payload = b"".join(
        _TRACK.pack(
            t.tid, t.x, t.y, t.z, t.vx, t.vy, t.vz, t.ax, t.ay, t.az, *t.ec, t.g, t.confidence
        )
        for t in tracks
    )
    return encode_tlv(tlv_type, payload)


def encode_target_index(indices: Sequence[int], tlv_type: int = TLV_TARGET_INDEX) -> bytes:
    """The target index TLV (1011, or 309 for xWRL6432): one byte per point."""
    return encode_tlv(tlv_type, bytes(indices))


def encode_target_heights(heights: Sequence[TiHeight]) -> bytes:
    """The target height TLV (1012)."""
    return encode_tlv(
        TLV_TARGET_HEIGHT, b"".join(_HEIGHT.pack(h.tid, h.max_z, h.min_z) for h in heights)
    )


def encode_vitals(vitals: TiVitals) -> bytes:
    """The vital-signs TLV (1040)."""
    if len(vitals.heart_buffer) != VITALS_BUFFER_LEN:
        raise ValueError("heart_buffer needs 15 values")
    if len(vitals.breath_buffer) != VITALS_BUFFER_LEN:
        raise ValueError("breath_buffer needs 15 values")
    return encode_tlv(
        TLV_VITALS,
        _VITALS.pack(
            vitals.target_id,
            vitals.range_bin,
            vitals.breath_deviation,
            vitals.heart_rate_bpm,
            vitals.breath_rate_bpm,
            *vitals.heart_buffer,
            *vitals.breath_buffer,
        ),
    )


def encode_frame(
    frame_number: int,
    tlvs: Sequence[bytes] = (),
    *,
    version: int = 0x0306_0000,
    platform: int = 0xA6843,
    time_cpu_cycles: int = 0,
    num_detected_obj: int = 0,
    sub_frame_number: int = 0,
    pad: bool = True,
) -> bytes:
    """A whole frame around already-encoded TLVs, zero-padded to a multiple of 32 bytes."""
    body = b"".join(tlvs)
    total = HEADER_BYTES + len(body)
    if pad:
        total = -(-total // PACKET_ALIGN) * PACKET_ALIGN
    header = _HEADER.pack(
        MAGIC,
        version,
        total,
        platform,
        frame_number,
        time_cpu_cycles,
        num_detected_obj,
        len(tlvs),
        sub_frame_number,
    )
    return (header + body).ljust(total, b"\x00")


# --------------------------------------------------------------------------- assembly


def _floats(fields: dict[str, FieldValue], key: str) -> list[float]:
    value = fields.get(key)
    return [float(v) for v in value] if isinstance(value, list) else []


def _ints(fields: dict[str, FieldValue], key: str) -> list[int]:
    value = fields.get(key)
    return [int(v) for v in value] if isinstance(value, list) else []


def _number(fields: dict[str, FieldValue], key: str) -> float | None:
    value = fields.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(slots=True)
class TiVitalsAssembler:
    """One :class:`VitalsFrame` per TI frame: one target per track, rates on the VS track.

    * ``distance_m = sqrt(x² + y² + (z - sensor_height_m)²)``: the tracker reports positions in
      the cfg's world frame (``sensorPosition``/``boundaryBox``: ``z`` is height above the
      floor), so set ``sensor_height_m`` to the cfg's sensor height (0 leaves the plain norm).
    * ``angle_deg = atan2(x, y)`` in degrees, positive to the radar's right.
    * ``movement = min(1, |velocity| / movement_full_scale_mps)``.
    * The vital-signs TLV's rates go to the track whose ``tid`` equals the TLV's ``id``, when
      positive (the firmware sends 0 until its estimate is ready and when nobody is there);
      that track's ``signal_quality`` is ``min(1, breathingDeviation / 0.02)`` (TI's visualizer
      threshold for "breathing"); other tracks get 0 (no respiration signal of their own).
    * ``waveform="none"`` (default): ``respiration_mm`` stays empty, because the stock buffers
      hold rate histories. ``waveform="phase_rad"``: the breath buffer is taken as chest phase
      in radians, newest first; the samples new since the previous vital-signs TLV of the same
      ``id`` are ``buffer[:k]`` reversed into time order, ``k = frameNumber - previous
      frameNumber`` clamped to 1..15 (1 for the first TLV), converted with
      ``mm = phase * wavelength_m / (4π) * 1000`` at ``frame_rate_hz``.
    * ``device_presence`` is whether any track is present; ``None`` until a target-list TLV has
      been seen (firmware without the tracker never sends one).
    """

    waveform: Literal["none", "phase_rad"] = "none"
    frame_rate_hz: float = DEFAULT_FRAME_RATE_HZ
    wavelength_m: float = WAVELENGTH_M
    sensor_height_m: float = 0.0
    movement_full_scale_mps: float = MOVEMENT_FULL_SCALE_MPS
    _seen_tracks: bool = field(default=False, init=False, repr=False)
    _last_vs_frame: dict[int, int] = field(default_factory=dict, init=False, repr=False)

    def push(self, message: DecodedMessage, t: float) -> VitalsFrame | None:
        """Fold in one decoded frame; every ``frame`` message yields one :class:`VitalsFrame`."""
        if message.family != FAMILY or message.type != "frame":
            return None
        f = message.fields
        ids = _ints(f, "track_id")
        columns = [_floats(f, name) for name in _TRACK_FIELDS]
        if "track_id" in f:
            self._seen_tracks = True
        vs_id = f.get("vs_id")
        breath_mm = self._respiration(f) if isinstance(vs_id, int) else ()
        targets: list[TargetVitals] = []
        for i, tid in enumerate(ids):
            x, y, z, vx, vy, vz = (column[i] for column in columns[:6])
            is_vs = tid == vs_id
            speed = math.sqrt(vx * vx + vy * vy + vz * vz)
            targets.append(
                TargetVitals(
                    target_id=tid,
                    distance_m=math.sqrt(x * x + y * y + (z - self.sensor_height_m) ** 2),
                    angle_deg=math.degrees(math.atan2(x, y)),
                    respiration_mm=breath_mm if is_vs else (),
                    respiration_rate_hz=self.frame_rate_hz if is_vs and breath_mm else 0.0,
                    movement=min(1.0, speed / self.movement_full_scale_mps),
                    signal_quality=self._quality(f) if is_vs else 0.0,
                    breath_rate_bpm=self._rate(f, "vs_breath_rate_bpm") if is_vs else None,
                    heart_rate_bpm=self._rate(f, "vs_heart_rate_bpm") if is_vs else None,
                )
            )
        presence = bool(targets) if self._seen_tracks else None
        return VitalsFrame(t=t, targets=tuple(targets), device_presence=presence)

    @staticmethod
    def _rate(f: dict[str, FieldValue], key: str) -> float | None:
        deviation = _number(f, "vs_breath_deviation") or 0.0
        rate = _number(f, key)
        return rate if rate is not None and rate > 0 and deviation > 0 else None

    @staticmethod
    def _quality(f: dict[str, FieldValue]) -> float:
        deviation = _number(f, "vs_breath_deviation") or 0.0
        return min(1.0, max(0.0, deviation / BREATHING_DEVIATION_PRESENT))

    def _respiration(self, f: dict[str, FieldValue]) -> tuple[float, ...]:
        """New breath-buffer samples in mm (``phase_rad`` mode), oldest first."""
        vs_id = int(_number(f, "vs_id") or 0)
        frame = int(_number(f, "frame_number") or 0)
        previous = self._last_vs_frame.get(vs_id)
        self._last_vs_frame[vs_id] = frame
        if self.waveform != "phase_rad":
            return ()
        buffer = _floats(f, "vs_breath_buffer")
        delta = (frame - previous) % 2**32 if previous is not None else 1
        if delta == 0 or delta >= 2**31:  # repeated frame, or the device restarted
            delta = 1
        k = min(delta, VITALS_BUFFER_LEN, len(buffer))
        scale = self.wavelength_m / (4.0 * math.pi) * 1000.0
        return tuple(phase * scale for phase in reversed(buffer[:k]))
