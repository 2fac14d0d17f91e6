"""Seeed MR24BSD1 (24 GHz sleep-breathing module): UART frames and frame assembly.

The MR24BSD1 talks 9600 8N1. It reports presence and motion, a body-movement parameter,
breath rate and a breathing status, in/out of bed, and its own sleep state
(awake/light/deep). It has no waveform and no distance: Radar Sleep can show presence and
breathing rate from it and passes the on-chip sleep state through as the device's opinion
(:attr:`Mr24bsd1Assembler.device_sleep_state`), but cannot stage sleep itself.

Frame layout (Seeed's MR24 user manuals, section 8.1)::

    0x55 | LEN u16 LE | FUNCTION u8 | ADDRESS_1 u8 | ADDRESS_2 u8 | DATA[n] | CRC16 LE

``LEN`` counts every byte except the 0x55 header (``LEN = 2 + 3 + n + 2``, so the whole
frame is ``LEN + 1`` bytes). ``CRC16`` is CRC-16/MODBUS (reflected polynomial 0xA001, initial
value 0xFFFF, no final XOR) over everything before it, header included, sent low byte first.
Function codes: 0x01 read and 0x02 write (host to radar), 0x03 passive report (reply to a
read or write), 0x04 proactive report, 0x05 sleep-data report.

Messages decoded (``type`` name; function / address 1 / address 2; payload):

- ``environment``: 0x04 or 0x03 / 0x03 / 0x05; ``00 FF FF`` unoccupied, ``01 00 FF``
  someone stationary, ``01 01 01`` someone moving.
- ``body_movement``: 0x04 or 0x03 / 0x03 / 0x06; ``f32`` LE, 0-100 (0 nobody, 1 breathing
  only, 2-30 small movements, 31-60 walking, 61-100 fast movement); every 5 s.
- ``approach``: 0x04 / 0x03 / 0x07; ``01 01 xx``, xx 1 none, 2 approaching, 3 leaving.
- ``heartbeat``: 0x04 / 0x05 / 0x01; environment payload, sent periodically.
- ``abnormal_reset``: 0x04 / 0x05 / 0x02; ``0F``.
- ``device_id``, ``software_version``, ``hardware_version``, ``protocol_version``:
  0x03 / 0x01 / 0x01-0x04; ASCII, 12/10/8/8 bytes.
- ``threshold_gear`` 0x03 / 0x04 / 0x0C (1-10), ``scene_setting`` 0x03 / 0x04 / 0x10 (0-6).
- ``breath_rate``: 0x05 / 0x01 / 0x01; ``u8`` breaths/min (0 = none detected).
- ``breathing_status``: 0x05 / 0x01 / 0x04; 1 breath hold, 2 no signal, 3 normal,
  4 movement, 5 rapid breathing.
- ``bed_status``: 0x05 / 0x03 / 0x07; 0 out of bed, 1 in bed.
- ``sleep_state``: 0x05 / 0x03 / 0x08; 0 awake, 1 light, 2 deep, 3 none.
- ``sleep_duration``: 0x05 / 0x04 / 0x01-0x03 (awake, light, deep); ``u32`` **big-endian**.
- ``sleep_quality``: 0x05 / 0x05 / 0x01; ``u8`` score.
- ``heart_rate``: 0x05 / 0x06 / 0x01; ``u8`` beats/min.
- ``read_command`` / ``write_command``: host frames (function 0x01/0x02), e.g. on a bridge
  that echoes both directions.

Anything else is ``unknown`` with ``raw`` hex; a known message with too short a payload has
``malformed=True``. Every message carries ``function``, ``address_1`` and ``address_2``.

Sources checked (repository and path):

- ``limengdu/Seeed-Studio-MR24BSD1-Sensor`` (Seeed's library for this module):
  ``sleepbreathingradar.h``/``.cpp`` (all function/address/data codes above, including
  function 0x05 for sleep data, the ``f32`` body-movement parameter, the big-endian sleep
  durations, the table-driven CRC), ``examples/CRC_Checksum_Generation/...ino`` and
  ``README.md`` (the frame ``55 08 00 05 01 04 03`` + CRC, "Length = Data Length + Function
  Code + Address Code 1 + Address Code 2 + Data + Checksum (head frames are not counted)",
  "the third frame is fixed to 0x00", body-parameter ranges, 5 V supply).
- ``taunoe/Seeed-MR24BSD1`` ``src/Seeed_MR24BSD1.{h,cpp}`` (frame indices, function codes).
- ESPHome ``esphome/esphome`` ``esphome/components/mr24hpb1/{util,packet,constants}.cpp/.h``
  (same MR24 frame family: total length = LEN + 1, CRC compared low byte first, report
  address codes, identity replies 0x01-0x04 with 12/10/8/8 bytes).
- The MR24BSD1 user manual (Seeed SKU 101990885, as mirrored on manualshelf.com, pages 8-18):
  frame structure ``0x55 Lenth_L Lenth_H Command Address_1 Address_2 Data Crc16_L Crc16_H``,
  9600 8N1 TTL, the proactive-report table, body-movement ranges, "sleep function ... off by
  default", and sleep quality 0x05/0x01 and heart rate 0x06/0x01 as 1-byte integers.

Not verified (implemented as the library does, flagged here and in the docs):

- The manual pages that would show the **function code of the sleep-data rows** were not
  readable; 0x05 comes from Seeed's library only. The library's response parser sizes its
  buffer at 12 bytes, shorter than the identity replies, so it was never exercised on those.
- The **unit of the sleep durations** is not stated anywhere found (decoded as a raw
  integer, ``duration_raw``).
- Whether shipping firmware sends the **heart-rate** report (the manual lists it, the feature
  list does not) is unknown; it is decoded and passed through if it comes.
- The byte order of the ``f32`` body parameter is the library's little-endian union (and
  ESPHome ``mr24hpb1``'s), not stated in the manual.
- :data:`MAX_LEN` (64) is this driver's bound, not a documented maximum: the longest
  radar-to-host message is the 12-byte device ID (``LEN`` 19); the 1024-byte OTA packets go
  host to radar only.
"""

from __future__ import annotations

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

FAMILY: Final = "mr24bsd1"
BAUD_RATE: Final = 9600

CAPABILITIES: Final = Capabilities(
    presence=True,
    respiration_waveform=False,
    breath_rate=True,
    heart_rate=False,
    distance=False,
    angle=False,
    movement=True,
    multiple_targets=False,
    on_chip_sleep_stage=True,
)
"""Presence, body movement, breath rate and the device's own sleep state; no waveform."""

HEADER: Final = 0x55
MIN_LEN: Final = 7
"""``LEN`` of a frame without data (2 length + 3 code + 2 CRC bytes)."""
MAX_LEN: Final = 64
"""Largest ``LEN`` accepted; anything else after a 0x55 is treated as garbage."""
MAX_FRAME_LEN: Final = MAX_LEN + 1

FN_READ: Final = 0x01
FN_WRITE: Final = 0x02
FN_PASSIVE_REPORT: Final = 0x03
FN_ACTIVE_REPORT: Final = 0x04
FN_SLEEP_REPORT: Final = 0x05

ENVIRONMENT_CODES: Final[dict[str, bytes]] = {
    "unoccupied": bytes([0x00, 0xFF, 0xFF]),
    "stationary": bytes([0x01, 0x00, 0xFF]),
    "moving": bytes([0x01, 0x01, 0x01]),
}
APPROACH_STATES: Final[dict[int, str]] = {1: "none", 2: "approaching", 3: "leaving"}
BREATHING_STATUSES: Final[dict[int, str]] = {
    1: "breath_hold",
    2: "no_signal",
    3: "normal",
    4: "movement",
    5: "rapid",
}
SLEEP_STATES: Final[dict[int, str]] = {0: "awake", 1: "light", 2: "deep", 3: "none"}
SLEEP_DURATION_STAGES: Final[dict[int, str]] = {1: "awake", 2: "light", 3: "deep"}
IDENTITY_FIELDS: Final[dict[int, str]] = {
    0x01: "device_id",
    0x02: "software_version",
    0x03: "hardware_version",
    0x04: "protocol_version",
}

_HEADER_BYTE = bytes([HEADER])


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE: Final = _crc_table()


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF, no final XOR.

    ``crc16_modbus(b"123456789")`` is the catalogue check value 0x4B37. Seeed's table-driven
    ``us_CalculateCrc16`` returns the same value byte-swapped and sends its high byte first,
    i.e. this value's low byte first.
    """
    crc = 0xFFFF
    table = _CRC_TABLE
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


# --------------------------------------------------------------------------------- encoding


def encode_frame(function: int, address_1: int, address_2: int, data: bytes = b"") -> bytes:
    """One complete frame: header, LEN (LE), codes, data, CRC-16/MODBUS (low byte first)."""
    length = len(data) + MIN_LEN
    if length > MAX_LEN:
        raise ValueError(f"payload of {len(data)} bytes is too long")
    body = bytes([HEADER, length & 0xFF, length >> 8, function, address_1, address_2]) + data
    return body + crc16_modbus(body).to_bytes(2, "little")


def encode_environment(status: str, *, passive: bool = False) -> bytes:
    """Environment status (``unoccupied``, ``stationary`` or ``moving``)."""
    fn = FN_PASSIVE_REPORT if passive else FN_ACTIVE_REPORT
    return encode_frame(fn, 0x03, 0x05, ENVIRONMENT_CODES[status])


def encode_body_movement(value: float, *, passive: bool = False) -> bytes:
    """Body-movement parameter (0-100, ``f32`` little-endian)."""
    fn = FN_PASSIVE_REPORT if passive else FN_ACTIVE_REPORT
    return encode_frame(fn, 0x03, 0x06, struct.pack("<f", value))


def encode_approach(state: str) -> bytes:
    """Approaching/leaving state (``none``, ``approaching`` or ``leaving``)."""
    code = {v: k for k, v in APPROACH_STATES.items()}[state]
    return encode_frame(FN_ACTIVE_REPORT, 0x03, 0x07, bytes([0x01, 0x01, code]))


def encode_heartbeat(status: str) -> bytes:
    """Heartbeat pack, carrying the environment status."""
    return encode_frame(FN_ACTIVE_REPORT, 0x05, 0x01, ENVIRONMENT_CODES[status])


def encode_abnormal_reset() -> bytes:
    """Abnormal-reset notice."""
    return encode_frame(FN_ACTIVE_REPORT, 0x05, 0x02, bytes([0x0F]))


def encode_identity(kind: str, text: str) -> bytes:
    """Reply to an identity read: ``device_id``, ``software_version``, ... (ASCII)."""
    code = {v: k for k, v in IDENTITY_FIELDS.items()}[kind]
    return encode_frame(FN_PASSIVE_REPORT, 0x01, code, text.encode("ascii"))


def encode_threshold_gear(gear: int) -> bytes:
    """Reply carrying the sensitivity gear (1-10)."""
    return encode_frame(FN_PASSIVE_REPORT, 0x04, 0x0C, bytes([gear]))


def encode_scene_setting(scene: int) -> bytes:
    """Reply carrying the scene setting (0 default ... 6 hotel)."""
    return encode_frame(FN_PASSIVE_REPORT, 0x04, 0x10, bytes([scene]))


def encode_breath_rate(breath_rate_bpm: int) -> bytes:
    """Breath rate, whole breaths per minute."""
    return encode_frame(FN_SLEEP_REPORT, 0x01, 0x01, bytes([breath_rate_bpm]))


def encode_breathing_status(status: str) -> bytes:
    """Breathing status (``breath_hold``, ``no_signal``, ``normal``, ``movement``, ``rapid``)."""
    code = {v: k for k, v in BREATHING_STATUSES.items()}[status]
    return encode_frame(FN_SLEEP_REPORT, 0x01, 0x04, bytes([code]))


def encode_bed_status(in_bed: bool) -> bytes:
    """In bed / out of bed."""
    return encode_frame(FN_SLEEP_REPORT, 0x03, 0x07, bytes([int(in_bed)]))


def encode_sleep_state(state: str) -> bytes:
    """On-chip sleep state (``awake``, ``light``, ``deep`` or ``none``)."""
    code = {v: k for k, v in SLEEP_STATES.items()}[state]
    return encode_frame(FN_SLEEP_REPORT, 0x03, 0x08, bytes([code]))


def encode_sleep_duration(stage: str, duration_raw: int) -> bytes:
    """Time spent ``awake``, ``light`` or ``deep`` (``u32`` big-endian, unit undocumented)."""
    code = {v: k for k, v in SLEEP_DURATION_STAGES.items()}[stage]
    return encode_frame(FN_SLEEP_REPORT, 0x04, code, duration_raw.to_bytes(4, "big"))


def encode_sleep_quality(score: int) -> bytes:
    """Sleep-quality score."""
    return encode_frame(FN_SLEEP_REPORT, 0x05, 0x01, bytes([score]))


def encode_heart_rate(heart_rate_bpm: int) -> bytes:
    """Heart rate, whole beats per minute."""
    return encode_frame(FN_SLEEP_REPORT, 0x06, 0x01, bytes([heart_rate_bpm]))


def encode_read_command(address_1: int, address_2: int) -> bytes:
    """A host read command, e.g. ``encode_read_command(0x01, 0x01)`` asks for the device ID."""
    return encode_frame(FN_READ, address_1, address_2)


def encode_sleep_function_switch(on: bool) -> bytes:
    """The host write that turns the sleep function on or off (off by default, per manual)."""
    return encode_frame(FN_WRITE, 0x05, 0x0D, bytes([int(on)]))


# --------------------------------------------------------------------------------- decoding


def _environment(data: bytes) -> dict[str, FieldValue] | None:
    if not data:
        return None
    occupied = data[0] == 0x01
    moving = occupied and len(data) > 1 and data[1] == 0x01
    status = ("moving" if moving else "stationary") if occupied else "unoccupied"
    if data[0] not in (0x00, 0x01):
        status = "unknown"
    return {"occupied": occupied, "moving": moving, "status": status}


def _decode_payload(fn: int, a1: int, a2: int, data: bytes) -> tuple[str, dict[str, FieldValue]]:
    """``(type, fields)``; fields ``None``-free; malformed payloads are flagged by the caller."""
    n = len(data)
    malformed: dict[str, FieldValue] = {"malformed": True}
    if fn in (FN_ACTIVE_REPORT, FN_PASSIVE_REPORT) and a1 == 0x03 and a2 == 0x05:
        env = _environment(data)
        return "environment", env if env is not None else malformed
    if fn in (FN_ACTIVE_REPORT, FN_PASSIVE_REPORT) and a1 == 0x03 and a2 == 0x06:
        if n < 4:
            return "body_movement", malformed
        value = float(struct.unpack_from("<f", data)[0])
        return "body_movement", {"body_movement_pct": value}
    if fn == FN_ACTIVE_REPORT and a1 == 0x03 and a2 == 0x07:
        if n < 3:
            return "approach", malformed
        return "approach", {"approach": APPROACH_STATES.get(data[2], "unknown"), "code": data[2]}
    if fn == FN_ACTIVE_REPORT and a1 == 0x05 and a2 == 0x01:
        env = _environment(data)
        return "heartbeat", env if env is not None else malformed
    if fn == FN_ACTIVE_REPORT and a1 == 0x05 and a2 == 0x02:
        return "abnormal_reset", {}
    if fn == FN_PASSIVE_REPORT and a1 == 0x01 and a2 in IDENTITY_FIELDS:
        text = data.rstrip(b"\x00").decode("ascii", "replace")
        return IDENTITY_FIELDS[a2], {"text": text}
    if fn == FN_PASSIVE_REPORT and a1 == 0x04 and a2 in (0x0C, 0x10):
        name = "threshold_gear" if a2 == 0x0C else "scene_setting"
        return name, ({"value": data[0]} if n else malformed)
    if fn == FN_SLEEP_REPORT:
        return _decode_sleep(a1, a2, data)
    if fn in (FN_READ, FN_WRITE):
        return ("read_command" if fn == FN_READ else "write_command"), {}
    return "unknown", {}


def _decode_sleep(a1: int, a2: int, data: bytes) -> tuple[str, dict[str, FieldValue]]:
    n = len(data)
    malformed: dict[str, FieldValue] = {"malformed": True}
    match (a1, a2):
        case (0x01, 0x01):
            return "breath_rate", ({"breath_rate_bpm": float(data[0])} if n else malformed)
        case (0x01, 0x04):
            if not n:
                return "breathing_status", malformed
            status = BREATHING_STATUSES.get(data[0], "unknown")
            return "breathing_status", {"breathing_status": status, "code": data[0]}
        case (0x03, 0x07):
            return "bed_status", ({"in_bed": data[0] == 0x01, "code": data[0]} if n else malformed)
        case (0x03, 0x08):
            if not n:
                return "sleep_state", malformed
            return "sleep_state", {
                "sleep_state": SLEEP_STATES.get(data[0], "unknown"),
                "code": data[0],
            }
        case (0x04, 0x01 | 0x02 | 0x03):
            if n < 4:
                return "sleep_duration", malformed
            duration = int.from_bytes(data[:4], "big")
            return "sleep_duration", {"stage": SLEEP_DURATION_STAGES[a2], "duration_raw": duration}
        case (0x05, 0x01):
            return "sleep_quality", ({"sleep_score": data[0]} if n else malformed)
        case (0x06, 0x01):
            return "heart_rate", ({"heart_rate_bpm": float(data[0])} if n else malformed)
        case _:
            return "unknown", {}


def _decode(frame: bytes, offset: int) -> DecodedMessage:
    fn, a1, a2 = frame[3], frame[4], frame[5]
    data = frame[6:-2]
    name, decoded = _decode_payload(fn, a1, a2, data)
    fields: dict[str, FieldValue] = {"function": fn, "address_1": a1, "address_2": a2}
    fields |= decoded
    if name in ("unknown", "read_command", "write_command") or decoded.get("malformed"):
        fields["raw"] = data.hex()
    return DecodedMessage(FAMILY, name, offset, fields)


def _decode_at(buf: bytes, i: int, base_offset: int) -> DecodeStep:
    """The frame whose 0x55 header is at ``i`` (see :func:`parse`)."""
    n = len(buf)
    if n - i < 3:
        return NEED_MORE
    length = buf[i + 1] | (buf[i + 2] << 8)
    if not MIN_LEN <= length <= MAX_LEN:
        return SKIP
    end = i + length + 1
    if end > n:
        return NEED_MORE
    frame = buf[i:end]
    if crc16_modbus(frame[:-2]) != frame[-2] | (frame[-1] << 8):
        return BAD
    return _decode(frame, base_offset + i), end - i


_SYNC = HeaderSync(_HEADER_BYTE)


def parse(buf: bytes, base_offset: int = 0) -> ParseResult:
    """Decode every complete frame at the start of ``buf``; never raises.

    - Bytes before a 0x55 header are skipped as garbage; so is a 0x55 whose ``LEN`` is
      outside :data:`MIN_LEN`..:data:`MAX_LEN` (one byte at a time).
    - A frame whose CRC fails counts in ``bad_checksums`` and is skipped by its first byte
      only, so that a real frame hiding inside it is still found.
    - An incomplete frame at the end is left unconsumed (at most :data:`MAX_FRAME_LEN` - 1
      bytes), so the caller's buffer stays bounded.
    """
    return _SYNC.parse(buf, base_offset, _decode_at)


# --------------------------------------------------------------------------------- assembly

BREATH_STALE_S: Final = 30.0
"""A breath rate older than one epoch is dropped."""
MOVEMENT_STALE_S: Final = 15.0
"""The body-movement parameter comes every 5 s; three missed reports and it is dropped."""
BREATHING_STATUS_QUALITY: Final[dict[str, float]] = {
    "normal": 1.0,
    "rapid": 0.7,
    "breath_hold": 0.5,
    "movement": 0.3,
    "no_signal": 0.0,
}
"""Signal quality implied by the device's breathing status."""
ENVIRONMENT_MOVEMENT: Final[dict[str, float]] = {
    "unoccupied": 0.0,
    "stationary": 0.0,
    "moving": 0.5,
}
"""Movement implied by the environment status when no body-movement parameter is fresh."""
REPORT_TYPES_WITHOUT_FRAME: Final = frozenset({"read_command", "write_command", "unknown"})


class Mr24bsd1Assembler:
    """Folds MR24BSD1 reports into one :class:`VitalsFrame` per report (no waveform).

    - ``device_presence`` = the environment status (occupied or not), else the bed status.
    - While the device says someone is present *and* it has a fresh breath rate (non-zero,
      younger than :data:`BREATH_STALE_S`), the frame carries one target (id 0) with that
      ``breath_rate_bpm``, empty ``respiration_mm``, ``angle_deg=None`` and ``distance_m`` =
      the configured mounting distance: the device does not measure distance, and the manual
      asks for 0.5-1.5 m between radar and chest for breathing. Without a breath rate the
      frame has no target, so the pipeline falls back on ``device_presence`` alone.
    - ``movement`` = body-movement parameter / 100 (0 when it is 0 or 1, i.e. nobody or
      breathing only), else 0.5 while the environment status says moving.
    - ``signal_quality`` (heuristic) from the breathing status: normal 1.0, rapid 0.7, breath
      hold 0.5, movement 0.3, no signal 0.0; 0.8 when no status has come yet (a non-zero
      rate means the device has locked on to breathing).
    - The device's sleep state goes to :attr:`device_sleep_state` (``awake``, ``light``,
      ``deep`` or ``None``), since :class:`VitalsFrame` has no field for it; :attr:`in_bed`
      holds the device's bed status.
    """

    def __init__(self, mounting_distance_m: float = 0.8) -> None:
        """``mounting_distance_m``: radar-to-chest distance reported for the single target."""
        self.mounting_distance_m = mounting_distance_m
        self.device_sleep_state: str | None = None
        """The device's own sleep state (``awake``, ``light``, ``deep``), ``None`` if unknown."""
        self.device_sleep_state_t: float | None = None
        """Source time of the last sleep-state report."""
        self.in_bed: bool | None = None
        self.environment: str | None = None
        self.breathing_status: str | None = None
        self.breath_rate_bpm: float | None = None
        self.heart_rate_bpm: float | None = None
        self.body_movement_pct: float | None = None
        self.sleep_score: int | None = None
        self._t_breath = -math.inf
        self._t_heart = -math.inf
        self._t_movement = -math.inf

    @property
    def device_presence(self) -> bool | None:
        """The device's presence opinion (environment status, else bed status)."""
        if self.environment in ("unoccupied", "stationary", "moving"):
            return self.environment != "unoccupied"
        return self.in_bed

    def push(self, message: DecodedMessage, t: float) -> VitalsFrame | None:
        """Fold in one message received at source time ``t``; a frame per device report."""
        f = message.fields
        if (
            message.family != FAMILY
            or message.type in REPORT_TYPES_WITHOUT_FRAME
            or f.get("malformed")
        ):
            return None
        match message.type:
            case "environment" | "heartbeat":
                status = f.get("status")
                self.environment = status if isinstance(status, str) else None
            case "body_movement":
                value = f.get("body_movement_pct")
                if isinstance(value, float) and math.isfinite(value):
                    self.body_movement_pct, self._t_movement = value, t
            case "breath_rate":
                self.breath_rate_bpm, self._t_breath = _rate(f.get("breath_rate_bpm")), t
            case "heart_rate":
                self.heart_rate_bpm, self._t_heart = _rate(f.get("heart_rate_bpm")), t
            case "breathing_status":
                status = f.get("breathing_status")
                self.breathing_status = status if isinstance(status, str) else None
            case "bed_status":
                self.in_bed = bool(f.get("in_bed"))
            case "sleep_state":
                state = f.get("sleep_state")
                valid = isinstance(state, str) and state in ("awake", "light", "deep")
                self.device_sleep_state = state if valid and isinstance(state, str) else None
                self.device_sleep_state_t = t
            case "sleep_quality":
                score = f.get("sleep_score")
                self.sleep_score = score if isinstance(score, int) else None
            case _:
                pass
        return self._frame(t)

    def _frame(self, t: float) -> VitalsFrame:
        present = self.device_presence
        breath = self.breath_rate_bpm if t - self._t_breath <= BREATH_STALE_S else None
        if not present or breath is None:
            return VitalsFrame(t=t, targets=(), device_presence=present)
        heart = self.heart_rate_bpm if t - self._t_heart <= BREATH_STALE_S else None
        if self.body_movement_pct is not None and t - self._t_movement <= MOVEMENT_STALE_S:
            pct = self.body_movement_pct
            movement = 0.0 if pct <= 1.0 else min(pct / 100.0, 1.0)
        else:
            movement = ENVIRONMENT_MOVEMENT.get(self.environment or "", 0.0)
        quality = BREATHING_STATUS_QUALITY.get(self.breathing_status or "", 0.8)
        target = TargetVitals(
            target_id=0,
            distance_m=self.mounting_distance_m,
            angle_deg=None,
            respiration_mm=(),
            respiration_rate_hz=0.0,
            movement=movement,
            signal_quality=quality,
            breath_rate_bpm=breath,
            heart_rate_bpm=heart,
        )
        return VitalsFrame(t=t, targets=(target,), device_presence=True)


def _rate(value: FieldValue) -> float | None:
    """A device rate; ``None`` when 0 (the device's "nothing detected")."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value < 300 else None
