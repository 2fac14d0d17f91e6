"""Breathing, body movement and posture per sleep stage and awake activity, for the simulator.

Every figure here is a population value for healthy adults, taken (rounded) from the sources
below, or (said where) a modelling assumption of the order they give; the simulator draws
each simulated person's own values around them, so no two nights breathe alike. The same
table is documented, with ranges, in ``docs/simulator.md``.

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

Awake in bed before trying to sleep (reading, TV, phone)
    All three are quiet waking: awake breathing (rate at or a little above the resting rate,
    wake irregularity, far above the regularity of sleep; Douglas et al. 1982, Krieger 1985)
    with little energy expenditure (1.0-1.5 MET reclined, the lowest of all waking activities:
    Ainsworth BE et al. 2011 Compendium of Physical Activities, *Med Sci Sports Exerc*
    43(8):1575-1581; measured 1.3 MET for watching TV and for texting reclined, 1.5 for reading
    reclined: Liu J et al. Energy cost of reclining, sitting, and standing activities, *Int J
    Exerc Sci* 15(7):1202-1211, 2022). They differ in what moves and how the person breathes:

    * Reading keeps the simulator's original figures (page turns and shifts of the book, about
      50 gross movements/h) so that existing seeds give the same nights.
    * Watching TV is the stillest: absorbed viewing has few posture shifts (fewer than the
      tossing of someone trying to sleep) and occasional small movements (remote, blanket).
      Sustained attention lowers the total breath-to-breath variability (Vlemincx E, Van
      Diest I, Lehrer PM, Aubert AE, Van den Bergh O. Sigh rate and respiratory variability
      during mental load and sustained attention. *Psychophysiology* 48:117-120, 2011), but
      remarks and laughs break the rhythm: speech breathing has brief inspirations and long
      expirations (Hixon TJ, Goldman MD, Mead J. Kinematics of the chest wall during speech
      production. *J Speech Hear Res* 16:78-115, 1973; Winkworth AL et al. Breathing patterns
      during spontaneous speech. *J Speech Hear Res* 38:124-144, 1995), and a fit of laughter
      is a 1.5-6 s burst of expiratory efforts at about 4.6 Hz that drops the lung volume well
      below its resting level (Filippelli M et al. Respiratory dynamics during laughter. *J
      Appl Physiol* 90:1441-1446, 2001). Rate a little higher than resting: attention and
      emotional content raise it (Boiten FA, Frijda NH, Wientjes CJE. Emotions and respiratory
      patterns: review and critical analysis. *Int J Psychophysiol* 17:103-128, 1994).
    * The phone is the opposite for movement: gross movements stay rare (smartphone use peaks
      at rest in actigraphy: Borger JN, Huber R, Ghosh A. Capturing sleep-wake cycles by using
      day-to-day smartphone touchscreen interactions. *NPJ Digit Med* 2:73, 2019) but the hands
      and arms in front of the chest move every half minute or so (scrolling, typing, shifting
      the grip), small movements the radar sees. Mental load raises the rate and the sigh rate
      (Grassmann M et al. Respiratory changes in response to cognitive load: a systematic
      review. *Neural Plast* 2016:8146809; Vlemincx et al. 2011).

    Rates of remarks and laughs are modelling assumptions of the right order (adults laugh
    about 18 times a day, far more with company and entertainment: Martin RA, Kuiper NA. Daily
    occurrence of laughter. *Humor* 12(4):355-384, 1999), as are the posture figures below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Literal


class Activity(IntEnum):
    """What a person in bed is doing, epoch by epoch (sleep stages are AASM-like)."""

    WAKE = 0
    """Awake, lying in bed (trying to sleep, or awake in the night or morning)."""
    N1 = 1
    N2 = 2
    N3 = 3
    REM = 4
    READING = 5
    """Awake in bed, reading: not trying to sleep (also the partner's and the morning's
    awake-in-bed activity)."""
    TV = 6
    """Awake in bed, semi-reclined, watching TV: not trying to sleep."""
    PHONE = 7
    """Awake in bed, propped up and head down over a phone: not trying to sleep."""


PRE_SLEEP_ACTIVITIES = frozenset({Activity.READING, Activity.TV, Activity.PHONE})
"""Awake in bed and not trying to sleep: what the user does between getting into bed and
lying down to sleep (the intent onset)."""


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
    fidgets_per_hour: float = 0.0
    """Small hand and arm movements (about 2 s, low energy, no posture change): scrolling,
    typing, reaching for the remote."""
    vocal_per_hour: float = 0.0
    """Remarks and laughs, each breaking the breathing rhythm for a few breaths."""
    laugh_fraction: float = 0.0
    """Fraction of the vocal events that are fits of laughter (the rest are remarks)."""


PHYSIOLOGY: dict[Activity, BreathingPhysiology] = {
    Activity.READING: BreathingPhysiology(1.05, 0.28, 1.00, 0.30, 10.0, 50.0, 0.0),
    Activity.WAKE: BreathingPhysiology(1.00, 0.22, 1.00, 0.22, 8.0, 16.0, 0.0),
    Activity.N1: BreathingPhysiology(0.98, 0.14, 0.92, 0.15, 6.0, 6.0, 0.0),
    Activity.N2: BreathingPhysiology(0.97, 0.09, 0.88, 0.09, 3.0, 2.5, 0.0),
    Activity.N3: BreathingPhysiology(0.95, 0.06, 0.90, 0.06, 0.5, 0.3, 0.0),
    Activity.REM: BreathingPhysiology(1.06, 0.24, 0.78, 0.22, 4.0, 1.0, 60.0),
    Activity.TV: BreathingPhysiology(
        rate_factor=1.08,
        rate_cv=0.20,
        depth_factor=1.00,
        depth_cv=0.20,
        sighs_per_hour=8.0,
        gross_movements_per_hour=8.0,
        twitches_per_hour=0.0,
        fidgets_per_hour=15.0,
        vocal_per_hour=8.0,
        laugh_fraction=0.4,
    ),
    Activity.PHONE: BreathingPhysiology(
        rate_factor=1.10,
        rate_cv=0.24,
        depth_factor=0.95,
        depth_cv=0.24,
        sighs_per_hour=12.0,
        gross_movements_per_hour=10.0,
        twitches_per_hour=0.0,
        fidgets_per_hour=120.0,
        vocal_per_hour=3.0,
        laugh_fraction=0.5,
    ),
}
"""Figures per activity, from the sources in the module docstring."""


@dataclass(frozen=True, slots=True)
class Posture:
    """How an activity holds the body, relative to lying flat (modelling assumptions)."""

    raised_m: tuple[float, float]
    """Range of the chest's height above its lying position (propped up on pillows)."""
    gain: tuple[float, float]
    """Range of the radar's breathing gain relative to lying (the chest seen at an angle,
    partly behind arms and a phone)."""


POSTURE: dict[Activity, Posture] = {
    Activity.TV: Posture(raised_m=(0.15, 0.30), gain=(0.6, 0.9)),
    Activity.PHONE: Posture(raised_m=(0.10, 0.25), gain=(0.5, 0.85)),
}
"""Activities with a posture of their own; the rest (and reading, whose original model does
not change posture) lie flat. Trunk propped up at 20-45 degrees raises the chest 10-30 cm."""

RESTING_RATE_BPM = (15.0, 2.0)
"""Mean and between-person SD of the resting awake breathing rate (Douglas et al. 1982)."""
CHEST_DEPTH_MM = (7.0, 1.5)
"""Mean and between-person SD of peak-to-peak chest displacement of tidal breathing."""

PET_RATE_BPM = (24.0, 4.0)
"""Resting breathing rate of a cat or small dog (20-30 breaths/min)."""
PET_DEPTH_MM = (1.5, 0.4)


type Channel = Literal["radar", "belt", "airflow"]
"""What the breathing channel measures: a radar's chest displacement, a respiratory belt's
stretch (inductance plethysmography) or an oro-nasal thermal sensor's airflow."""

_SLEEP_AND_WAKE = (Activity.WAKE, Activity.N1, Activity.N2, Activity.N3, Activity.REM)


@dataclass(frozen=True, slots=True)
class PhysiologyVariation:
    """One night's sleeper and sensor away from the population figures above.

    The default changes nothing (and draws nothing): the simulator's original nights. The
    ranges the offline tools draw from (``simulation/scenarios.py``, :func:`draw_variation`)
    and their sources are documented there and in ``docs/simulator.md``.
    """

    resting_rate_bpm: float | None = None
    """The sleeper's resting awake breathing rate (``None``: drawn from
    :data:`RESTING_RATE_BPM`)."""
    chest_depth_mm: float | None = None
    """The sleeper's tidal chest displacement (``None``: drawn from :data:`CHEST_DEPTH_MM`)."""
    regularity_scale: float = 1.0
    """Multiplies every activity's ``rate_cv`` and ``depth_cv``."""
    stage_contrast: float = 1.0
    """Scales the differences between wake and the sleep stages in rate, depth and their
    variability around their mean over those five activities (1: the table; below 1 the
    stages breathe more alike)."""
    movement_scale: float = 1.0
    """Multiplies the rates of gross movements and twitches (restless or still sleepers)."""
    movement_gain: float = 1.0
    """Multiplies the device's movement index (clipped to 0..1)."""
    sensor_gain: float = 1.0
    """Multiplies the reported breathing signal (units and sensitivity of the sensor)."""
    noise_scale: float = 1.0
    """Multiplies the sensor noise."""
    drift_mm: float = 0.002
    """Step SD of the signal's random-walk drift per frame."""
    channel: Channel = "radar"
    airflow_tau_s: float = 0.6
    """Time constant of a thermal airflow sensor's first-order response (``airflow``)."""

    def table(self) -> dict[Activity, BreathingPhysiology]:
        """:data:`PHYSIOLOGY` with this night's regularity, contrast and movement applied."""
        if self == PhysiologyVariation():
            return PHYSIOLOGY
        fields = ("rate_factor", "rate_cv", "depth_factor", "depth_cv")
        means = {
            f: sum(getattr(PHYSIOLOGY[a], f) for a in _SLEEP_AND_WAKE) / len(_SLEEP_AND_WAKE)
            for f in fields
        }
        out: dict[Activity, BreathingPhysiology] = {}
        for act, phys in PHYSIOLOGY.items():
            values = {f: float(getattr(phys, f)) for f in fields}
            if act in _SLEEP_AND_WAKE:
                values = {
                    f: means[f] + self.stage_contrast * (v - means[f]) for f, v in values.items()
                }
            out[act] = replace(
                phys,
                rate_factor=values["rate_factor"],
                rate_cv=values["rate_cv"] * self.regularity_scale,
                depth_factor=values["depth_factor"],
                depth_cv=values["depth_cv"] * self.regularity_scale,
                gross_movements_per_hour=phys.gross_movements_per_hour * self.movement_scale,
                twitches_per_hour=phys.twitches_per_hour * self.movement_scale,
            )
        return out
