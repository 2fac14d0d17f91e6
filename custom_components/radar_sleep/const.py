"""Constants of the Radar Sleep integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "radar_sleep"
LOGGER = logging.getLogger(__package__)

CONF_SOURCE: Final = "source"
CONF_SIDE: Final = "side"
CONF_RADAR_POSITION: Final = "radar_position"
CONF_SEED: Final = "seed"
CONF_PARTNER: Final = "partner"
CONF_PET: Final = "pet"
CONF_SPEED: Final = "speed"
CONF_FAMILY: Final = "family"
CONF_PORT: Final = "port"
CONF_PRESENCE_ENTITY: Final = "presence_entity"
CONF_BREATH_ENTITY: Final = "breath_rate_entity"
CONF_HEART_ENTITY: Final = "heart_rate_entity"
CONF_DISTANCE_ENTITY: Final = "distance_entity"
CONF_CAPTURE_PATH: Final = "capture_path"
CONF_SESSION_END_MINUTES: Final = "session_end_minutes"
CONF_PRESENCE_THRESHOLD: Final = "presence_threshold"
CONF_HISTORY_NIGHTS: Final = "history_nights"

SOURCE_SIMULATOR: Final = "simulator"
SOURCE_SERIAL: Final = "serial"
SOURCE_ENTITIES: Final = "entities"
SOURCE_FMCW: Final = "fmcw_replay"
SOURCES: Final = [SOURCE_SERIAL, SOURCE_FMCW, SOURCE_ENTITIES, SOURCE_SIMULATOR]
"""Frame sources selectable in the config flow."""
PROBE_SECONDS: Final = 5.0
"""How long the config flow listens for valid frames before it gives up."""
UNAVAILABLE_REPAIR_SECONDS: Final = 600
"""A device gone this long raises a repair issue."""

SIDES: Final = ["left", "right"]
RADAR_POSITIONS: Final = ["left_table", "right_table", "headboard"]

DEFAULT_SPEED: Final = 1.0
DEFAULT_SESSION_END_MINUTES: Final = 20
DEFAULT_PRESENCE_THRESHOLD: Final = 0.5
DEFAULT_HISTORY_NIGHTS: Final = 90
SAVE_INTERVAL_SECONDS: Final = 30.0
"""The night in progress is snapshotted at most this often (wall time)..."""
SAVE_DELAY_SECONDS: Final = 5.0
"""...and written this long after the snapshot: a restart loses at most about a minute
(this interval, the delay and the epoch that was open)."""

STORAGE_VERSION: Final = 1
RETRY_SECONDS: Final = 30
"""Wait before restarting a source that failed."""
