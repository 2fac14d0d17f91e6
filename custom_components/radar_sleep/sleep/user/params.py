"""Tuning parameters of the primary-user tracker (see :mod:`.tracker`).

Kinematic gates, zone hysteresis and the breathing-signature statistics. The breath detector's
own constants are :mod:`...dsp`'s (:class:`...dsp.BreathMeter`).
"""

from __future__ import annotations

import math

# -- tracking ------------------------------------------------------------------------------

GATE_M = 0.07
"""Range jitter a track may show about its predicted range between two frames (measurement
noise, breathing, small posture changes)."""
SPEED_M_S = 0.3
"""Unpredicted motion a lying body may add per second; with :data:`GATE_M` the gate."""
VELOCITY_GAIN = 0.1
"""Gain of the range-rate estimate (the beta of an alpha-beta tracker with alpha 1: Kalata
PR, The tracking index, *IEEE Trans Aerosp Electron Syst* 20(2):174-182, 1984)."""
MAX_SPEED_M_S = 0.5
GATE_DEG = 10.0
"""Azimuth counterpart of :data:`GATE_M` (where the device measures azimuth)."""
SPEED_DEG_S = 30.0
MAX_GATE_M = 0.9
"""The gate stops growing here: a body rolls at most across half the bed."""
MAX_GATE_DEG = 70.0
USER_GATE_M = 0.3
"""Your own lost track hands its label on only this close (you coming back where you were)."""
USER_GATE_DEG = 20.0
TRACK_LOST_S = 2.0
"""A track not seen for this long is lost; a target with its id then starts a new track."""
HANDOVER_S = 10.0
"""How long a lost track may hand its label to a new one (device renumbering, re-lock)."""
DISTURB_GAP_S = 1.0
"""A pause of a track this long, or a jump of more than :data:`JUMP_M` in one step, reopens
the question of whose track it is (a review): a device may have handed it to another body."""
JUMP_M = 0.05
FAR_SIDE_S = 20.0
"""A new body outside your zone for this long is another person lying there."""
ZONE_MARGIN_M = 0.15
"""Your established track stays yours this far outside your zone (hysteresis)."""
ZONE_MARGIN_DEG = 10.0
HOME_GATE_M = 0.30
"""A new body on your side while you are away is taken to be you (pending its breathing)
when it lies this close to your usual place."""
HOME_GATE_DEG = 20.0
HOME_TAU_S = 300.0
"""Time constant of your usual place (range, azimuth) while tracked."""

# -- breathing ---------------------------------------------------------------------------------

MIN_QUALITY = 0.2
"""Frames below this signal quality add no breaths."""

PROFILE_BREATHS = 20
"""Breaths before your signature (or the partner's) is used."""
PROFILE_ALPHA = 0.02
"""Per-breath EMA weight of a signature once established (about 50 breaths of memory)."""
SHORT_ALPHA = 0.15
"""Per-breath EMA weight of a review's running mean."""
REVIEW_MIN_BREATHS = 8
REVIEW_MAX_BREATHS = 24
"""A review with no clear answer after this many breaths keeps the track's label."""
REVIEW_MARGIN = 3.0
"""Log-likelihood margin (nats) a review needs to decide (odds of about 20:1)."""
DEMOTE_MARGIN = 5.0
"""Margin needed to take an established track away from you (odds of about 150:1): losing
you costs the night, so this needs the most."""
TAKEOVER_MARGIN = 4.0
"""Margin needed to give you a track that followed another person's body (odds of about
55:1): their data would otherwise become yours."""
STRANGER_PRIOR = -4.0
"""Prior log-odds of "another person" for a body on your side when nobody else has been seen
for :data:`COMPANY_S` (a person does not appear from nowhere in your place)."""
COMPANY_S = 3600.0
CUSUM_DRIFT = 0.5
"""Per-breath allowance of the CUSUM (log-likelihood ratio units)."""
CUSUM_ALARM = 6.0
"""CUSUM level that opens a review."""

BREATH_SD_LOG_PERIOD = 0.2
"""Prior per-breath spread of log breath period (breath-to-breath CV 0.1-0.3: Gould GA et
al., *Am Rev Respir Dis* 138:874-877, 1988); each signature then learns its own."""
BREATH_SD_LOG_AMP = 0.4
MIN_SD_LOG_PERIOD = 0.08
MIN_SD_LOG_AMP = 0.2
STATE_SD_LOG_PERIOD = 0.1
"""How far a person's mean rate wanders with sleep stage and wakefulness (5-10 %, Douglas
et al. 1982): added to the spread of a review's mean."""
STATE_SD_LOG_AMP = 0.45
"""Posture and position change the radar's view of the chest by a factor of 1.5 or more."""
REVIEW_EFFECTIVE_BREATHS = 12
"""Breaths a review's running mean is worth (its EMA weight is :data:`SHORT_ALPHA`)."""
POP_LOG_PERIOD = math.log(60.0 / 15.0)
"""Adults: 15 breaths/min (Douglas et al. 1982)."""
POP_SD_LOG_PERIOD = 0.18
"""Between-person spread (SD 2/min at 15/min) and state, on a log scale."""
POP_LOG_AMP = math.log(5.0)
"""Absolute breath amplitude (mm peak to trough) seen by the radar, used before your own."""
POP_SD_LOG_AMP = 0.8
PET_LOG_PERIOD = math.log(60.0 / 25.0)
"""Cats and small dogs at rest: 20-30 breaths/min."""
PET_SD_LOG_PERIOD = 0.2
PERSON_MIN_LOG_PERIOD = 0.5 * (POP_LOG_PERIOD + PET_LOG_PERIOD)
"""Halfway (on a log scale) between adult and pet breathing, about 19 breaths/min: a body
breathing faster does not teach the partner's signature."""
PET_LOG_AMP_OFFSET = math.log(0.2)
"""A pet's chest excursion relative to an adult's: 1-2 mm against 4-12 mm."""
PET_SD_LOG_AMP = 0.6

CONFIDENCE = {"verified": 0.95, "continuous": 0.85, "provisional": 0.6}
"""Frame confidence that the chosen target is you, by how its identity is known."""
AMBIGUOUS_FACTOR = 0.8
"""Confidence factor while another body not known to be someone else is on your side."""
MARGIN_FACTOR = 0.8
"""Confidence factor while your track is in the zone's hysteresis margin."""
