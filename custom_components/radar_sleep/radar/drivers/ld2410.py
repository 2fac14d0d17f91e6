"""Hi-Link HLK-LD2410 / LD2410B / LD2410C (24 GHz presence radar) over its UART.

The LD2410 reports presence, the distance and energy of one moving and one still target, and,
in engineering mode, the moving and still energy of each 0.75-m (or 0.2-m) range gate. It gives
**no breathing waveform and no rates**: Radar Sleep can track presence, in-bed time and gross
movement with it, but cannot stage sleep (``CAPABILITIES.can_stage_sleep`` is false).

Report frame (little-endian)::

    F4 F3 F2 F1 | length u16 | data[length] | F8 F7 F6 F5

    data: type u8 (0x01 engineering, 0x02 basic) | 0xAA |
          target state u8 (0 none, 1 moving, 2 still, 3 both) |
          moving distance u16 cm | moving energy u8 | still distance u16 cm | still energy u8 |
          detection distance u16 cm |
          [engineering: max moving gate N u8 | max still gate M u8 |
                        moving energy of gates 0..N (N+1 bytes) |
                        still energy of gates 0..M (M+1 bytes) |
                        extra bytes: light level u8 (0..255) and OUT pin u8 on recent firmware] |
          0x55 (tail) | 0x00 (check)

A basic report has ``length`` 13 (0x0D); an engineering report with N = M = 8 and the two
extra bytes has 35 (0x23). Energies are 0..100 in the documentation.

Command and ACK frames::

    FD FC FB FA | length u16 | command word u16 | value[length - 2] | 04 03 02 01

An ACK's word is the command word with bit 8 set (``0x0062`` -> ``0x0162``), followed by a status
u16 (0 success, 1 failure) and the return value. ACKs decode as type ``ack`` with ``command``
(the word without the ACK bit), ``status``, ``success`` and ``values`` (the bytes after the
status); known replies add: ``0xFF`` enable configuration -> ``protocol_version``,
``buffer_size``; ``0x61`` read parameters -> ``max_gate``, ``max_moving_gate``,
``max_still_gate``, ``moving_sensitivity``, ``still_sensitivity``, ``no_one_duration_s``;
``0xA0`` firmware version -> ``firmware_version`` (``"1.02.22062416"``); ``0xAB`` distance
resolution -> ``distance_resolution_m``. Host commands seen on the line (an echo, or a bridge
that mirrors TX) decode as type ``command`` with ``command`` and ``values``.

Report messages are type ``basic`` or ``engineering`` with ``target_state``, ``moving``,
``still`` (bools from the state bits), ``moving_distance_m``, ``moving_energy``,
``still_distance_m``, ``still_energy``, ``detection_distance_m`` and, in engineering mode,
``max_moving_gate``, ``max_still_gate``, ``moving_gate_energy``, ``still_gate_energy`` (lists)
and, when the firmware sends them, ``light_level`` and ``out_pin``.

Sources (every byte checked against each):

* ESPHome ``esphome/components/ld2410/ld2410.cpp`` and an older ``ld2410.h`` (repositories
  ``esphome/esphome`` and its fork ``regevbr/esphome``): frame headers/footers, the
  ``PeriodicDataStructure`` offsets (DATA_TYPES 6, TARGET_STATES 8, MOVING_TARGET 9-10,
  MOVING_ENERGY 11, STILL_TARGET 12-13, STILL_ENERGY 14, DETECT_DISTANCE 15-16,
  MOVING_SENSOR_START 19, STILL_SENSOR_START 28, LIGHT_SENSOR 37, OUT_PIN_SENSOR 38),
  HEAD 0xAA / END 0x55 / CHECK 0x00, the command words, ``send_command_`` framing, the ACK
  status at bytes 8-9, the version format ``%u.%02X.%02X%02X%02X%02X`` of bytes 13, 12, 17..14.
* Hi-Link's protocol documents as transcribed in ``ncmreynolds/ld2410``
  (``docs/HLK-LD2410_protocol.md``: LD2410 V1.02/V1.03; ``docs/HLK-LD2410B_protocol.md``:
  LD2410B V1.06): Tables 8-15 and the example frames ``F4 F3 F2 F1 0D 00 02 AA 02 51 00 00 00
  00 3B 00 00 55 00 F8 F7 F6 F5`` and ``... 23 00 01 AA 03 1E 00 3C 00 00 39 00 00 08 08 ...``,
  the command examples (``FD FC FB FA 04 00 FF 00 01 00 04 03 02 01`` etc.).
* ``morian/aio-ld2410`` (``aio_ld2410/protocol/frame.py``, ``report.py``, ``command.py``,
  ``docs/about/protocol.rst``), a Python implementation checked against an LD2410C.

Where they disagree: the documents give "N+1" gate energies after "max gate N" while ESPHome
and aio-ld2410 hard-code 9 (they always see N = 8); this parser follows the documents, which
agree with every example, and rejects N > 8. The LD2410 V1.02 table gives the still distance and
detection distance as 1 byte but its own example and every implementation use 2 bytes (2 here).
The extra bytes are "reserved, M bytes" in V1.02 (the example sends ``03 05``) and light level +
OUT pin state in V1.06 and ESPHome; the first two extra bytes are reported as ``light_level`` and
``out_pin``. Distance-resolution index 0 is 0.75 m and 1 is 0.2 m per the LD2410B document and
ESPHome; aio-ld2410 names them the other way round. The default baud rate is 256000 for
LD2410B/C (V1.06, ESPHome) but the LD2410 V1.03 document says 57600.

Validation: a frame whose ``length`` exceeds :data:`MAX_DATA_BYTES` is garbage (its first byte
is skipped, not counted); a complete frame with a wrong footer, a wrong head/tail/check byte, an
unknown data type, a target state above 3, gate counts that do not fit ``length``, a frame
header inside it (the frame was cut short and the next one read as its data; a real report
cannot hold ``F4 F3 F2 F1`` or ``FD FC FB FA``, which would need a 624-m distance or an energy
above 100, and an ACK only inside a MAC address or version number), or a command frame
shorter than its word (or an ACK without status) is a bad frame, counted in ``bad_checksums``
(the LD2410 has no checksum) and skipped by its first byte only.
"""

from __future__ import annotations

from collections.abc import Sequence
import struct

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

FAMILY = "ld2410"
BAUD_RATE = 256_000
"""8N1; LD2410B/C factory default (some base LD2410 firmware defaults to 57600)."""

CAPABILITIES = Capabilities(
    presence=True,
    respiration_waveform=False,
    breath_rate=False,
    heart_rate=False,
    distance=True,
    angle=False,
    movement=True,
    multiple_targets=False,
)
"""Presence, distance and movement energy only: sleep stages are not available."""

REPORT_HEADER = b"\xf4\xf3\xf2\xf1"
REPORT_FOOTER = b"\xf8\xf7\xf6\xf5"
COMMAND_HEADER = b"\xfd\xfc\xfb\xfa"
COMMAND_FOOTER = b"\x04\x03\x02\x01"
_SYNC = HeaderSync(REPORT_HEADER, COMMAND_HEADER)
MAX_DATA_BYTES = 64
"""Longest intra-frame data accepted (the module's own command buffer is 0x40 bytes, reports
are 13 or 35 bytes); a longer ``length`` is garbage, so a frame is never above 74 bytes."""

TYPE_ENGINEERING = 0x01
TYPE_BASIC = 0x02
HEAD = 0xAA
TAIL = 0x55
CHECK = 0x00
MAX_GATE = 8
ACK_BIT = 0x0100

CMD_READ_PARAMETERS = 0x0061
CMD_ENABLE_ENGINEERING = 0x0062
CMD_DISABLE_ENGINEERING = 0x0063
CMD_FIRMWARE_VERSION = 0x00A0
CMD_QUERY_DISTANCE_RESOLUTION = 0x00AB
CMD_DISABLE_CONFIG = 0x00FE
CMD_ENABLE_CONFIG = 0x00FF

DISTANCE_RESOLUTION_M = {0: 0.75, 1: 0.2}
"""Resolution index of command 0xAA/0xAB (LD2410B protocol V1.06 Table 8, ESPHome)."""

_BASIC = struct.Struct("<BBBHBHBH")  # type, head, state, moving cm, energy, still cm, energy, det
TARGET_ID = 1
"""``target_id`` of the single pseudo-target."""


# --------------------------------------------------------------------------- parsing


def _decode_report(data: bytes) -> tuple[str, dict[str, FieldValue]] | None:
    """The fields of a report's intra-frame data, or ``None`` if it is inconsistent."""
    if len(data) < _BASIC.size + 2 or data[-2] != TAIL or data[-1] != CHECK:
        return None
    kind, head, state, moving_cm, moving_e, still_cm, still_e, detect_cm = _BASIC.unpack_from(data)
    if head != HEAD or state > 3 or kind not in (TYPE_BASIC, TYPE_ENGINEERING):
        return None
    fields: dict[str, FieldValue] = {
        "target_state": state,
        "moving": bool(state & 1),
        "still": bool(state & 2),
        "moving_distance_m": moving_cm / 100.0,
        "moving_energy": moving_e,
        "still_distance_m": still_cm / 100.0,
        "still_energy": still_e,
        "detection_distance_m": detect_cm / 100.0,
    }
    if kind == TYPE_BASIC:
        return ("basic", fields) if len(data) == _BASIC.size + 2 else None
    body = data[_BASIC.size : -2]
    if len(body) < 2:
        return None
    max_moving, max_still = body[0], body[1]
    if max_moving > MAX_GATE or max_still > MAX_GATE:
        return None
    moving_end = 2 + max_moving + 1
    still_end = moving_end + max_still + 1
    if still_end > len(body):
        return None
    fields["max_moving_gate"] = max_moving
    fields["max_still_gate"] = max_still
    fields["moving_gate_energy"] = list(body[2:moving_end])
    fields["still_gate_energy"] = list(body[moving_end:still_end])
    extra = body[still_end:]
    if len(extra) >= 2:
        fields["light_level"] = extra[0]
        fields["out_pin"] = bool(extra[1])
    if len(extra) not in (0, 2):
        fields["extra_bytes"] = list(extra)
    return "engineering", fields


def _decode_ack(command: int, values: bytes) -> dict[str, FieldValue] | None:
    """The fields of an ACK's data after its word, or ``None`` if it has no status."""
    if len(values) < 2:
        return None
    status = int.from_bytes(values[:2], "little")
    rest = values[2:]
    fields: dict[str, FieldValue] = {
        "command": command,
        "status": status,
        "success": status == 0,
        "values": list(rest),
    }
    if status != 0:
        return fields
    if command == CMD_ENABLE_CONFIG and len(rest) >= 4:
        fields["protocol_version"] = int.from_bytes(rest[0:2], "little")
        fields["buffer_size"] = int.from_bytes(rest[2:4], "little")
    elif command == CMD_READ_PARAMETERS and len(rest) >= 4 and rest[0] == HEAD:
        n = rest[1]
        end = 4 + 2 * (n + 1)
        if n <= MAX_GATE and len(rest) >= end + 2:
            fields["max_gate"] = n
            fields["max_moving_gate"] = rest[2]
            fields["max_still_gate"] = rest[3]
            fields["moving_sensitivity"] = list(rest[4 : 4 + n + 1])
            fields["still_sensitivity"] = list(rest[4 + n + 1 : end])
            fields["no_one_duration_s"] = int.from_bytes(rest[end : end + 2], "little")
    elif command == CMD_FIRMWARE_VERSION and len(rest) >= 8:
        major, minor = rest[3], rest[2]
        build = rest[7:3:-1].hex().upper()
        fields["firmware_version"] = f"{major}.{minor:02X}.{build}"
    elif command == CMD_QUERY_DISTANCE_RESOLUTION and len(rest) >= 2:
        index = int.from_bytes(rest[0:2], "little")
        if index in DISTANCE_RESOLUTION_M:
            fields["distance_resolution_m"] = DISTANCE_RESOLUTION_M[index]
    return fields


def _decode_command_frame(data: bytes) -> tuple[str, dict[str, FieldValue]] | None:
    if len(data) < 2:
        return None
    word = int.from_bytes(data[:2], "little")
    if word & ACK_BIT:
        fields = _decode_ack(word & ~ACK_BIT, data[2:])
        return None if fields is None else ("ack", fields)
    return "command", {"command": word, "values": list(data[2:])}


def _decode_at(buf: bytes, pos: int, base_offset: int) -> DecodeStep:
    """The report, command or ACK frame whose header is at ``pos`` (see :func:`parse`)."""
    n = len(buf)
    if n - pos < 6:
        return NEED_MORE
    length = int.from_bytes(buf[pos + 4 : pos + 6], "little")
    if length > MAX_DATA_BYTES:
        return SKIP  # absurd length: not a frame header
    end = pos + 6 + length + 4
    if n < end:
        return NEED_MORE
    is_report = buf[pos] == REPORT_HEADER[0]
    footer = REPORT_FOOTER if is_report else COMMAND_FOOTER
    data = buf[pos + 6 : end - 4]
    decoded = None
    if buf[end - 4 : end] == footer and _SYNC.find(buf, pos + 1, end) < 0:
        decoded = _decode_report(data) if is_report else _decode_command_frame(data)
    if decoded is None:
        return BAD
    kind, fields = decoded
    return DecodedMessage(FAMILY, kind, base_offset + pos, fields), end - pos


def parse(buf: bytes, base_offset: int = 0) -> ParseResult:
    """Decode every complete report, command and ACK frame at the start of ``buf``.

    Garbage before a header is skipped; an incomplete frame (or a partial header) at the end is
    left unconsumed. Never raises.
    """
    return _SYNC.parse(buf, base_offset, _decode_at)


# --------------------------------------------------------------------------- encoding


def _frame(header: bytes, data: bytes, footer: bytes) -> bytes:
    return header + len(data).to_bytes(2, "little") + data + footer


def encode_basic_report(
    target_state: int,
    *,
    moving_distance_cm: int = 0,
    moving_energy: int = 0,
    still_distance_cm: int = 0,
    still_energy: int = 0,
    detection_distance_cm: int = 0,
) -> bytes:
    """A basic-mode report frame (type 0x02)."""
    data = _BASIC.pack(
        TYPE_BASIC,
        HEAD,
        target_state,
        moving_distance_cm,
        moving_energy,
        still_distance_cm,
        still_energy,
        detection_distance_cm,
    )
    return _frame(REPORT_HEADER, data + bytes((TAIL, CHECK)), REPORT_FOOTER)


def encode_engineering_report(
    target_state: int,
    *,
    moving_distance_cm: int = 0,
    moving_energy: int = 0,
    still_distance_cm: int = 0,
    still_energy: int = 0,
    detection_distance_cm: int = 0,
    moving_gate_energy: Sequence[int] = (0,) * (MAX_GATE + 1),
    still_gate_energy: Sequence[int] = (0,) * (MAX_GATE + 1),
    extra: Sequence[int] = (0x80, 0x00),
) -> bytes:
    """An engineering-mode report frame (type 0x01); ``extra`` = light level, OUT pin."""
    data = _BASIC.pack(
        TYPE_ENGINEERING,
        HEAD,
        target_state,
        moving_distance_cm,
        moving_energy,
        still_distance_cm,
        still_energy,
        detection_distance_cm,
    )
    gates = bytes(
        (
            len(moving_gate_energy) - 1,
            len(still_gate_energy) - 1,
            *moving_gate_energy,
            *still_gate_energy,
            *extra,
        )
    )
    return _frame(REPORT_HEADER, data + gates + bytes((TAIL, CHECK)), REPORT_FOOTER)


def encode_command(command: int, value: bytes = b"") -> bytes:
    """A host-to-radar command frame."""
    return _frame(COMMAND_HEADER, command.to_bytes(2, "little") + value, COMMAND_FOOTER)


def encode_ack(command: int, status: int = 0, value: bytes = b"") -> bytes:
    """A radar-to-host ACK frame for ``command``."""
    data = (command | ACK_BIT).to_bytes(2, "little") + status.to_bytes(2, "little") + value
    return _frame(COMMAND_HEADER, data, COMMAND_FOOTER)


ENABLE_ENGINEERING_SEQUENCE = (
    encode_command(CMD_ENABLE_CONFIG, b"\x01\x00"),
    encode_command(CMD_ENABLE_ENGINEERING),
    encode_command(CMD_DISABLE_CONFIG),
)
"""Enable configuration, enable engineering mode, end configuration (volatile: resend after
every power-up)."""


# --------------------------------------------------------------------------- assembly


def _int(fields: dict[str, FieldValue], key: str) -> int:
    value = fields.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(fields: dict[str, FieldValue], key: str) -> float:
    value = fields.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


class Ld2410Assembler:
    """One :class:`VitalsFrame` per report (basic or engineering); ACKs yield nothing.

    ``device_presence`` is ``target_state != 0``. Without a target, ``targets`` is empty; with
    one, a single pseudo-target (``target_id`` 1, ``angle_deg`` None, no respiration) sits at
    the still target's distance when the still bit is set (a lying sleeper is the still target)
    and at the moving target's distance otherwise, with ``movement = moving energy / 100`` and
    ``signal_quality = still energy / 100`` (both clipped to 0..1).
    """

    def push(self, message: DecodedMessage, t: float) -> VitalsFrame | None:
        """Fold in one decoded message."""
        if message.family != FAMILY or message.type not in ("basic", "engineering"):
            return None
        f = message.fields
        state = _int(f, "target_state")
        if state == 0:
            return VitalsFrame(t=t, targets=(), device_presence=False)
        key = "still_distance_m" if state & 2 else "moving_distance_m"
        target = TargetVitals(
            target_id=TARGET_ID,
            distance_m=_float(f, key),
            angle_deg=None,
            respiration_mm=(),
            respiration_rate_hz=0.0,
            movement=min(1.0, _int(f, "moving_energy") / 100.0),
            signal_quality=min(1.0, _int(f, "still_energy") / 100.0),
        )
        return VitalsFrame(t=t, targets=(target,), device_presence=True)
