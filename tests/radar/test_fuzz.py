"""Fuzzing every parser family (:mod:`bench.fuzz`), at a size CI can afford.

The full-size run (10^6 random and 10^6 mutated bytes per family, 200 capture files) is
``python -m bench.fuzz``; these run the same code on 200 kB per family and 24 files, seeded.
"""

from __future__ import annotations

import pytest

from bench.fuzz import CHECKSUMS, fuzz_capture, fuzz_family
from custom_components.radar_sleep.radar.families import SERIAL_FAMILIES

CI_BYTES = 200_000


@pytest.mark.parametrize("family", SERIAL_FAMILIES)
@pytest.mark.parametrize("seed", [0, 1])
def test_family_survives_random_and_mutated_streams(family: str, seed: int) -> None:
    result = fuzz_family(family, CI_BYTES, seed=seed)
    assert result.random_bytes == CI_BYTES
    assert result.mutated_bytes > CI_BYTES * 0.9
    # Damage of every kind was done, and frames were left intact around it.
    assert result.damaged >= 5
    assert result.intact > 10 * result.damaged
    # Every intact frame comes out at its offset with its own fields.
    assert result.lost == []
    assert result.recovered == result.intact
    # Nothing accepted fails the reference checksum (families that have one).
    assert result.random_bad_checksum == 0
    assert result.mutated_bad_checksum == 0
    if family in CHECKSUMS:
        # Random bytes do not form frames that pass two checksums (or a CRC-16).
        assert result.random_accepted == 0


def test_capture_reader_refuses_damaged_files_and_only_with_capture_error() -> None:
    result = fuzz_capture(24, seed=0)
    assert result.other_exceptions == []
    assert result.altered_frames_returned == 0
    assert result.random_refused == result.random_files == 24
    assert result.mutated_refused + result.mutated_read_intact == result.mutated_files == 24
