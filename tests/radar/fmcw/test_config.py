"""Raw-FMCW family, capabilities and configuration (radar/fmcw/__init__.py, config.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.radar_sleep.radar.fmcw import CAPABILITIES, FAMILY
from custom_components.radar_sleep.radar.fmcw.config import SPEED_OF_LIGHT, FmcwConfig


def test_family_and_capabilities() -> None:
    assert FAMILY == "fmcw"
    assert CAPABILITIES.respiration_waveform
    assert CAPABILITIES.movement
    assert CAPABILITIES.can_stage_sleep
    assert CAPABILITIES.angle
    assert CAPABILITIES.multiple_targets
    assert not CAPABILITIES.breath_rate  # rates come from the sleep pipeline


def test_config_geometry_and_json_round_trip() -> None:
    cfg = FmcwConfig()
    assert cfg.bandwidth_hz == pytest.approx(5.5e9)
    assert cfg.range_resolution_m == pytest.approx(SPEED_OF_LIGHT / (2 * 5.5e9))
    assert cfg.wavelength_m == pytest.approx(SPEED_OF_LIGHT / 60.75e9)
    assert cfg.n_rx == 3
    assert cfg.rx_spacing_wl == pytest.approx(0.5)
    assert cfg.max_range_m(real=True) == pytest.approx(64 * cfg.range_resolution_m)
    assert cfg.max_range_m(real=False) == pytest.approx(128 * cfg.range_resolution_m)
    assert FmcwConfig.from_json(cfg.to_json()) == cfg
    other = replace(cfg, chirps_per_frame=1, azimuth_pair=None, frame_rate_hz=10.0)
    assert FmcwConfig.from_json(other.to_json()) == other
    with pytest.raises(ValueError, match="azimuth_pair"):
        FmcwConfig(azimuth_pair=(0, 0))
    with pytest.raises(ValueError, match="horizontally"):
        FmcwConfig(azimuth_pair=(1, 2), rx_positions_wl=((0, 0), (0.5, 0.0), (0.5, 0.5)))
