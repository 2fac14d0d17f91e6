"""What the tracker learns from the user's own nights (Home-Assistant-free).

:mod:`.calibration` (the user's breathing baseline, movement and presence levels, usual
times) and :mod:`.adaptation` (the stage model's inputs re-standardised for this radar and
this body).
"""

from .adaptation import StageAdaptation
from .calibration import Calibration, CalibrationValues
from .learner import UserLearning

__all__ = ["Calibration", "CalibrationValues", "StageAdaptation", "UserLearning"]
