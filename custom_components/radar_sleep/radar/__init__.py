"""Radar Sleep radar layer, hardware to ``VitalsFrame``: serial drivers, raw-FMCW chain, replay."""
