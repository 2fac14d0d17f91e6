"""Fits of the runtime's models and parameters (stage baseline, intent, alarm policy, hypnogram)."""
