"""Constants of the Radar Sleep integration."""

from __future__ import annotations

import logging
from typing import Final

from .contracts import BED_SIDES, RADAR_POSITIONS as _RADAR_POSITIONS

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
CONF_ROOM: Final = "room"
"""Options section: the bedroom's sensors (see docs/room.md)."""
CONF_TEMPERATURE_ENTITY: Final = "temperature_entity"
CONF_HUMIDITY_ENTITY: Final = "humidity_entity"
CONF_ILLUMINANCE_ENTITY: Final = "illuminance_entity"

SOURCE_SIMULATOR: Final = "simulator"
SOURCE_SERIAL: Final = "serial"
SOURCE_ENTITIES: Final = "entities"
SOURCE_FMCW: Final = "fmcw_replay"
PROBE_SECONDS: Final = 5.0
"""How long the config flow listens for valid frames before it gives up."""
UNAVAILABLE_REPAIR_SECONDS: Final = 600
"""A device gone this long raises a repair issue."""

SIDES: Final[list[str]] = list(BED_SIDES)
RADAR_POSITIONS: Final[list[str]] = list(_RADAR_POSITIONS)

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
SAVE_RETRY_SECONDS: Final = 60
"""A write of the tracker's storage that failed with a finished night not yet written is
tried again this long after, then twice as long after each failure..."""
SAVE_RETRY_MAX_SECONDS: Final = 3600
"""...up to this long between tries."""
RETRY_SECONDS: Final = 30
"""Wait before restarting a source that failed."""

# Smart alarm (see docs/smart-alarm.md; its schedule's defaults and grace periods are in
# alarm_core/).
MAX_WINDOW_MINUTES: Final = 90
MAX_SUNRISE_MINUTES: Final = 120
DEFAULT_SNOOZE_MINUTES: Final = 9
MAX_SNOOZE_MINUTES: Final = 60
ALARM_WATCHDOG_SECONDS: Final = 30
"""The alarm checks the wall clock this often on top of its timers (clock jumps)."""

# Wake-up light and speaker (options, section ``wake_up``).
CONF_WAKE_UP: Final = "wake_up"
CONF_LIGHTS: Final = "lights"
CONF_MEDIA_PLAYERS: Final = "media_players"
CONF_MEDIA_CONTENT_ID: Final = "media_content_id"
CONF_MEDIA_CONTENT_TYPE: Final = "media_content_type"
CONF_TTS_ENTITY: Final = "tts_entity"
CONF_TTS_MESSAGE: Final = "tts_message"
CONF_SUNRISE_LEAD: Final = "sunrise_lead_minutes"
CONF_VOLUME_START: Final = "volume_start"
CONF_VOLUME_END: Final = "volume_end"
CONF_VOLUME_RAMP: Final = "volume_ramp_seconds"
DEFAULT_MEDIA_CONTENT_TYPE: Final = "music"
DEFAULT_SUNRISE_LEAD: Final = 0
DEFAULT_VOLUME_START: Final = 5
DEFAULT_VOLUME_END: Final = 40
DEFAULT_VOLUME_RAMP: Final = 120
SUNRISE_STEP_SECONDS: Final = 15
"""The wake-up light is stepped this often (with a transition of the same length)."""
SUNRISE_FINISH_SECONDS: Final = 60
"""When the alarm rings, the light finishes its sunrise within this long."""
VOLUME_STEP_SECONDS: Final = 5
SUNRISE_WARM_KELVIN: Final = 1800
SUNRISE_COOL_KELVIN: Final = 5500

# Bedtime hunches (options, section ``hunches``; see docs/hunches.md). The section's lights
# and media players use CONF_LIGHTS and CONF_MEDIA_PLAYERS.
CONF_HUNCHES: Final = "hunches"
CONF_LOCKS: Final = "locks"
CONF_COVERS: Final = "covers"
CONF_OPENINGS: Final = "openings"
CONF_CLIMATE_ENTITY: Final = "climate_entity"
CONF_SLEEP_TEMPERATURE: Final = "sleep_temperature"
CONF_CHECK_ALARM: Final = "check_alarm"
CONF_AUTOMATIC: Final = "automatic"
CONF_NOTIFY_SERVICE: Final = "notify_service"
