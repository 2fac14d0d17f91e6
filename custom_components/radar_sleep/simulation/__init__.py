"""The bedroom simulator: a source of :class:`~..contracts.VitalsFrame` with ground truth.

Home-Assistant-free; imports only :mod:`..contracts`. A physics-based night (user, partner,
pet, reading in bed, bathroom trip) whose sleep architecture is sampled from a model fitted
to expert-scored hypnograms; the embedded default source of a fresh install.
"""
