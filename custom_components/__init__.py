"""Home Assistant custom integrations (Radar Sleep lives in radar_sleep/)."""
