"""Command line for users debugging radar hardware (no Home Assistant needed).

    python -m custom_components.radar_sleep.radar record --family F --port URL --seconds N OUT
    python -m custom_components.radar_sleep.radar decode --family F FILE

``record`` captures a UART device's raw byte stream to a file (``--port`` is a serial device
such as ``/dev/serial/by-id/...`` or ``socket://host:port``). ``decode`` prints one JSON object
per decoded message (family, type, byte offset, fields in SI units) and a final JSON line with
the counts (frames, bad checksums, skipped bytes). For ``fmcw`` the file is a raw-frame capture
(``.npz``, see ``radar/fmcw/capture.py``, or a recording folder of Infineon's Radar SDK,
ifxdaq or Radar Fusion GUI, see ``radar/fmcw/infineon.py``) and ``decode`` prints one JSON
object per processed frame.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import asdict
import json
from pathlib import Path
import sys
from typing import Any, TextIO
import zipfile

from .families import FAMILY_MODULES, SERIAL_FAMILIES, get_family
from .protocol import StreamParser

CHUNK = 4096


def decode_bytes(family: str, data: bytes, out: TextIO, chunk: int = CHUNK) -> dict[str, int]:
    """Decode a captured byte stream, printing JSON lines; return the counts."""
    driver = get_family(family)
    if driver.parse is None:
        raise ValueError(f"{family} captures are not byte streams")
    parser = StreamParser(family, driver.parse)
    for start in range(0, len(data), chunk):
        for message in parser.feed(data[start : start + chunk]):
            out.write(json.dumps(message.to_json()) + "\n")
    counts = parser.stats.to_json()
    counts["incomplete_bytes"] = parser.buffered
    return counts


def decode_fmcw(path: Path, out: TextIO) -> dict[str, int]:
    """Process a raw-frame capture and print each frame's targets."""
    from .fmcw.capture import decode_capture  # noqa: PLC0415 - numpy/scipy DSP, fmcw only

    frames = decode_capture(path)
    for frame in frames:
        record: dict[str, Any] = {"family": "fmcw", "type": "frame", "t": frame.t}
        record["targets"] = [asdict(t) for t in frame.targets]
        out.write(json.dumps(record) + "\n")
    return {"frames": len(frames), "bad_checksums": 0, "skipped_bytes": 0}


async def record(family: str, url: str, seconds: float, path: Path) -> int:
    """Copy the device's byte stream to ``path`` for ``seconds``; return the bytes written."""
    import serialx  # noqa: PLC0415 - only needed when a port is opened

    baud = get_family(family).baud_rate or 115_200
    try:
        reader, writer = await serialx.open_serial_connection(url=url, baudrate=baud)
    except (ValueError, serialx.SerialException) as err:  # bad URL, unknown scheme
        raise OSError(str(err)) from err
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    written = 0
    try:
        with path.open("wb") as fh:
            while (remaining := deadline - loop.time()) > 0:
                try:
                    chunk = await asyncio.wait_for(reader.read(CHUNK), remaining)
                except TimeoutError:
                    break
                if not chunk:
                    break
                fh.write(chunk)
                written += len(chunk)
    finally:
        writer.close()
    return written


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m custom_components.radar_sleep.radar",
        description="Record and decode Radar Sleep device streams.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="capture a UART device's byte stream to a file")
    rec.add_argument("--family", required=True, choices=SERIAL_FAMILIES)
    rec.add_argument(
        "--port", required=True, help="/dev/ttyUSB0, /dev/serial/by-id/..., socket://host:port"
    )
    rec.add_argument("--seconds", type=float, default=30.0)
    rec.add_argument("out", type=Path)
    dec = sub.add_parser("decode", help="decode a capture to JSON lines")
    dec.add_argument("--family", required=True, choices=sorted(FAMILY_MODULES))
    dec.add_argument(
        "file", type=Path, help="capture file (fmcw: also an Infineon recording folder)"
    )
    args = parser.parse_args(argv)

    if args.command == "record":
        try:
            n = asyncio.run(record(args.family, args.port, args.seconds, args.out))
        except OSError as err:
            print(f"cannot open {args.port}: {err}", file=sys.stderr)
            return 2
        print(json.dumps({"bytes": n, "file": str(args.out)}), file=out)
        return 0
    try:
        if args.family == "fmcw":
            counts = decode_fmcw(args.file, out)
        else:
            counts = decode_bytes(args.family, args.file.read_bytes(), out)
    except (OSError, ValueError, zipfile.BadZipFile) as err:  # missing or not a capture
        print(f"cannot read {args.file}: {err}", file=sys.stderr)
        return 2
    out.write(json.dumps({"summary": counts}) + "\n")
    return 0
