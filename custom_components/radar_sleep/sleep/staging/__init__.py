"""Stage models: features in, stage probabilities out (and the intent networks).

:mod:`.protocol` (the interface, the input transform, the model families), :mod:`.baseline`
(hidden Markov model and logistic intent score), :mod:`.network` (the trained networks,
onnxruntime or numpy); their files are in ``model_files/``. Which family runs is a setting
(:class:`.protocol.ModelFamily`, an argument of :class:`..pipeline.SleepPipeline`), not a
consequence of which files exist.
"""

from .baseline import BaselineParams, BaselineStager, intent_score, load_baseline_params
from .network import MODEL_DIR, EngineStager, IntentModel
from .protocol import ModelFamily, StageModel, model_inputs

__all__ = [
    "MODEL_DIR",
    "BaselineParams",
    "BaselineStager",
    "EngineStager",
    "IntentModel",
    "ModelFamily",
    "StageModel",
    "intent_score",
    "load_baseline_params",
    "model_inputs",
]
