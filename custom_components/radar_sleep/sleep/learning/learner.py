"""The user's learning, fed by the pipeline: calibration and stage adaptation, night by night.

:class:`UserLearning` watches the epochs the pipeline processes (:meth:`UserLearning.observe`)
and learns from them only when a night has ended (:meth:`UserLearning.night_ended`), so that
whatever a night is staged with was learned from completed past nights.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ...contracts import Stage
from ..features import EpochFeatures
from .adaptation import StageAdaptation
from .calibration import Calibration, NightObservation

MAX_EMPTY_EPOCHS = 2 * 2880
"""Empty-bed epochs kept per night (two days; the bed is empty most of the day)."""


class UserLearning:
    """What is learned from one user's nights: :attr:`calibration` and :attr:`adaptation`."""

    def __init__(self, adaptation: StageAdaptation | None = None) -> None:
        """Nothing learned yet (``adaptation`` defaults to one on the shipped reference)."""
        self.calibration = Calibration()
        self.adaptation = adaptation or StageAdaptation()
        self._night = NightObservation()
        self._rows: list[NDArray[np.float64]] = []

    def observe(
        self,
        feats: EpochFeatures,
        confidence: float,
        *,
        present: bool,
        in_session: bool,
        stage: Stage | None,
    ) -> None:
        """One processed epoch.

        Its features, mean presence confidence, whether the user was in bed (``present``) and
        in a session, and its stage (``None``: not staged).
        """
        night = self._night
        if present:
            self._rows.append(feats.vector())
            if in_session:
                night.occupied.append(confidence)
            if stage is not None and stage is not Stage.WAKE:
                if feats.breathing_rate_bpm is not None:
                    night.sleeping_rates.append(feats.breathing_rate_bpm)
                night.still_movement.append(feats.movement_max)
        elif not in_session and len(night.empty) < MAX_EMPTY_EPOCHS:
            night.empty.append(confidence)

    def night_ended(self) -> None:
        """A night has ended: learn from it, and start observing the next.

        The next night starts afresh even if learning from this one fails (it is then not
        learned from twice).
        """
        night, rows = self._night, self._rows
        self._night = NightObservation()
        self._rows = []
        self.calibration.add_night(night)
        if rows:
            self.adaptation.add_night(np.stack(rows))

    def forget_night(self) -> None:
        """Drop what was observed of the night in progress (standby, restart)."""
        self._night = NightObservation()
        self._rows = []
