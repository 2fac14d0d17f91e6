"""The device families Radar Sleep speaks, looked up by name (``fmcw``, ``mr60bha2``, ...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from ..contracts import Capabilities

# Every family's module is imported with this one (Home Assistant imports the integration in its
# import executor), so that looking a family up later, in the event loop, imports nothing.
from . import fmcw  # noqa: F401
from .drivers import ld2410, mr24bsd1, mr60bha2, ti_vitals  # noqa: F401
from .protocol import FrameAssembler, ParseFn

FAMILY_MODULES: dict[str, str] = {
    "mr60bha2": "drivers.mr60bha2",
    "mr24bsd1": "drivers.mr24bsd1",
    "ti-vitals": "drivers.ti_vitals",
    "ld2410": "drivers.ld2410",
    "fmcw": "fmcw",
}
"""Family name -> module in this package."""

SERIAL_FAMILIES = ("mr60bha2", "ti-vitals", "ld2410", "mr24bsd1")
"""Families that speak over a UART (a serial port or a ``socket://`` bridge)."""


@dataclass(frozen=True, slots=True)
class Family:
    """A device family's driver."""

    name: str
    capabilities: Capabilities
    baud_rate: int | None
    parse: ParseFn | None
    """Pure byte parser (``None`` for ``fmcw``, whose raw frames come from capture files)."""
    assembler: Callable[[], FrameAssembler] | None


def get_family(name: str) -> Family:
    """The driver of family ``name``; ``KeyError`` for an unknown family."""
    # By its full name: Home Assistant reports an import in the event loop unless the name is
    # already in ``sys.modules`` (a relative name never is).
    module: Any = import_module(f"{__package__}.{FAMILY_MODULES[name]}")
    assembler = next(
        (
            getattr(module, attr)
            for attr in dir(module)
            if attr.endswith("Assembler") and attr != "FrameAssembler"
        ),
        None,
    )
    return Family(
        name=name,
        capabilities=module.CAPABILITIES,
        baud_rate=getattr(module, "BAUD_RATE", None),
        parse=getattr(module, "parse", None),
        assembler=assembler,
    )


CAPABILITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("presence", "presence"),
    ("respiration_waveform", "breathing waveform"),
    ("breath_rate", "breathing rate"),
    ("heart_rate", "heart rate"),
    ("distance", "distance"),
    ("angle", "angle"),
    ("movement", "movement"),
    ("multiple_targets", "several people"),
    ("on_chip_sleep_stage", "on-chip sleep state"),
)
"""Capability fields in the order the capabilities table shows them."""

FAMILY_TITLES: dict[str, str] = {
    "fmcw": "Raw FMCW (BGT60TR13C-style)",
    "mr60bha2": "Seeed MR60BHA2",
    "ti-vitals": "TI mmWave vital signs",
    "ld2410": "Hi-Link LD2410",
    "mr24bsd1": "Seeed MR24BSD1",
}


def capabilities_table() -> str:
    """A Markdown table of what each family delivers (config flow and ``docs/hardware``)."""
    header = ["device", *(title for _, title in CAPABILITY_COLUMNS), "sleep stages"]
    rows = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for name in FAMILY_MODULES:
        caps = get_family(name).capabilities
        cells = ["yes" if getattr(caps, attr) else "–" for attr, _ in CAPABILITY_COLUMNS]
        cells.append("yes" if caps.can_stage_sleep else "no")
        rows.append("| " + " | ".join([FAMILY_TITLES[name], *cells]) + " |")
    return "\n".join(rows)
