"""The family registry, and the capabilities table the setup dialog and the docs show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from custom_components.radar_sleep.radar.families import (
    CAPABILITY_COLUMNS,
    FAMILY_MODULES,
    SERIAL_FAMILIES,
    capabilities_table,
    get_family,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(FAMILY_MODULES))
def test_every_family_has_a_driver_and_a_page(name: str) -> None:
    family = get_family(name)
    assert family.name == name
    assert (ROOT / "docs" / "hardware" / f"{name}.md").is_file()
    if name in SERIAL_FAMILIES:
        assert family.parse is not None
        assert family.assembler is not None
        assert family.baud_rate is not None


def test_docs_show_the_table_the_code_generates() -> None:
    assert capabilities_table() in (ROOT / "docs" / "hardware" / "README.md").read_text()


def test_table_says_which_devices_can_stage_sleep() -> None:
    rows = capabilities_table().splitlines()[2:]
    assert len(rows) == len(FAMILY_MODULES)
    header = capabilities_table().splitlines()[0]
    assert header.count("|") == len(CAPABILITY_COLUMNS) + 3
    stages = {row.split("|")[1].strip(): row.split("|")[-2].strip() for row in rows}
    # Only a breathing waveform (and movement) lets the pipeline stage sleep.
    assert stages["Seeed MR60BHA2"] == "yes"
    assert stages["Raw FMCW (BGT60TR13C-style)"] == "yes"
    assert stages["Hi-Link LD2410"] == "no"


def test_every_serial_family_is_named_in_the_setup_dialog() -> None:
    strings = json.loads(
        (ROOT / "custom_components" / "radar_sleep" / "translations" / "en.json").read_text()
    )
    assert set(strings["selector"]["family"]["options"]) == set(SERIAL_FAMILIES)
