"""The primary-user tracker: which radar target, if any, is the user (per frame, O(targets)).

A bedside radar sees whoever is in its field of view: the user, a partner, a pet. The pipeline
must follow the user's breathing only, and say why it ignores the rest. The tracker keeps one
*track* per body it sees and a *label* for each track (you, another person, a pet, not yet
known), and decides per frame which target is you from four kinds of evidence:

1. **Where** (the configured side): your zone (:func:`.config.user_zone`: range, and azimuth
   where the device measures it) admits candidates; a body that settles outside it is another
   person on the far side of the bed.
2. **Continuity** (track-oriented data association): a target continues a track when it keeps
   the device's id and stays inside a gate around the track's predicted range (an alpha-beta
   predictor: Kalata 1984) that widens with the time since it was last seen
   (:data:`GATE_M` + :data:`SPEED_M_S` per second), the gating of nearest-neighbour tracking
   (Bar-Shalom Y, Fortmann TE, *Tracking and Data Association*, Academic Press 1988,
   ch. 2-3). A target that breaks its track (new id, gap, jump) is handed the label of the
   nearest recently lost track inside the gate, bodies appearing outside your zone first; so
   a device's changing ids (real devices renumber targets when they lose them) do not lose
   who is who, and a partner who rolls over into your half stays the partner. One body, one
   track: while the partner is tracked elsewhere, a body on your side cannot be them.
3. **Breathing pattern**: each track's breaths (period and depth, from the O(1)-per-sample
   breath detector :class:`..dsp.BreathMeter`) are compared with your own breathing
   signature (learnt while you are tracked) and with the alternatives: the signature of the
   body the track followed, the partner's signature (or adult population values) and a pet's
   (fast and shallow). An abrupt change of a track's pattern is detected with Page's CUSUM
   on the per-breath log-likelihood ratio (Page ES, Continuous inspection schemes,
   *Biometrika* 41:100-115, 1954; Basseville M, Nikiforov IV, *Detection of Abrupt Changes*,
   Prentice Hall 1993, ch. 2); it, a gap or a jump opens a review that decides between the
   hypotheses on the following breaths (a fixed-sample likelihood-ratio test, the
   non-sequential counterpart of Wald's SPRT: Wald A, Sequential tests of statistical
   hypotheses, *Ann Math Stat* 16:117-186, 1945). This catches the switch that geometry and
   ids cannot: a device handing your track to the partner or the pet at the same place, or
   theirs to you. The margins are asymmetric: taking an established track away from you
   needs the most evidence (:data:`DEMOTE_MARGIN`), giving you a track that followed another
   person a little less (:data:`TAKEOVER_MARGIN`), anything else :data:`REVIEW_MARGIN`.
4. **Signal quality**: breaths count only from frames of sufficient quality and without body
   movement; when two targets could be you, the better signal wins.

A new body on your side while you are not tracked becomes you at once before your signature
exists (the evening's first acquisition), and provisionally when it lies near your usual place
(attributed, with lower confidence, until its breathing confirms or contradicts it; after
:data:`REVIEW_MAX_BREATHS` without a clear answer your place decides).

Limits (see ``docs/pipeline.md``): nothing tells two people apart when the geometry cannot
(a single-antenna radar at the headboard) and their breathing is alike; a single-target
device that hands your partner's track to you within a few centimetres keeps it theirs
unless your breathing differs clearly.

Population breathing values: adult resting breathing 12-20 breaths/min (about 15,
between-person SD about 2: Douglas NJ et al., Respiration during sleep in normal man,
*Thorax* 37:840-844, 1982); chest displacement 4-12 mm (Kranjec J et al., *Biomed Signal
Process Control* 13:102-112, 2014); cats and small dogs breathe 20-30 times a minute at rest
with a chest excursion of a few millimetres at most.

Per frame the work is O(number of targets) with no allocation except when a body appears;
nothing here imports numpy.
"""

from __future__ import annotations

import math
from typing import Any

from ...contracts import TargetVitals, VitalsFrame
from ...dsp import BODY_MOVEMENT
from ..config import UserZone
from .decisions import Decision, Label
from .params import (
    AMBIGUOUS_FACTOR,
    BREATH_SD_LOG_AMP,
    BREATH_SD_LOG_PERIOD,
    COMPANY_S,
    CONFIDENCE,
    CUSUM_ALARM,
    CUSUM_DRIFT,
    DEMOTE_MARGIN,
    DISTURB_GAP_S,
    FAR_SIDE_S,
    GATE_DEG,
    GATE_M,
    HANDOVER_S,
    HOME_GATE_DEG,
    HOME_GATE_M,
    HOME_TAU_S,
    JUMP_M,
    MARGIN_FACTOR,
    MAX_GATE_DEG,
    MAX_GATE_M,
    MAX_SPEED_M_S,
    MIN_QUALITY,
    PERSON_MIN_LOG_PERIOD,
    PET_LOG_AMP_OFFSET,
    PET_LOG_PERIOD,
    PET_SD_LOG_AMP,
    PET_SD_LOG_PERIOD,
    POP_LOG_AMP,
    POP_LOG_PERIOD,
    POP_SD_LOG_AMP,
    POP_SD_LOG_PERIOD,
    REVIEW_EFFECTIVE_BREATHS,
    REVIEW_MARGIN,
    REVIEW_MAX_BREATHS,
    REVIEW_MIN_BREATHS,
    SHORT_ALPHA,
    SPEED_DEG_S,
    SPEED_M_S,
    STATE_SD_LOG_AMP,
    STATE_SD_LOG_PERIOD,
    STRANGER_PRIOR,
    TAKEOVER_MARGIN,
    TRACK_LOST_S,
    USER_GATE_DEG,
    USER_GATE_M,
    VELOCITY_GAIN,
    ZONE_MARGIN_DEG,
    ZONE_MARGIN_M,
)
from .signature import Profile, Signature, gauss
from .track import Track


class Verdict:
    """The tracker's decision about the last frame (one instance, rewritten every frame)."""

    __slots__ = (
        "angle_deg",
        "confidence",
        "decision",
        "distance_m",
        "ignored",
        "ignored_distance_m",
        "target_id",
    )

    def __init__(self) -> None:
        """No frame yet."""
        self.decision = Decision.NOBODY
        """What the tracker decided about the frame."""
        self.confidence = 0.0
        """How sure the tracker is that the chosen target is you (0 when none is chosen)."""
        self.distance_m: float | None = None
        """Range of the chosen target, or of the body that decided an exclusion."""
        self.angle_deg: float | None = None
        self.target_id: int | None = None
        """Device id of the chosen target (``None`` when none is chosen)."""
        self.ignored = Decision.NOBODY
        """When you are chosen: the decision about the most relevant other body, if any."""
        self.ignored_distance_m: float | None = None


class PrimaryUserTracker:
    """Decides, frame by frame, which target (if any) is the user; see the module docstring.

    :meth:`choose` returns the user's target of a frame or ``None`` and leaves the decision
    with its reason in :attr:`verdict`. The learnt state (your signature and usual place, the
    partner's signature, the open tracks) survives restarts through :meth:`dump_state`.
    """

    def __init__(self, zone: UserZone) -> None:
        """Track for the user whose side of the bed is ``zone``."""
        self.zone = zone
        self.verdict = Verdict()
        self.profile = Profile()
        """Your breathing signature."""
        self.partner = Profile()
        """The other person's breathing signature."""
        self.home_distance: float | None = None
        self.home_angle: float | None = None
        self._tracks: dict[int, Track] = {}
        self._lost: list[Track] = []
        self._seen: list[Track] = []
        self._last_t: float | None = None
        self._company_t: float | None = None
        """When another person was last seen (a track labelled so)."""

    # -- public ------------------------------------------------------------------------------

    @property
    def signature(self) -> Signature | None:
        """Your breathing signature so far (``None`` before your first breath)."""
        return self.profile.signature()

    def choose(self, frame: VitalsFrame) -> TargetVitals | None:
        """Fold in one frame; the user's target, or ``None`` (see :attr:`verdict`)."""
        t = frame.t
        last, self._last_t = self._last_t, t
        if last is not None and t - last > HANDOVER_S:
            self._tracks.clear()
            self._lost.clear()
        born: list[Track] | None = None
        seen = self._seen
        seen.clear()
        review_ok = self.profile.ready
        for target in frame.targets:
            distance, angle = target.distance_m, target.angle_deg
            track = self._tracks.get(target.target_id)
            if track is not None:  # continuity: same id, inside the gate around the prediction
                dt = max(t - track.last_t, 0.0)
                innovation = distance - track.distance - track.velocity * min(dt, 1.0)
                jump = abs(innovation)
                ok = dt <= TRACK_LOST_S and jump <= GATE_M + SPEED_M_S * dt
                if ok and angle is not None and track.angle is not None:
                    ok = abs(angle - track.angle) <= GATE_DEG + SPEED_DEG_S * dt
                if not ok:
                    self._lose(track)
                    track = None
                else:
                    if dt > 0.0:
                        v = track.velocity + VELOCITY_GAIN * innovation / max(dt, 0.05)
                        track.velocity = min(max(v, -MAX_SPEED_M_S), MAX_SPEED_M_S)
                    if (
                        (dt > DISTURB_GAP_S or jump > JUMP_M)
                        and review_ok
                        and track.label != Label.NEW
                        and track.status != "provisional"
                    ):
                        track.open_review()
            if track is None:
                track = Track(target, t)
                self._tracks[target.target_id] = track
                if born is None:
                    born = []
                born.append(track)
            track.target = target
            track.distance, track.angle = distance, angle
            track.quality = target.signal_quality
            track.last_t = t
            track.inside = self._in_zone(distance, angle, False)
            track.inside_margin = track.inside or self._in_zone(distance, angle, True)
            seen.append(track)
        if len(self._tracks) > len(seen):
            for track in list(self._tracks.values()):
                if t - track.last_t > TRACK_LOST_S:
                    self._lose(track)
        if born is not None:
            self._adopt(born, t)
        for track in seen:
            self._breathe(track, t)
            self._settle(track, t)
        return self._decide(frame)

    def reset(self) -> None:
        """Forget the open tracks (standby); what was learnt about you is kept."""
        self._tracks.clear()
        self._lost.clear()
        self._last_t = None
        self.verdict = Verdict()

    def dump_state(self) -> dict[str, Any]:
        """What a restart needs to carry on (JSON types)."""
        return {
            "profile": self.profile.dump(),
            "partner": self.partner.dump(),
            "home": [self.home_distance, self.home_angle],
            "company_t": self._company_t,
            "tracks": [track.dump() for track in self._tracks.values()],
            "last_t": self._last_t,
        }

    def load_state(self, state: dict[str, Any] | None) -> None:
        """Carry on from :meth:`dump_state` (``None``: a snapshot from before tracking)."""
        if state is None:
            return
        profile, partner = Profile(), Profile()
        profile.load(state["profile"])
        partner.load(state["partner"])
        home_d, home_a = state["home"]
        tracks = [Track.load(item) for item in state["tracks"]]
        last_t = state["last_t"]
        company_t = state.get("company_t")
        self.profile, self.partner = profile, partner
        self._company_t = None if company_t is None else float(company_t)
        self.home_distance = None if home_d is None else float(home_d)
        self.home_angle = None if home_a is None else float(home_a)
        self._tracks = {track.target_id: track for track in tracks}
        self._lost = []
        self._last_t = None if last_t is None else float(last_t)

    # -- geometry ----------------------------------------------------------------------------

    def _in_zone(self, distance: float, angle: float | None, margin: bool) -> bool:
        zone = self.zone
        dm = ZONE_MARGIN_M if margin else 0.0
        if not zone.min_distance_m - dm <= distance <= zone.max_distance_m + dm:
            return False
        if angle is None or zone.min_angle_deg is None or zone.max_angle_deg is None:
            return True
        am = ZONE_MARGIN_DEG if margin else 0.0
        return zone.min_angle_deg - am <= angle <= zone.max_angle_deg + am

    @staticmethod
    def _gated(
        distance: float,
        angle: float | None,
        ref_d: float,
        ref_a: float | None,
        dt: float,
        *,
        user: bool = False,
    ) -> float | None:
        """Normalised distance (<= 1 inside the kinematic gate) to a position ``dt`` s old."""
        dt = max(dt, 0.0)
        gate_m = min(GATE_M + SPEED_M_S * dt, USER_GATE_M if user else MAX_GATE_M)
        score = abs(distance - ref_d) / gate_m
        if angle is not None and ref_a is not None:
            gate_deg = min(GATE_DEG + SPEED_DEG_S * dt, USER_GATE_DEG if user else MAX_GATE_DEG)
            score = max(score, abs(angle - ref_a) / gate_deg)
        return score if score <= 1.0 else None

    def _near_home(self, distance: float, angle: float | None) -> bool:
        if self.home_distance is None:
            return True
        if abs(distance - self.home_distance) > HOME_GATE_M:
            return False
        if angle is not None and self.home_angle is not None:
            return abs(angle - self.home_angle) <= HOME_GATE_DEG
        return True

    # -- tracks ------------------------------------------------------------------------------

    def _lose(self, track: Track) -> None:
        if self._tracks.get(track.target_id) is track:
            del self._tracks[track.target_id]
        last = self._last_t if self._last_t is not None else track.last_t
        self._lost = [lost for lost in self._lost if last - lost.last_t <= HANDOVER_S]
        self._lost.append(track)

    def _adopt(self, born: list[Track], t: float) -> None:
        """Hand new tracks the labels of lost ones (nearest inside the kinematic gate).

        Bodies appearing outside your zone claim lost tracks first: a partner who comes back
        from your half to their own is then not mistaken for you arriving at the same moment.
        """
        self._lost = [lost for lost in self._lost if t - lost.last_t <= HANDOVER_S]
        parents = self._lost + [track for track in self._tracks.values() if track.last_t < t]
        if not parents:
            return
        for track in sorted(born, key=lambda item: item.inside):
            target = track.target
            best: Track | None = None
            best_score = 2.0
            for parent in parents:
                dt = t - parent.last_t
                score = self._gated(
                    target.distance_m,
                    target.angle_deg,
                    parent.distance + parent.velocity * min(max(dt, 0.0), 1.0),
                    parent.angle,
                    dt,
                    user=parent.label == Label.USER,
                )
                if score is not None and score < best_score:
                    best, best_score = parent, score
            if best is None:
                continue
            parents.remove(best)
            if best in self._lost:
                self._lost.remove(best)
            elif self._tracks.get(best.target_id) is best:
                del self._tracks[best.target_id]
            track.label, track.status, track.why = best.label, best.status, best.why
            if best.label == Label.OTHER and best.why == "far side":
                track.why = "followed"
            track.sig.copy_from(best.sig)
            track.out_since = best.out_since

    # -- breathing ---------------------------------------------------------------------------

    def _breathe(self, track: Track, t: float) -> None:
        target = track.target
        samples = target.respiration_mm
        if not samples or target.respiration_rate_hz <= 0.0:
            return
        dt = 1.0 / target.respiration_rate_hz
        clean = target.movement < BODY_MOVEMENT and target.signal_quality >= MIN_QUALITY
        n = len(samples)
        for k in range(n):
            breath = track.meter.add(samples[k], t - (n - 1 - k) * dt, dt, clean)
            if breath is not None:
                self._on_breath(track, math.log(breath[0]), math.log(breath[1]))

    def _hypotheses(self, track: Track, p: float, a: float, review: bool) -> dict[str, float]:
        """Log-likelihood of a breath (or of a review's mean) under each identity of a track.

        ``user``: your signature; ``lineage``: the signature of the body the track has
        followed (someone else's); ``other``: the partner's signature, else adult population
        values; ``pet``: a pet's. A review's mean of about :data:`REVIEW_EFFECTIVE_BREATHS`
        breaths has the per-breath spread divided accordingly plus the state spread.
        """

        def spread(var_b: float, state: float) -> float:
            if not review:
                return math.sqrt(var_b)
            return math.sqrt(var_b / REVIEW_EFFECTIVE_BREATHS + state * state)

        def like(sig: Profile) -> float:
            sp = spread(sig.sd_period**2, STATE_SD_LOG_PERIOD)
            sa = spread(sig.sd_amp**2, STATE_SD_LOG_AMP)
            return gauss(p, sig.log_period, sp) + gauss(a, sig.log_amp, sa)

        out: dict[str, float] = {}
        profile = self.profile
        if profile.ready:
            out[Label.USER] = like(profile)
        other_prior = self._other_prior(track)
        ref_amp = profile.log_amp if profile.ready else POP_LOG_AMP
        sp0 = spread(BREATH_SD_LOG_PERIOD**2, STATE_SD_LOG_PERIOD)
        sa0 = spread(BREATH_SD_LOG_AMP**2, STATE_SD_LOG_AMP)
        lineage = track.sig if track.label in (Label.OTHER, Label.PET) else None
        if lineage is not None and lineage.ready and track.label == Label.OTHER:
            ref_amp = max(ref_amp, lineage.log_amp)  # a pet is small next to this person too
        if lineage is not None and lineage.ready:
            out["lineage"] = like(lineage)
        elif other_prior is None:
            pass  # the other person is seen elsewhere: one body, one track
        elif self.partner.ready and track.label != Label.PET:
            out[Label.OTHER] = like(self.partner) + other_prior
        else:
            amp_sd = 0.3 if profile.ready else POP_SD_LOG_AMP
            out[Label.OTHER] = (
                gauss(p, POP_LOG_PERIOD, math.hypot(sp0, POP_SD_LOG_PERIOD))
                + gauss(a, ref_amp, math.hypot(sa0, amp_sd))
                + other_prior
            )
        out[Label.PET] = gauss(p, PET_LOG_PERIOD, math.hypot(sp0, PET_SD_LOG_PERIOD)) + gauss(
            a, ref_amp + PET_LOG_AMP_OFFSET, math.hypot(sa0, PET_SD_LOG_AMP)
        )
        return out

    def _other_prior(self, track: Track) -> float | None:
        """Prior log-odds that ``track`` is another person.

        ``None`` when that person is tracked elsewhere right now (one body, one track: the
        mutual exclusion of data association).
        """
        last = self._last_t if self._last_t is not None else track.last_t
        for other in self._tracks.values():
            if (
                other is not track
                and other.label == Label.OTHER
                and other.why in ("far side", "followed")
                and last - other.last_t <= TRACK_LOST_S
            ):
                return None
        if self._company_t is not None and last - self._company_t <= COMPANY_S:
            return 0.0
        return STRANGER_PRIOR

    def _on_breath(self, track: Track, p: float, a: float) -> None:
        """One breath of a track (log period, log amplitude): test, review, learn."""
        own = Label.USER if track.label == Label.USER else "lineage"
        if track.label in (Label.USER, Label.OTHER, Label.PET) and not track.review:
            ll = self._hypotheses(track, p, a, review=False)
            if own in ll:  # Page's CUSUM of the best alternative against the track's own
                alt = max(v for k, v in ll.items() if k != own)
                track.cusum = max(0.0, track.cusum + alt - ll[own] - CUSUM_DRIFT)
                if track.cusum > CUSUM_ALARM:
                    track.open_review()
        undecided = (
            track.label == Label.NEW
            or track.status == "provisional"
            or (track.label in (Label.OTHER, Label.PET) and not track.sig.ready)
        )
        if track.review or undecided:
            track.short_n += 1
            alpha = max(1.0 / track.short_n, SHORT_ALPHA)
            if track.short_n > 3:
                p_clipped = min(max(p, track.short_period - 0.5), track.short_period + 0.5)
            else:
                p_clipped = p
            track.short_period += alpha * (p_clipped - track.short_period)
            track.short_amp += alpha * (a - track.short_amp)
            if track.short_n >= REVIEW_MIN_BREATHS:
                self._review(track)
        if track.review:
            return  # learn nothing while it is unclear whose breathing this is
        if track.label == Label.USER and track.status != "provisional":
            if track.inside_margin:
                self.profile.add(p, a)
        elif track.label in (Label.OTHER, Label.PET):
            track.sig.add(p, a)
            sig = track.sig
            if (
                track.label == Label.OTHER
                and track.why in ("far side", "followed")
                and sig.ready
                and sig.log_period > PERSON_MIN_LOG_PERIOD  # not a pet taken for a person
            ):
                self.partner.add(p, a)

    def _review(self, track: Track) -> None:
        """Decide whose breathing a track shows, if the evidence is clear.

        The track's current identity (yours, or the lineage of the body it followed) is
        replaced only when another hypothesis beats it by :data:`DEMOTE_MARGIN` (an
        established identity) or :data:`REVIEW_MARGIN`, and beats every other hypothesis by
        :data:`REVIEW_MARGIN`.
        """
        ll = self._hypotheses(track, track.short_period, track.short_amp, review=True)
        if Label.USER not in ll:  # before your signature, only a pet can be told from a person
            if (
                track.label != Label.PET
                and Label.OTHER in ll
                and ll[Label.PET] - ll[Label.OTHER] >= REVIEW_MARGIN
            ):
                self._make_pet(track)
            return
        own = Label.USER if track.label == Label.USER else ("lineage" if "lineage" in ll else None)
        ranked = sorted(ll.items(), key=lambda item: item[1], reverse=True)
        best, best_ll = ranked[0]
        if best == own:
            decided = best_ll - ranked[1][1] >= REVIEW_MARGIN
        else:
            # A pet is easy to tell from a person: only a person's identity needs more.
            if own == Label.USER and track.status != "provisional":
                need = DEMOTE_MARGIN
            elif own == "lineage" and track.label == Label.OTHER:
                need = TAKEOVER_MARGIN
            else:
                need = REVIEW_MARGIN
            decided = (own is None or best_ll - ll[own] >= need) and all(
                best_ll - v >= REVIEW_MARGIN for k, v in ll.items() if k not in (best, own)
            )
        if not decided:
            if track.short_n >= REVIEW_MAX_BREATHS:
                track.review = False
                if track.label == Label.USER and track.status == "provisional":
                    track.status = "continuous"  # nothing against it: your place decides
            return
        track.review = False
        track.cusum = 0.0
        if best == Label.USER:
            if track.label != Label.USER:
                if not track.inside_margin or self._user_visible(exclude=track):
                    return
                self._crown(track)
            track.status = "verified"
        elif best == Label.PET:
            self._make_pet(track)
        elif best == Label.OTHER:
            if track.label == Label.USER:
                track.why = "breathing" if track.status == "provisional" else "changed"
                track.label, track.status = Label.OTHER, ""
                track.sig.reset()
            elif track.label == Label.NEW:
                track.label, track.why = Label.OTHER, "breathing"
        # best == "lineage": the same body as before; nothing changes

    # -- labels ------------------------------------------------------------------------------

    @staticmethod
    def _make_pet(track: Track) -> None:
        if track.label != Label.PET:
            track.label, track.status, track.why = Label.PET, "", "breathing"
            track.sig.reset()

    def _user_visible(self, exclude: Track | None = None) -> bool:
        for track in self._tracks.values():
            if (
                track is not exclude
                and track.label == Label.USER
                and track.last_t == self._last_t
                and track.inside_margin
            ):
                return True
        return False

    def _crown(self, track: Track) -> None:
        """Make ``track`` yours; any other track labelled yours becomes someone else's."""
        for other in self._tracks.values():
            if other is not track and other.label == Label.USER:
                other.label, other.status, other.why = Label.OTHER, "", "far side"
        track.label = Label.USER
        track.why = ""
        track.review = False
        track.cusum = 0.0

    def _settle(self, track: Track, t: float) -> None:
        target = track.target
        inside = track.inside
        if inside:
            track.out_since = None
        elif track.out_since is None:
            track.out_since = t
        out_since = track.out_since
        if track.label == Label.NEW and out_since is not None and t - out_since >= FAR_SIDE_S:
            track.label, track.why = Label.OTHER, "far side"
        if track.label == Label.OTHER:
            self._company_t = t
        elif track.label == Label.NEW and inside and not self._user_visible(exclude=track):
            if not self.profile.ready:
                self._crown(track)
                track.status = "continuous"
            elif self._near_home(target.distance_m, target.angle_deg):
                self._crown(track)
                track.status = "provisional"
        if (
            track.label == Label.USER
            and track.status != "provisional"
            and inside
            and target.movement < BODY_MOVEMENT
        ):
            alpha = min(1.0, 0.1 / HOME_TAU_S) if self.home_distance is not None else 1.0
            if self.home_distance is None:
                self.home_distance = target.distance_m
            else:
                self.home_distance += alpha * (target.distance_m - self.home_distance)
            if target.angle_deg is not None:
                if self.home_angle is None:
                    self.home_angle = target.angle_deg
                else:
                    self.home_angle += alpha * (target.angle_deg - self.home_angle)

    # -- the frame's decision ----------------------------------------------------------------

    def _decide(self, frame: VitalsFrame) -> TargetVitals | None:
        verdict = self.verdict
        chosen: TargetVitals | None = None
        chosen_track: Track | None = None
        excluded = Decision.NOBODY
        rank = 0
        ex_target: TargetVitals | None = None
        ambiguous = False
        for track in self._seen:
            target, inside = track.target, track.inside
            if track.label == Label.USER:
                if track.inside_margin:
                    if chosen is None or target.signal_quality > chosen.signal_quality:
                        chosen, chosen_track = target, track
                    continue
                decision, r = Decision.OUTSIDE, 2
            elif not inside:
                decision, r = (
                    (Decision.PET_HERE, 1) if track.label == Label.PET else (Decision.FAR_SIDE, 1)
                )
            elif track.label == Label.PET:
                decision, r = Decision.PET_HERE, 4
            elif track.label == Label.OTHER:
                decision, r = {
                    "changed": (Decision.CHANGED, 5),
                    "breathing": (Decision.NOT_YOU, 4),
                }.get(track.why, (Decision.OTHER_HERE, 4))
            else:
                decision, r = Decision.UNKNOWN_HERE, 3
                ambiguous = True
            if r > rank:
                excluded, rank, ex_target = decision, r, target
        if chosen is not None and chosen_track is not None:
            confidence = CONFIDENCE.get(chosen_track.status, CONFIDENCE["continuous"])
            if ambiguous:
                confidence *= AMBIGUOUS_FACTOR
            if chosen_track.inside is False:
                confidence *= MARGIN_FACTOR
            verdict.decision, verdict.confidence = Decision.YOU, confidence
            verdict.distance_m, verdict.angle_deg = chosen.distance_m, chosen.angle_deg
            verdict.target_id = chosen.target_id
            verdict.ignored = excluded
            verdict.ignored_distance_m = None if ex_target is None else ex_target.distance_m
            return chosen
        if ex_target is None and not frame.targets and frame.device_presence:
            excluded = Decision.DEVICE
        verdict.decision, verdict.confidence, verdict.target_id = excluded, 0.0, None
        verdict.ignored, verdict.ignored_distance_m = Decision.NOBODY, None
        verdict.distance_m = None if ex_target is None else ex_target.distance_m
        verdict.angle_deg = None if ex_target is None else ex_target.angle_deg
        return None
