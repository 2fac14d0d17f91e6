"""Radar Sleep radar layer: drivers, signal processing, replay and the bedroom simulator."""
