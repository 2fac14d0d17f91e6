"""Primary-user tracking: which radar target, if any, is the user (see :mod:`.tracker`).

``params`` (tuning), ``decisions`` (track labels and frame decisions), ``signature``
(breathing signatures), ``track`` (one body's track) and ``tracker`` (the per-frame decision).
"""

from .decisions import Decision, Label, describe
from .signature import Signature
from .tracker import PrimaryUserTracker, Verdict

__all__ = ["Decision", "Label", "PrimaryUserTracker", "Signature", "Verdict", "describe"]
