"""Fuzzing every parser family: random bytes and mutated valid streams (``python -m bench.fuzz``).

For each serial family (``mr60bha2``, ``ti-vitals``, ``ld2410``, ``mr24bsd1``):

- **random**: ``--bytes`` uniformly random bytes fed to ``StreamParser.feed`` in random chunk
  sizes (1 to 4096 bytes): no exception, the buffer stays below the family's longest frame, and
  every message accepted passes the family's checksum, re-checked here by a reference
  implementation written independently of the driver (``spurious`` counts what random bytes
  happened to form; families without a checksum accept only what passes their structural
  checks);
- **mutated**: a valid stream of about ``--bytes`` bytes (the realistic message mix of
  :mod:`bench.parsers`, written by the drivers' encoders) in which each frame is, with
  probability ``--damage`` (0.05), damaged by one of: a bit flip, a dropped span of 1-8 bytes, a
  duplicated span of 1-8 bytes, a truncation (the frame cut short, the next frame following
  directly); and, with the same probability, duplicated whole (both copies intact). Every
  intact frame must come out at its offset with the fields it decodes to alone
  (``intact`` = ``recovered``), every accepted message must pass the reference checksum, and
  ``damaged_accepted`` counts damaged frames that came out anyway (a family without checksum
  accepts a frame whose flipped bit lands in a value; with a checksum, only a drop or
  duplication that the 8-bit checksum of ``mr60bha2`` misses by chance, 1 in 256).

For the raw-FMCW capture reader (``radar/fmcw/capture.py``): ``--files`` files of random bytes
and ``--files`` copies of a valid capture with one mutation each (bit flips, a dropped,
duplicated or truncated span; the same four kinds): every read either returns the capture's
frames unchanged or raises :class:`~custom_components.radar_sleep.radar.fmcw.capture.CaptureError`
(nothing else), and no altered frame is ever returned (the zip CRC-32 is the capture's checksum;
a capture has no per-frame checksum, so a damaged file is refused whole).

Seeded and deterministic (``--seed``). The full-size run is ``python -m bench.fuzz`` (10^6
bytes per family and stream, 200 files); the tests run :func:`fuzz_family` and
:func:`fuzz_capture` on smaller sizes. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
import itertools
import json
from pathlib import Path
import random
import tempfile
import time
from typing import Final

import numpy as np

from bench.parsers import valid_stream
from custom_components.radar_sleep.radar.families import SERIAL_FAMILIES, get_family
from custom_components.radar_sleep.radar.protocol import DecodedMessage, StreamParser

DEFAULT_BYTES: Final = 1_000_000
DEFAULT_DAMAGE: Final = 0.05
DEFAULT_FILES: Final = 200
MAX_CHUNK: Final = 4096
MUTATIONS: Final = ("flip", "drop", "dup", "truncate")
LONGEST_FRAME: Final[dict[str, int]] = {
    "mr60bha2": 73,
    "mr24bsd1": 65,
    "ld2410": 74,
    "ti-vitals": 32_768 + 8,
}
"""Longest frame of each family (drivers' docstrings): the parser's buffer stays below it."""


# --------------------------------------------------------------------- reference checksums


def _mr60bha2_ok(stream: bytes, offset: int) -> bool:
    """``~XOR`` of the 7 header bytes and of the payload (the MR60BHA2 frame layout)."""
    head = np.frombuffer(stream, np.uint8, 8, offset)
    length = int(head[3]) << 8 | int(head[4])
    data = np.frombuffer(stream, np.uint8, length + 1, offset + 8)
    head_ok = ~np.bitwise_xor.reduce(head[:7]) & 0xFF == head[7]
    data_xor = np.bitwise_xor.reduce(data[:-1]) if length else np.uint8(0)
    return bool(head_ok and (~data_xor & 0xFF) == data[-1])


def _crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS bit by bit (reflected 0xA001, initial 0xFFFF)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _mr24bsd1_ok(stream: bytes, offset: int) -> bool:
    """CRC-16/MODBUS of the frame, low byte first (the MR24BSD1 frame layout)."""
    length = stream[offset + 1] | stream[offset + 2] << 8
    frame = stream[offset : offset + length + 1]
    return len(frame) == length + 1 and _crc16_modbus(frame[:-2]) == int.from_bytes(
        frame[-2:], "little"
    )


CHECKSUMS: Final = {"mr60bha2": _mr60bha2_ok, "mr24bsd1": _mr24bsd1_ok}
"""Families with a checksum, and its reference check of the frame at an offset. ``ld2410`` and
``ti-vitals`` frames carry none (their parsers check structure only)."""


# --------------------------------------------------------------------- serial families


@dataclass
class FamilyResult:
    """What one family's fuzzing found."""

    family: str
    random_bytes: int = 0
    random_accepted: int = 0
    random_bad_checksum: int = 0
    mutated_bytes: int = 0
    frames: int = 0
    intact: int = 0
    recovered: int = 0
    damaged: int = 0
    damaged_accepted: int = 0
    mutated_bad_checksum: int = 0
    seconds: float = 0.0
    lost: list[int] = field(default_factory=list)
    """Offsets of intact frames that did not come out (empty when all is well)."""
    accepted_kinds: dict[str, int] = field(default_factory=dict)
    """Damaged frames accepted, by mutation."""
    stream: bytes = field(default=b"", repr=False)
    """The mutated stream (to look at what was lost)."""

    def to_json(self) -> dict[str, int | float | bool | None]:
        """Figures for the JSON line (``lost`` as a count)."""
        return {
            "random_bytes": self.random_bytes,
            "random_accepted": self.random_accepted,
            "random_bad_checksum": self.random_bad_checksum,
            "mutated_bytes": self.mutated_bytes,
            "frames": self.frames,
            "intact": self.intact,
            "recovered": self.recovered,
            "damaged": self.damaged,
            "damaged_accepted": self.damaged_accepted,
            "accepted_bad_checksum": self.random_bad_checksum + self.mutated_bad_checksum,
            "checksum": self.family in CHECKSUMS,
            "seconds": round(self.seconds, 2),
        }


def _feed(family: str, data: bytes, rng: np.random.Generator) -> list[DecodedMessage]:
    """Feed ``data`` in random chunks (1..4096 bytes), then zeros that settle a waiting frame.

    The buffer stays below the family's longest frame throughout.
    """
    parse = get_family(family).parse
    assert parse is not None
    parser = StreamParser(family, parse)
    bound = LONGEST_FRAME[family]
    sizes = rng.integers(1, MAX_CHUNK + 1, len(data) // 64 + 2)
    cuts = np.cumsum(sizes)
    cuts = cuts[cuts < len(data)]
    out: list[DecodedMessage] = []
    start = 0
    for cut in (*cuts.tolist(), len(data)):
        out += parser.feed(data[start:cut])
        start = cut
        if parser.buffered >= bound:
            raise AssertionError(f"{family}: {parser.buffered} bytes buffered")
    out += parser.feed(bytes(bound))
    return out


def _bad_checksums(family: str, stream: bytes, messages: list[DecodedMessage]) -> int:
    check = CHECKSUMS.get(family)
    return 0 if check is None else sum(not check(stream, m.offset) for m in messages)


def _mutate(frame: bytes, kind: str, rng: random.Random) -> bytes:
    n = len(frame)
    if kind == "flip":
        pos = rng.randrange(n)
        return frame[:pos] + bytes([frame[pos] ^ 1 << rng.randrange(8)]) + frame[pos + 1 :]
    if kind == "drop":
        pos = rng.randrange(n)
        return frame[:pos] + frame[pos + rng.randint(1, min(8, n - pos)) :]
    if kind == "dup":
        pos = rng.randrange(n)
        end = pos + rng.randint(1, min(8, n - pos))
        return frame[:end] + frame[pos:end] + frame[end:]
    return frame[: rng.randrange(1, n)]


def _settle(family: str) -> bytes:
    """Bytes after a frame that let the parser decide where it ends (TI waits for 7)."""
    return bytes(8) if family == "ti-vitals" else b""


def fuzz_family(
    family: str, n_bytes: int = DEFAULT_BYTES, *, damage: float = DEFAULT_DAMAGE, seed: int = 0
) -> FamilyResult:
    """Random and mutated streams of about ``n_bytes`` each through ``family``'s parser."""
    t0 = time.perf_counter()
    result = FamilyResult(family)
    np_rng = np.random.default_rng([seed, SERIAL_FAMILIES.index(family)])
    rng = random.Random(f"{seed}:{family}")
    parse = get_family(family).parse
    assert parse is not None

    noise = np_rng.bytes(n_bytes)
    accepted = _feed(family, noise, np_rng)
    result.random_bytes = n_bytes
    result.random_accepted = len(accepted)
    result.random_bad_checksum = _bad_checksums(family, noise, accepted)

    valid, _ = valid_stream(family, n_bytes, seed)
    clean_messages = parse(valid + _settle(family), 0).messages
    bounds = [m.offset for m in clean_messages] + [len(valid)]
    frames = [valid[a:b] for a, b in itertools.pairwise(bounds)]
    clean = [(m.type, m.fields) for m in clean_messages]
    result.frames = len(frames)
    draws = np_rng.random((len(frames), 2))
    kinds = np_rng.integers(0, len(MUTATIONS), len(frames))
    parts: list[bytes] = []
    expected: list[tuple[int, int]] = []  # (offset in the mutated stream, frame index)
    damaged: list[tuple[int, int, str]] = []  # (offset, frame index, mutation)
    pos = 0
    for k, frame in enumerate(frames):
        if draws[k, 0] < damage:
            bad = _mutate(frame, MUTATIONS[kinds[k]], rng)
            damaged.append((pos, k, MUTATIONS[kinds[k]]))
            parts.append(bad)
            pos += len(bad)
            continue
        copies = 2 if draws[k, 1] < damage else 1
        for _ in range(copies):
            expected.append((pos, k))
            parts.append(frame)
            pos += len(frame)
    stream = b"".join(parts)
    messages = _feed(family, stream, np_rng)
    by_offset = {m.offset: m for m in messages}
    result.mutated_bytes = len(stream)
    result.intact = len(expected)
    result.damaged = len(damaged)
    for offset, k in expected:
        got = by_offset.get(offset)
        if got is not None and (got.type, got.fields) == clean[k]:
            result.recovered += 1
        else:
            result.lost.append(offset)
    for offset, k, kind in damaged:
        got = by_offset.get(offset)
        if got is not None and (got.type, got.fields) != clean[k]:
            result.damaged_accepted += 1
            result.accepted_kinds[kind] = result.accepted_kinds.get(kind, 0) + 1
    result.stream = stream
    result.mutated_bad_checksum = _bad_checksums(family, stream, messages)
    result.seconds = time.perf_counter() - t0
    return result


# --------------------------------------------------------------------- raw-FMCW captures


@dataclass
class CaptureResult:
    """What fuzzing the capture reader found."""

    random_files: int = 0
    random_refused: int = 0
    mutated_files: int = 0
    mutated_refused: int = 0
    mutated_read_intact: int = 0
    """Mutated files read back with exactly the original frames (a mutation in zip metadata the
    reader does not need)."""
    altered_frames_returned: int = 0
    other_exceptions: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, int | float]:
        """Figures for the JSON line."""
        return {
            "random_files": self.random_files,
            "random_refused": self.random_refused,
            "mutated_files": self.mutated_files,
            "mutated_refused": self.mutated_refused,
            "mutated_read_intact": self.mutated_read_intact,
            "altered_frames_returned": self.altered_frames_returned,
            "other_exceptions": len(self.other_exceptions),
            "seconds": round(self.seconds, 2),
        }


def _small_capture() -> bytes:
    """A valid 0.5-s capture of the simulator (uint16 ADC codes) as ``.npz`` bytes."""
    from custom_components.radar_sleep.radar.fmcw.capture import save_capture  # noqa: PLC0415
    from custom_components.radar_sleep.radar.fmcw.simulate import (  # noqa: PLC0415
        FmcwScene,
        simulate,
    )

    cap = simulate(FmcwScene(seed=0), 0.5, output="adc")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "capture.npz"
        save_capture(path, cap.frames, cap.t, cap.config)
        return path.read_bytes()


def _read_all(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """Every way of reading a capture; ``None`` when each refused it with ``CaptureError``."""
    from custom_components.radar_sleep.radar.fmcw.capture import (  # noqa: PLC0415
        CaptureError,
        iter_capture,
        load_capture,
        load_capture_config,
    )

    try:
        load_capture_config(path)
        whole = load_capture(path)
        batches = list(iter_capture(path, 3))
    except CaptureError:
        return None
    streamed = np.concatenate([b[1] for b in batches]) if batches else whole.frames[:0]
    if not np.array_equal(streamed, whole.frames):
        raise AssertionError("streamed frames differ from the loaded ones")
    return whole.frames, whole.t


def fuzz_capture(n_files: int = DEFAULT_FILES, *, seed: int = 0) -> CaptureResult:
    """Random files and mutated copies of a valid capture through every capture reader."""
    t0 = time.perf_counter()
    result = CaptureResult()
    rng = random.Random(f"{seed}:fmcw")
    original = _small_capture()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "capture.npz"
        path.write_bytes(original)
        reference = _read_all(path)
        assert reference is not None
        frames, times = reference
        for k in range(2 * n_files):
            if k < n_files:
                size = rng.choice((0, 1, 22, 100, 1000, len(original)))
                data = rng.randbytes(size)
                if k % 4 == 0:  # a zip signature, so that the zip reader goes further
                    data = b"PK\x03\x04" + data
            else:
                data = _mutate(original, MUTATIONS[k % len(MUTATIONS)], rng)
            path.write_bytes(data)
            try:
                got = _read_all(path)
            except Exception as err:  # counted and reported
                result.other_exceptions.append(f"{type(err).__name__}: {err}")
                continue
            if k < n_files:
                result.random_files += 1
                result.random_refused += got is None
                continue
            result.mutated_files += 1
            if got is None:
                result.mutated_refused += 1
            elif np.array_equal(got[0], frames) and np.array_equal(got[1], times):
                result.mutated_read_intact += 1
            else:
                result.altered_frames_returned += 1
        result.random_files = n_files
        result.mutated_files = n_files
    result.seconds = time.perf_counter() - t0
    return result


# --------------------------------------------------------------------- command


def run(
    n_bytes: int = DEFAULT_BYTES,
    *,
    n_files: int = DEFAULT_FILES,
    damage: float = DEFAULT_DAMAGE,
    seed: int = 0,
) -> dict[str, int | float | bool | None]:
    """Figures keyed ``<family>.<figure>`` and ``fmcw_capture.<figure>``."""
    figures: dict[str, int | float | bool | None] = {}
    for family in SERIAL_FAMILIES:
        result = fuzz_family(family, n_bytes, damage=damage, seed=seed)
        figures |= {f"{family}.{k}": v for k, v in result.to_json().items()}
        print(
            f"{family:>10}: random {result.random_bytes} B, {result.random_accepted} accepted; "
            f"mutated {result.mutated_bytes} B, {result.frames} frames, {result.damaged} "
            f"damaged ({result.damaged_accepted} accepted: {result.accepted_kinds}), "
            f"{result.recovered}/{result.intact} "
            f"intact recovered; accepted with a bad checksum: "
            f"{result.random_bad_checksum + result.mutated_bad_checksum}"
            + ("" if family in CHECKSUMS else " (no checksum in this protocol)")
            + f"; {result.seconds:.1f} s"
        )
    capture = fuzz_capture(n_files, seed=seed)
    figures |= {f"fmcw_capture.{k}": v for k, v in capture.to_json().items()}
    print(
        f"fmcw capture: {capture.random_refused}/{capture.random_files} random files refused, "
        f"{capture.mutated_refused}/{capture.mutated_files} mutated refused, "
        f"{capture.mutated_read_intact} read intact, {capture.altered_frames_returned} altered "
        f"frames returned, {len(capture.other_exceptions)} other exceptions; "
        f"{capture.seconds:.1f} s"
    )
    for line in capture.other_exceptions[:10]:
        print("  ", line)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bytes", type=int, default=DEFAULT_BYTES, help="bytes per stream")
    parser.add_argument("--files", type=int, default=DEFAULT_FILES, help="capture files per kind")
    parser.add_argument("--damage", type=float, default=DEFAULT_DAMAGE)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(json.dumps(run(args.bytes, n_files=args.files, damage=args.damage, seed=args.seed)))


if __name__ == "__main__":
    main()
