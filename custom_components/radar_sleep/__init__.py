"""Radar Sleep: private sleep tracking from a bedside mmWave radar.

Home Assistant loads the integration from here. The ``radar`` and ``sleep`` layers (and their
command-line tools, ``python -m custom_components.radar_sleep.radar``) must also work where
Home Assistant is not installed, so the Home Assistant entry points are imported only when it
is.
"""

from __future__ import annotations

try:
    import homeassistant as _homeassistant  # noqa: F401
except ModuleNotFoundError:  # pragma: no cover - exercised by tests/test_import_rule.py
    pass
else:
    from .runtime import (
        CONFIG_SCHEMA,
        PLATFORMS,
        async_remove_entry,
        async_setup,
        async_setup_entry,
        async_unload_entry,
    )

    __all__ = [
        "CONFIG_SCHEMA",
        "PLATFORMS",
        "async_remove_entry",
        "async_setup",
        "async_setup_entry",
        "async_unload_entry",
    ]
