"""Throughput of the serial-family byte parsers (radar/drivers/<family>.py ``parse``), assemblers.

For each serial family a realistic valid byte stream of ``--megabytes`` MB (10^6 bytes) is
built with the driver's own ``encode_*`` functions and the device's message mix and rates:

- ``mr60bha2``: a phase frame every 50 ms (20 Hz); breath rate, heart rate, distance and target
  info (one or two people) every 0.5 s; presence every second;
- ``ti-vitals``: one frame per 90 ms (the demo's 11.1 Hz) with a point cloud (TLV 1020, not
  decoded, 10-60 points), one or two tracks, the target index, heights and vital signs;
- ``ld2410``: a few basic reports, the enable-engineering command/ACK exchange, then
  engineering reports every 100 ms (10 Hz);
- ``mr24bsd1``: environment every second, breath rate, breathing status and heart rate every
  3 s, body movement every 5 s, bed status every 10 s, heartbeat every 30 s, sleep state every
  60 s, sleep durations every 5 min, sleep quality every 10 min.

Each stream, a stream of the same length of random bytes, and a "mutated" stream (the valid one
with one random bit flipped per 1024 bytes on average) are fed to
``StreamParser(family, parse).feed`` in 4096-byte chunks. Figures: MB/s for each stream, and
decoded frames per second for the valid one; ``assembler_us_per_message`` is the time of
``get_family(name).assembler().push(message, t)`` per decoded message of the valid stream (the
messages are decoded beforehand). Each figure is the median of ``--repeats`` runs (wall clock,
``time.perf_counter``). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
import gc
import json
import math
import random
import statistics
import time

import numpy as np

from custom_components.radar_sleep.radar.drivers import (
    ld2410,
    mr24bsd1,
    mr60bha2,
    ti_vitals,
)
from custom_components.radar_sleep.radar.families import (
    SERIAL_FAMILIES,
    get_family,
)
from custom_components.radar_sleep.radar.protocol import (
    DecodedMessage,
    StreamParser,
)

CHUNK_BYTES = 4096
DEFAULT_MEGABYTES = 2.0
DEFAULT_REPEATS = 5
BIT_FLIP_EVERY_BYTES = 1024

type Events = Iterator[tuple[float, bytes]]
"""(source time in s, one encoded message), in time order."""


def _breath(t: float, rate_bpm: float = 14.0) -> float:
    return math.sin(2 * math.pi * rate_bpm / 60.0 * t)


def mr60bha2_events(rng: random.Random) -> Events:
    """MR60BHA2: phase frames at 20 Hz, rates/distance/targets at 2 Hz, presence at 1 Hz."""
    fid = 0
    k = 0
    while True:
        t = k * 0.05
        out: list[bytes] = []
        if k % 10 == 0:
            d = 0.7 + 0.02 * rng.random()
            user = mr60bha2.RadarTarget(0.15 + 0.01 * rng.random(), d, rng.randint(-1, 1), 1)
            targets = [user]
            if rng.random() < 0.5:
                targets.append(mr60bha2.RadarTarget(-0.6, 1.4 + 0.05 * rng.random(), 0, 2))
            out += [
                mr60bha2.encode_breath_rate(14.0 + rng.random(), frame_id=fid),
                mr60bha2.encode_heart_rate(60.0 + 5.0 * rng.random(), frame_id=fid + 1),
                mr60bha2.encode_distance(d, frame_id=fid + 2),
                mr60bha2.encode_target_info(targets, frame_id=fid + 3),
            ]
        if k % 20 == 0:
            out.append(mr60bha2.encode_presence(True, frame_id=fid + 4))
        breath = 2.0 * _breath(t) + 0.05 * rng.gauss(0.0, 1.0)
        heart = 0.1 * math.sin(2 * math.pi * 1.1 * t)
        out.append(mr60bha2.encode_phase(breath + heart, breath, heart, frame_id=fid + 5))
        for frame in out:
            yield t, frame
        fid = (fid + 6) & 0xFFFF
        k += 1


def ti_vitals_events(rng: random.Random) -> Events:
    """TI vital-signs demo: one frame per 90 ms with point cloud, tracks and vital signs."""
    frame_number = 0
    while True:
        t = frame_number * 0.09
        n_points = rng.randint(10, 60)
        # Compressed point cloud (TLV 1020): a 20-byte unit header, 8 bytes per point.
        cloud = ti_vitals.encode_tlv(1020, rng.randbytes(20 + 8 * n_points))
        tracks = [
            ti_vitals.TiTrack(0, 0.2 + 0.01 * rng.random(), 0.9, 0.8, vx=0.01 * rng.gauss(0.0, 1.0))
        ]
        if rng.random() < 0.5:
            tracks.append(ti_vitals.TiTrack(1, -0.5, 1.5, 0.7, confidence=0.8))
        breath_buffer = tuple(14.0 + 0.1 * i for i in range(ti_vitals.VITALS_BUFFER_LEN))
        heart_buffer = tuple(62.0 + 0.1 * i for i in range(ti_vitals.VITALS_BUFFER_LEN))
        vitals = ti_vitals.TiVitals(
            0, 12, 0.03, 62.0, 14.0 + rng.random(), heart_buffer, breath_buffer
        )
        tlvs = [
            cloud,
            ti_vitals.encode_tracks(tracks),
            ti_vitals.encode_target_index([rng.choice((0, 1, 255)) for _ in range(n_points)]),
            ti_vitals.encode_target_heights(
                [ti_vitals.TiHeight(tr.tid, 1.1, 0.4) for tr in tracks]
            ),
            ti_vitals.encode_vitals(vitals),
        ]
        yield (
            t,
            ti_vitals.encode_frame(
                frame_number, tlvs, time_cpu_cycles=frame_number * 7, num_detected_obj=n_points
            ),
        )
        frame_number += 1


def ld2410_events(rng: random.Random) -> Events:
    """LD2410: basic reports, the enable-engineering exchange, engineering reports at 10 Hz."""
    k = 0
    for _ in range(5):
        yield k * 0.1, ld2410.encode_basic_report(3, moving_distance_cm=80, still_distance_cm=75)
        k += 1
    acks = (
        ld2410.encode_ack(ld2410.CMD_ENABLE_CONFIG, value=b"\x01\x00\x40\x00"),
        ld2410.encode_ack(ld2410.CMD_ENABLE_ENGINEERING),
        ld2410.encode_ack(ld2410.CMD_DISABLE_CONFIG),
    )
    for command, ack in zip(ld2410.ENABLE_ENGINEERING_SEQUENCE, acks, strict=True):
        yield k * 0.1, command
        yield k * 0.1, ack
    while True:
        moving = [rng.randint(0, 40) for _ in range(ld2410.MAX_GATE + 1)]
        still = [rng.randint(0, 100) for _ in range(ld2410.MAX_GATE + 1)]
        yield (
            k * 0.1,
            ld2410.encode_engineering_report(
                rng.choice((2, 2, 2, 3)),
                moving_distance_cm=rng.randint(60, 90),
                moving_energy=moving[1],
                still_distance_cm=rng.randint(70, 80),
                still_energy=still[1],
                detection_distance_cm=150,
                moving_gate_energy=moving,
                still_gate_energy=still,
                extra=(rng.randint(0, 255), 1),
            ),
        )
        k += 1


def mr24bsd1_events(rng: random.Random) -> Events:
    """MR24BSD1 at 9600 baud: a few small reports per second."""
    second = 0
    stages = ("awake", "light", "deep")
    while True:
        t = float(second)
        out = [mr24bsd1.encode_environment(rng.choice(("stationary", "stationary", "moving")))]
        if second % 3 == 0:
            out += [
                mr24bsd1.encode_breath_rate(rng.randint(12, 16)),
                mr24bsd1.encode_breathing_status("normal"),
                mr24bsd1.encode_heart_rate(rng.randint(55, 70)),
            ]
        if second % 5 == 0:
            out.append(mr24bsd1.encode_body_movement(rng.uniform(0.0, 10.0)))
        if second % 10 == 0:
            out.append(mr24bsd1.encode_bed_status(True))
        if second % 30 == 0:
            out.append(mr24bsd1.encode_heartbeat("stationary"))
        if second % 60 == 0:
            out.append(mr24bsd1.encode_sleep_state(rng.choice(stages)))
        if second % 300 == 0:
            out += [mr24bsd1.encode_sleep_duration(s, second // 60) for s in stages]
        if second % 600 == 0:
            out.append(mr24bsd1.encode_sleep_quality(rng.randint(60, 90)))
        for frame in out:
            yield t, frame
        second += 1


EVENTS: dict[str, Callable[[random.Random], Events]] = {
    "mr60bha2": mr60bha2_events,
    "ti-vitals": ti_vitals_events,
    "ld2410": ld2410_events,
    "mr24bsd1": mr24bsd1_events,
}


def valid_stream(family: str, n_bytes: int, seed: int = 0) -> tuple[bytes, list[float]]:
    """At least ``n_bytes`` of whole messages, and the source time of each message."""
    parts: list[bytes] = []
    times: list[float] = []
    size = 0
    for t, frame in EVENTS[family](random.Random(seed)):
        if size >= n_bytes:
            break
        parts.append(frame)
        times.append(t)
        size += len(frame)
    return b"".join(parts), times


def random_stream(n_bytes: int, seed: int = 1) -> bytes:
    """``n_bytes`` uniformly random bytes."""
    return np.random.default_rng(seed).bytes(n_bytes)


def mutated_stream(valid: bytes, seed: int = 2) -> bytes:
    """``valid`` with one random bit flipped per :data:`BIT_FLIP_EVERY_BYTES` on average."""
    rng = np.random.default_rng(seed)
    data = np.frombuffer(valid, dtype=np.uint8).copy()
    n = max(1, len(valid) // BIT_FLIP_EVERY_BYTES)
    positions = rng.integers(0, len(valid), n)
    np.bitwise_xor.at(data, positions, (1 << rng.integers(0, 8, n)).astype(np.uint8))
    return data.tobytes()


def _chunks(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)]


def time_parse(family: str, chunks: list[bytes]) -> tuple[float, int]:
    """Seconds to feed every chunk to a fresh :class:`StreamParser`, and the frames decoded."""
    parse = get_family(family).parse
    assert parse is not None
    parser = StreamParser(family, parse)
    feed = parser.feed
    start = time.perf_counter()
    for chunk in chunks:
        feed(chunk)
    return time.perf_counter() - start, parser.stats.frames


def time_assembler(family: str, messages: list[DecodedMessage], times: list[float]) -> float:
    """Seconds to push every message through a fresh assembler."""
    factory = get_family(family).assembler
    assert factory is not None
    push = factory().push
    gc.freeze()  # the decoded messages are long-lived: keep collections from scanning them
    try:
        start = time.perf_counter()
        for message, t in zip(messages, times, strict=True):
            push(message, t)
        return time.perf_counter() - start
    finally:
        gc.unfreeze()


def run(repeats: int = DEFAULT_REPEATS, megabytes: float = DEFAULT_MEGABYTES) -> dict[str, float]:
    """Figures keyed ``<family>.<figure>``, each the median of ``repeats`` runs."""
    n_bytes = int(megabytes * 1e6)
    figures: dict[str, float] = {}
    for family in SERIAL_FAMILIES:
        gc.collect()
        valid, times = valid_stream(family, n_bytes)
        streams = {
            "valid": valid,
            "random": random_stream(len(valid)),
            "mutated": mutated_stream(valid),
        }
        mb = len(valid) / 1e6
        for kind, data in streams.items():
            chunks = _chunks(data)
            runs = [time_parse(family, chunks) for _ in range(repeats)]
            seconds = statistics.median(s for s, _ in runs)
            figures[f"{family}.{kind}_mb_per_s"] = round(mb / seconds, 3)
            if kind == "valid":
                frames = runs[0][1]
                if frames != len(times):
                    raise RuntimeError(f"{family}: {frames} frames decoded, {len(times)} sent")
                figures[f"{family}.valid_frames_per_s"] = round(frames / seconds)
        parse = get_family(family).parse
        assert parse is not None
        messages = StreamParser(family, parse).feed(valid)
        seconds = statistics.median(time_assembler(family, messages, times) for _ in range(repeats))
        figures[f"{family}.assembler_us_per_message"] = round(1e6 * seconds / len(messages), 3)
        figures[f"{family}.stream_mb"] = round(mb, 3)
    return figures


def print_table(figures: dict[str, float], repeats: int) -> None:
    """The figures of :func:`run` as a table, one row per family."""
    print(
        f"parse throughput (StreamParser.feed, {CHUNK_BYTES}-byte chunks, MB = 10^6 bytes, "
        f"median of {repeats}):"
    )
    columns = (
        ("valid MB/s", "valid_mb_per_s", ".2f"),
        ("random MB/s", "random_mb_per_s", ".2f"),
        ("mutated MB/s", "mutated_mb_per_s", ".2f"),
        ("valid frames/s", "valid_frames_per_s", ".0f"),
        ("assembler us/msg", "assembler_us_per_message", ".2f"),
        ("stream MB", "stream_mb", ".2f"),
    )
    print(f"{'family':>10} " + " ".join(f"{label:>16}" for label, _, _ in columns))
    for family in SERIAL_FAMILIES:
        cells = (f"{figures[f'{family}.{key}']:>16{fmt}}" for _, key, fmt in columns)
        print(f"{family:>10} " + " ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    parser.add_argument("--megabytes", type=float, default=DEFAULT_MEGABYTES)
    args = parser.parse_args()
    figures = run(args.repeats, args.megabytes)
    print_table(figures, args.repeats)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
