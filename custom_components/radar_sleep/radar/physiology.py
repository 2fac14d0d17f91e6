"""Breathing and body-movement physiology per sleep stage, for the bedroom simulator.

Every figure here is a population value for healthy adults, taken (rounded) from the sources
below; the simulator draws each simulated person's own values around them, so no two nights
breathe alike. The same table is documented, with ranges, in ``docs/simulator.md``.

Breathing rate
    Rate changes little from wake to NREM sleep and is slightly higher and much more variable
    in REM: Douglas NJ, White DP, Pickett CK, Weil JV, Zwillich CW. Respiration during sleep in
    normal man. *Thorax* 37:840-844, 1982 (wake 15.0, NREM 14.9-15.5, REM 15.8 breaths/min
    in healthy men); Krieger J. Breathing during sleep in normal subjects. *Clin Chest Med*
    6(4):577-594, 1985.

Tidal depth
    Minute ventilation falls by about 10-15 % in NREM and further in REM, mostly through tidal
    volume (Douglas et al. 1982). Chest-wall displacement of tidal breathing is about 4-12 mm
    (Kranjec J, Begus S, Gersak G, Drnovsek J. Non-contact heart rate and heart rate
    variability measurements: a review. *Biomed Signal Process Control* 13:102-112, 2014).

Regularity
    Breath-to-breath variability is high awake, lowest in slow-wave sleep and high again in
    REM (Gould GA et al. Breathing pattern and eye movement density during REM sleep in
    humans. *Am Rev Respir Dis* 138:874-877, 1988; Long X, Fonseca P, Foussier J, Haakma R,
    Aarts RM. Sleep and wake classification with actigraphy and respiratory effort using
    dynamic warping. *IEEE J Biomed Health Inform* 18(4):1272-1284, 2014). Coefficients of
    variation of breath duration of about 0.2-0.3 awake, 0.1 in N2, 0.05-0.07 in N3 and
    0.2-0.3 in REM are used here.

Sighs
    Spontaneous sighs (about 2x tidal volume, often followed by a short pause) are frequent
    awake and in light sleep and REM, rare in slow-wave sleep: Perez-Padilla R, West P,
    Kryger MH. Sighs during sleep in adult humans. *Sleep* 6(3):234-243, 1983.

Body movements
    Most frequent in wake and stage 1, infrequent in stage 2, nearly absent in slow-wave
    sleep; REM has muscle atonia with brief phasic twitches: Wilde-Frenz J, Schulz H. Rate and
    distribution of body movements during sleep in humans. *Percept Mot Skills* 56:275-283,
    1983.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Activity(IntEnum):
    """What a person in bed is doing, epoch by epoch (sleep stages are AASM-like)."""

    WAKE = 0
    """Awake, lying in bed (trying to sleep, or awake in the night or morning)."""
    N1 = 1
    N2 = 2
    N3 = 3
    REM = 4
    READING = 5
    """Awake in bed, reading, watching TV or on the phone: not trying to sleep."""


@dataclass(frozen=True, slots=True)
class BreathingPhysiology:
    """Population breathing and movement figures for one activity."""

    rate_factor: float
    """Breathing rate relative to the person's resting awake rate."""
    rate_cv: float
    """Coefficient of variation of breath duration (breath-to-breath irregularity)."""
    depth_factor: float
    """Tidal depth relative to the person's resting awake depth."""
    depth_cv: float
    """Coefficient of variation of breath depth."""
    sighs_per_hour: float
    gross_movements_per_hour: float
    """Body movements: posture changes, limb movements, page turns (several seconds)."""
    twitches_per_hour: float
    """Brief (< 1 s) small movements (REM phasic twitches)."""


PHYSIOLOGY: dict[Activity, BreathingPhysiology] = {
    Activity.READING: BreathingPhysiology(1.05, 0.28, 1.00, 0.30, 10.0, 50.0, 0.0),
    Activity.WAKE: BreathingPhysiology(1.00, 0.22, 1.00, 0.22, 8.0, 16.0, 0.0),
    Activity.N1: BreathingPhysiology(0.98, 0.14, 0.92, 0.15, 6.0, 6.0, 0.0),
    Activity.N2: BreathingPhysiology(0.97, 0.09, 0.88, 0.09, 3.0, 2.5, 0.0),
    Activity.N3: BreathingPhysiology(0.95, 0.06, 0.90, 0.06, 0.5, 0.3, 0.0),
    Activity.REM: BreathingPhysiology(1.06, 0.24, 0.78, 0.22, 4.0, 1.0, 60.0),
}
"""Figures per activity, from the sources in the module docstring."""

RESTING_RATE_BPM = (15.0, 2.0)
"""Mean and between-person SD of the resting awake breathing rate (Douglas et al. 1982)."""
CHEST_DEPTH_MM = (7.0, 1.5)
"""Mean and between-person SD of peak-to-peak chest displacement of tidal breathing."""

PET_RATE_BPM = (24.0, 4.0)
"""Resting breathing rate of a cat or small dog (20-30 breaths/min)."""
PET_DEPTH_MM = (1.5, 0.4)
