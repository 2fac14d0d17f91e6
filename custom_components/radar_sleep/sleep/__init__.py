"""Radar Sleep's sleep pipeline: Home-Assistant-free, typed, tested on its own."""

from .config import PipelineConfig, UserZone, user_zone
from .metrics import sleep_metrics
from .pipeline import EpochRecord, EpochResult, FrameResult, SleepPipeline

__all__ = [
    "EpochRecord",
    "EpochResult",
    "FrameResult",
    "PipelineConfig",
    "SleepPipeline",
    "UserZone",
    "sleep_metrics",
    "user_zone",
]
