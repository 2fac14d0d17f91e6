"""The header-resync loop every serial driver shares (``protocol.HeaderSync``)."""

from __future__ import annotations

import pytest

from custom_components.radar_sleep.radar.protocol import (
    BAD,
    NEED_MORE,
    SKIP,
    DecodedMessage,
    DecodeStep,
    HeaderSync,
    StreamParser,
)

# A toy protocol: "AB" or "CD", one length byte, that many payload bytes, then "!" (else bad).
SYNC = HeaderSync(b"AB", b"CD")


def decode_at(buf: bytes, pos: int, base_offset: int) -> DecodeStep:
    if len(buf) - pos < 3:
        return NEED_MORE
    length = buf[pos + 2]
    if length > 5:
        return SKIP
    end = pos + 3 + length + 1
    if end > len(buf):
        return NEED_MORE
    if buf[end - 1] != ord("!"):
        return BAD
    payload = buf[pos + 3 : end - 1].decode()
    return DecodedMessage("toy", buf[pos : pos + 2].decode(), base_offset + pos, {"p": payload}), (
        end - pos
    )


def parse(buf: bytes, base_offset: int = 0) -> tuple[list[tuple[str, int, str]], int, int, int]:
    result = SYNC.parse(buf, base_offset, decode_at)
    messages = [(m.type, m.offset, str(m.fields["p"])) for m in result.messages]
    return messages, result.consumed, result.bad_checksums, result.skipped_bytes


def test_messages_garbage_and_counters() -> None:
    assert parse(b"AB\x02hi!") == ([("AB", 0, "hi")], 6, 0, 0)
    assert parse(b"xxAB\x00!CD\x01z!yy", 10) == ([("AB", 12, ""), ("CD", 16, "z")], 13, 0, 4)


def test_skip_and_bad_skip_one_byte_and_find_a_message_inside() -> None:
    # An absurd length: not a header after all (skipped, not counted as bad).
    assert parse(b"AB\x09AB\x00!") == ([("AB", 3, "")], 7, 0, 3)
    # A failed check counts once, skips one byte; the message hiding inside is found.
    assert parse(b"AB\x04CD\x00!?") == ([("CD", 3, "")], 8, 1, 4)


@pytest.mark.parametrize(
    ("buf", "consumed"),
    [
        (b"", 0),
        (b"xyz", 3),  # no header at all: everything is garbage
        (b"xyzA", 3),  # a partial header is kept
        (b"xyzC", 3),  # of either header
        (b"xyzB", 4),  # "B" begins no header
        (b"xAB\x03ab", 1),  # an incomplete message is kept
        (b"AB", 0),
    ],
)
def test_incomplete_tail_is_kept(buf: bytes, consumed: int) -> None:
    messages, got, bad, skipped = parse(buf)
    assert (messages, got, bad, skipped) == ([], consumed, 0, consumed)


def test_find_respects_the_end() -> None:
    assert SYNC.find(b"xxABxxCD", 0) == 2
    assert SYNC.find(b"xxABxxCD", 3) == 6
    assert SYNC.find(b"xxABxxCD", 3, 7) == -1  # "CD" is not wholly inside
    assert HeaderSync(b"\x55").find(b"\x00\x55", 0, 1) == -1
    assert SYNC.partial_tail(b"xxA", 0) == 2
    assert SYNC.partial_tail(b"xxA", 3) == 3


def test_needs_a_header() -> None:
    with pytest.raises(ValueError, match="header"):
        HeaderSync()
    with pytest.raises(ValueError, match="header"):
        HeaderSync(b"")


def test_split_reads_through_the_stream_parser() -> None:
    stream = b"qAB\x02hi!zzCD\x05hello!AB\x07CD\x00!"
    whole = StreamParser("toy", lambda buf, off: SYNC.parse(buf, off, decode_at))
    expected = whole.feed(stream)
    assert [m.offset for m in expected] == [1, 9, 21]
    for cut in range(len(stream) + 1):
        parser = StreamParser("toy", lambda buf, off: SYNC.parse(buf, off, decode_at))
        assert parser.feed(stream[:cut]) + parser.feed(stream[cut:]) == expected
        assert parser.stats == whole.stats
