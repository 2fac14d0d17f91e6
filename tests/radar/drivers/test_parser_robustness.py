"""Robustness of every serial family's stream parser, one property at a time.

Each property runs for every family (``mr60bha2``, ``ti-vitals``, ``ld2410``, ``mr24bsd1``)
with that family's valid frames (:mod:`.strategies`), its own garbage (headers sprinkled in
noise, with plausible lengths or header checksums) and its own bounds: random bytes never
raise and keep the buffer bounded; a stream split at any offset decodes as a whole; valid
frames decode completely; bit flips, inserted junk, deleted spans and truncations lose only
the frames they touch; a failed checksum loses only its frame. Hypothesis settings (example
counts) are per family and property.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import random
import struct
from types import ModuleType

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.radar_sleep.radar.drivers import ld2410, mr24bsd1, mr60bha2, ti_vitals
from custom_components.radar_sleep.radar.protocol import DecodedMessage, StreamParser

from .strategies import ld2410_frames, mr24bsd1_frames, mr60bha2_frames, ti_vitals_frames

DERANDOMIZED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RANDOMIZED = settings(database=None, deadline=None)
NOISE = settings(
    database=None, max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

TI_MAGIC = bytes((0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07))
LD_HEADERS = (bytes.fromhex("F4F3F2F1"), bytes.fromhex("FDFCFBFA"))


def _sprinkle_mr60bha2(noise: bytearray, rng: random.Random) -> None:
    """Many SOF bytes, a third of them with a valid header checksum."""
    for pos in range(0, len(noise) - 8, 97):
        noise[pos] = mr60bha2.SOF
        if pos % 3 == 0:
            noise[pos + 7] = mr60bha2.checksum(bytes(noise[pos : pos + 7]))


def _sprinkle_mr24bsd1(noise: bytearray, rng: random.Random) -> None:
    """Many headers, half of them with a plausible LEN."""
    for pos in range(0, len(noise) - 3, 89):
        noise[pos] = 0x55
        if pos % 2 == 0:
            noise[pos + 1] = rng.randint(mr24bsd1.MIN_LEN, mr24bsd1.MAX_LEN)
            noise[pos + 2] = 0


def _sprinkle_ti_vitals(noise: bytearray, rng: random.Random) -> None:
    """Magic words, half of them with plausible lengths, so that the header paths are hit."""
    for _ in range(300):
        pos = rng.randrange(len(noise) - 48)
        noise[pos : pos + 8] = TI_MAGIC
        if rng.random() < 0.5:
            struct.pack_into("<I", noise, pos + 12, rng.randrange(40, ti_vitals.MAX_PACKET_BYTES))
            struct.pack_into("<I", noise, pos + 32, rng.randrange(4))


def _sprinkle_ld2410(noise: bytearray, rng: random.Random) -> None:
    """Report and command headers with plausible lengths."""
    for _ in range(2000):
        pos = rng.randrange(len(noise) - 8)
        noise[pos : pos + 4] = LD_HEADERS[rng.random() < 0.5]
        noise[pos + 4 : pos + 6] = struct.pack("<H", rng.randrange(80))


@dataclass(frozen=True)
class Family:
    """What the properties need to know about one family."""

    name: str
    driver: ModuleType
    frames: st.SearchStrategy[bytes]
    sprinkle: Callable[[bytearray, random.Random], None]
    buffer_bound: int
    """``StreamParser.buffered`` stays below this, whatever the input."""
    longest_frame: int
    """Zero bytes that complete any frame a (corrupted) length field waits for."""
    settle: bytes = b""
    """Bytes after a last frame that let the parser decide where it ends (TI: a frame whose
    last byte could begin a magic word waits for the next 7 bytes; MR60BHA2: a frame with a
    0x01 among its last 4 bytes waits for the next header's first bytes)."""
    checksum_from: int | None = None
    """First byte of a frame that a checksum covers after the header (``None``: no checksum)."""
    max_chunk: int = 64
    round_trip: settings = DERANDOMIZED
    mutations: settings = DERANDOMIZED
    split: settings = DERANDOMIZED

    def __str__(self) -> str:
        return self.name


FAMILIES = [
    Family(
        "mr60bha2",
        mr60bha2,
        mr60bha2_frames(),
        _sprinkle_mr60bha2,
        buffer_bound=2 * mr60bha2.MAX_FRAME_LEN,
        longest_frame=mr60bha2.MAX_FRAME_LEN,
        settle=bytes(8),
        checksum_from=mr60bha2.HEADER_LEN,
        max_chunk=64,
        split=settings(DERANDOMIZED, max_examples=40),
    ),
    Family(
        "ti-vitals",
        ti_vitals,
        ti_vitals_frames(),
        _sprinkle_ti_vitals,
        buffer_bound=ti_vitals.MAX_PACKET_BYTES + len(TI_MAGIC),
        longest_frame=ti_vitals.MAX_PACKET_BYTES + 8,
        settle=bytes(8),
        max_chunk=4096,
        round_trip=settings(RANDOMIZED, max_examples=60),
        mutations=settings(RANDOMIZED, max_examples=150),
        split=settings(RANDOMIZED, max_examples=40),
    ),
    Family(
        "ld2410",
        ld2410,
        ld2410_frames(),
        _sprinkle_ld2410,
        buffer_bound=6 + ld2410.MAX_DATA_BYTES + 4,
        longest_frame=ld2410.MAX_DATA_BYTES + 10,
        max_chunk=256,
        round_trip=settings(RANDOMIZED, max_examples=100),
        mutations=settings(RANDOMIZED, max_examples=300),
        split=settings(RANDOMIZED, max_examples=60),
    ),
    Family(
        "mr24bsd1",
        mr24bsd1,
        mr24bsd1_frames(),
        _sprinkle_mr24bsd1,
        buffer_bound=mr24bsd1.MAX_FRAME_LEN,
        longest_frame=mr24bsd1.MAX_FRAME_LEN,
        checksum_from=3,
        max_chunk=32,
        split=settings(DERANDOMIZED, max_examples=40),
    ),
]
CHECKSUMMED = [family for family in FAMILIES if family.checksum_from is not None]


def _parser(family: Family) -> StreamParser:
    return StreamParser(family.driver.FAMILY, family.driver.parse)


def _clean(family: Family, frame: bytes) -> DecodedMessage:
    """The one message a valid frame decodes to on its own."""
    (message,) = family.driver.parse(frame + family.settle).messages
    return message


def _feed(
    family: Family, data: bytes, sizes: list[int], flush: bytes = b""
) -> tuple[list[DecodedMessage], StreamParser]:
    """Feed ``data`` in chunks of the given sizes (cycled), then ``flush``; check the bound."""
    parser = _parser(family)
    out: list[DecodedMessage] = []
    i = k = 0
    while i < len(data):
        size = sizes[k % len(sizes)]
        out += parser.feed(data[i : i + size])
        assert parser.buffered < family.buffer_bound <= parser.max_buffer
        i += size
        k += 1
    out += parser.feed(flush)
    assert parser.buffered < family.buffer_bound
    return out, parser


@pytest.mark.parametrize("family", FAMILIES, ids=str)
def test_valid_frames_decode_completely(family: Family) -> None:
    @family.round_trip
    @given(st.lists(family.frames, min_size=1, max_size=12))
    def check(stream: list[bytes]) -> None:
        result = family.driver.parse(b"".join(stream) + family.settle)
        assert result.consumed == sum(map(len, stream)) + len(family.settle)
        assert len(result.messages) == len(stream)
        assert (result.bad_checksums, result.skipped_bytes) == (0, len(family.settle))
        assert all(
            msg.type != "unknown" and "malformed" not in msg.fields for msg in result.messages
        )

    check()


@pytest.mark.parametrize("family", FAMILIES, ids=str)
def test_random_megabyte_never_raises_and_stays_bounded(family: Family) -> None:
    @NOISE
    @given(st.integers(0, 2**32 - 1), st.lists(st.integers(1, 70_000), min_size=1, max_size=40))
    def check(seed: int, sizes: list[int]) -> None:
        rng = random.Random(seed)
        noise = bytearray(rng.randbytes(1_000_000))
        family.sprinkle(noise, rng)
        messages, parser = _feed(family, bytes(noise), sizes)
        assert parser.stats.bytes_in == len(noise)
        assert parser.stats.frames == len(messages)
        assert family.driver.parse(bytes(noise)).consumed <= len(noise)

    check()


@pytest.mark.parametrize("family", FAMILIES, ids=str)
def test_split_at_every_offset_gives_the_same_result(family: Family) -> None:
    @family.split
    @given(st.lists(family.frames, min_size=1, max_size=6), st.data())
    def check(frames: list[bytes], data: st.DataObject) -> None:
        junk = data.draw(st.binary(max_size=20), label="junk")
        victim = bytearray(data.draw(st.sampled_from(frames), label="victim"))
        bit = data.draw(st.integers(0, len(victim) * 8 - 1), label="bit")
        victim[bit // 8] ^= 1 << (bit % 8)
        tail = data.draw(st.sampled_from(frames), label="tail")
        tail = tail[: data.draw(st.integers(1, len(tail) - 1), label="cut")]
        # Intact frames, a damaged one, and an incomplete one left waiting at the end.
        stream = junk + b"".join(frames) + family.settle + bytes(victim) + tail
        whole = _parser(family)
        expected = whole.feed(stream)
        # Every intact frame comes out, in order.
        it = iter([(msg.type, msg.fields) for msg in expected])
        clean = [_clean(family, frame) for frame in frames]
        assert all(any(got == (c.type, c.fields) for got in it) for c in clean)
        for cut in range(len(stream) + 1):
            parser = _parser(family)
            assert parser.feed(stream[:cut]) + parser.feed(stream[cut:]) == expected, cut
            assert parser.stats == whole.stats, cut
            assert parser.buffered == whole.buffered, cut

    check()


@dataclass
class Mutation:
    kind: str
    where: float
    junk: bytes
    bit: int


MUTATIONS = st.builds(
    Mutation,
    st.sampled_from(["flip", "insert", "delete", "truncate"]),
    st.floats(0.0, 1.0),
    st.binary(min_size=1, max_size=40),
    st.integers(0, 7),
)


@pytest.mark.parametrize("family", FAMILIES, ids=str)
def test_mutations_lose_only_the_frames_they_touch(family: Family) -> None:
    """Bit flips, inserted junk, deleted spans, a truncated end: every intact frame survives.

    An intact frame comes out at its offset with its fields; without inserted junk (which may
    itself hold something frame-like) no more messages come out than frames went in.
    """

    @family.mutations
    @given(
        st.lists(family.frames, min_size=1, max_size=10),
        st.lists(MUTATIONS, min_size=1, max_size=6),
        st.integers(1, family.max_chunk),
    )
    def check(stream: list[bytes], muts: list[Mutation], chunk: int) -> None:
        data = bytearray(b"".join(stream))
        owner: list[int] = [k for k, frame in enumerate(stream) for _ in frame]
        damaged: set[int] = set()
        for mut in muts:
            if not data:
                break
            pos = min(int(mut.where * len(data)), len(data) - 1)
            if mut.kind == "flip":
                data[pos] ^= 1 << mut.bit
                if owner[pos] >= 0:
                    damaged.add(owner[pos])
            elif mut.kind == "insert":
                if pos > 0 and owner[pos - 1] == owner[pos] >= 0:
                    damaged.add(owner[pos])
                data[pos:pos] = mut.junk
                owner[pos:pos] = [-1] * len(mut.junk)
            elif mut.kind == "delete":
                end = pos + len(mut.junk)
                damaged.update(k for k in owner[pos:end] if k >= 0)
                del data[pos:end]
                del owner[pos:end]
            else:
                damaged.update(k for k in owner[pos:] if k >= 0)
                del data[pos:]
                del owner[pos:]
        flush = family.settle + bytes(family.longest_frame)
        decoded, _ = _feed(family, bytes(data), [chunk], flush)
        by_offset = {msg.offset: msg for msg in decoded}
        for k, frame in enumerate(stream):
            if k in damaged:
                continue
            start = owner.index(k)
            clean = _clean(family, frame)
            assert start in by_offset, f"intact frame {k} lost"
            assert (by_offset[start].type, by_offset[start].fields) == (clean.type, clean.fields)
        if not any(mut.kind == "insert" for mut in muts):
            assert len(decoded) <= len(stream)

    check()


@pytest.mark.parametrize("family", CHECKSUMMED, ids=str)
def test_checksum_error_loses_only_that_frame(family: Family) -> None:
    assert family.checksum_from is not None
    first = family.checksum_from

    @DERANDOMIZED
    @given(st.lists(family.frames, min_size=2, max_size=10), st.data())
    def check(stream: list[bytes], data: st.DataObject) -> None:
        k = data.draw(st.integers(0, len(stream) - 1))
        victim = bytearray(stream[k])
        pos = data.draw(st.integers(first, len(victim) - 1))  # covered by the checksum
        victim[pos] ^= 1 << data.draw(st.integers(0, 7))
        corrupted = [*stream[:k], bytes(victim), *stream[k + 1 :]]
        result = family.driver.parse(b"".join(corrupted) + bytes(family.longest_frame))
        assert result.bad_checksums >= 1
        by_offset = {msg.offset: msg for msg in result.messages}
        for j, frame in enumerate(stream):
            if j == k:
                continue
            clean = _clean(family, frame)
            assert by_offset[sum(map(len, corrupted[:j]))].fields == clean.fields

    check()
