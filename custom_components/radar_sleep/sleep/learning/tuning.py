"""The stage network tuned to the user's own nights, without labels: information maximisation.

Re-standardising the network's inputs (:mod:`.adaptation`) moves the user's nights to where
the training nights lie but leaves the network's features as they were learned on the
simulator's sensor. Source-free domain adaptation by *information maximisation* tunes the
network's hidden layers on unlabelled target data so that its predictions become confident
(low entropy per epoch) and stay diverse (their mean close to a target distribution), while
the output layer, the classifier proper, is kept as trained (Liang J, Hu D, Feng J. Do we
really need to access the source data? Source hypothesis transfer for unsupervised domain
adaptation. *ICML* 2020, PMLR 119:6028-6039; the information-maximisation loss of Krause A,
Perona P, Gomes R. Discriminative clustering by regularized information maximization.
*NeurIPS* 2010). Here the target distribution is the network's mean output over typical
training nights (``stage_adaptation.json``), as in distribution alignment (:mod:`.adaptation`),
and the loss per mini-batch of epochs is::

    mean_i H(p_i)  +  beta * KL(mean_i p_i || target)

with ``p_i`` the network's stage probabilities of epoch ``i``. It is minimised by Adam
(Kingma DP, Ba J. Adam: a method for stochastic optimization. *ICLR* 2015) for a fixed number
of passes from the shipped weights, with a fixed shuffling seed, so the same nights always
give the same network. Entropy minimisation drifts when run too long (the network grows
confident in its own mistakes), so the passes, the step size and ``beta`` are few and fixed;
they were chosen on simulated validation users, not on the users the evaluation reports
(``python -m training.evaluate.learning_adaptation``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from ..staging.network import MlpModel

PASSES = 15
"""Passes over the user's epochs."""
STEP_SIZE = 5e-5
"""Adam's step size."""
BETA = 2.0
"""Weight of the diversity term."""
BATCH = 512
"""Epochs per mini-batch."""
ANCHOR = 1e-3
"""Weight of the pull of each weight matrix back towards the shipped one (L2-SP: Li X,
Grandvalet Y, Davoine F. Explicit inductive bias for transfer learning with convolutional
networks. *ICML* 2018)."""
SEED = 0
"""Seed of the shuffling (the tuning is deterministic)."""
_EPS = 1e-12


def information_maximisation_gradient(
    probs: NDArray[np.float64], target: NDArray[np.float64], beta: float
) -> NDArray[np.float64]:
    """Gradient of the loss (module docstring) with respect to the output logits.

    ``probs``: softmax outputs of a mini-batch (n x k). With ``H_i`` the entropy of row
    ``i``, ``dH_i/dz_ik = -p_ik (log p_ik + H_i)``; with ``m`` the batch mean and
    ``g_k = log(m_k / target_k)``, ``dKL/dz_ik = p_ik (g_k - sum_j p_ij g_j) / n``.
    """
    n = probs.shape[0]
    log_p = np.log(probs + _EPS)
    entropy = -np.sum(probs * log_p, axis=1, keepdims=True)
    grad_entropy = -probs * (log_p + entropy) / n
    g = np.log(probs.mean(axis=0) / target + _EPS)
    grad_diversity = probs * (g - np.sum(probs * g, axis=1, keepdims=True)) / n
    out: NDArray[np.float64] = grad_entropy + beta * grad_diversity
    return out


def _forward(
    weights: list[NDArray[np.float64]], biases: list[NDArray[np.float64]], x: NDArray[np.float64]
) -> tuple[list[NDArray[np.float64]], NDArray[np.float64]]:
    """Every layer's output (the input first) and the softmax probabilities."""
    layers = [x]
    h = x
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = h @ w + b
        if i < last:
            h = np.maximum(h, 0.0)
        layers.append(h)
    e = np.exp(h - h.max(axis=1, keepdims=True))
    return layers, e / e.sum(axis=1, keepdims=True)


LogitGradient = Callable[[NDArray[np.float64], NDArray[np.intp]], NDArray[np.float64]]
"""``(probs, rows) -> dL/dlogits`` for a mini-batch: its probabilities and its row numbers."""


def tune(
    model: MlpModel,
    x: NDArray[np.float32],
    target: NDArray[np.float64],
    *,
    passes: int = PASSES,
    step_size: float = STEP_SIZE,
    beta: float = BETA,
) -> MlpModel:
    """``model`` with its hidden layers tuned on the input rows ``x`` (see the module docstring).

    ``x``: the network's input rows of the user's in-bed epochs (:class:`..staging.network.
    ContextEncoder`); ``target``: the stage distribution the mean output is kept near. The
    output layer is not changed. Deterministic for the same arguments.
    """

    def gradient(probs: NDArray[np.float64], _rows: NDArray[np.intp]) -> NDArray[np.float64]:
        return information_maximisation_gradient(probs, target, beta)

    return fit_layers(model, x, gradient, passes=passes, step_size=step_size)


def fit_layers(
    model: MlpModel,
    x: NDArray[np.float32],
    gradient: LogitGradient,
    *,
    passes: int,
    step_size: float,
    output_layer: bool = False,
) -> MlpModel:
    """``model`` fitted on the rows ``x`` by Adam on a loss given by its logit ``gradient``.

    The hidden layers always, the output layer too with ``output_layer``; each weight matrix
    is pulled towards ``model``'s by :data:`ANCHOR`. Mini-batches of :data:`BATCH` rows in an
    order drawn with :data:`SEED`.
    """
    shipped = [np.asarray(w, dtype=np.float64) for w in model.weights]
    weights = [w.copy() for w in shipped]
    biases = [np.asarray(b, dtype=np.float64).copy() for b in model.biases]
    fitted = len(weights) if output_layer else len(weights) - 1
    params = weights[:fitted] + biases[:fitted]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    data = np.asarray(x, dtype=np.float64)
    rng = np.random.default_rng(SEED)
    t = 0
    for _ in range(passes):
        order = rng.permutation(data.shape[0])
        for start in range(0, order.size, BATCH):
            rows = order[start : start + BATCH]
            layers, probs = _forward(weights, biases, data[rows])
            grad = gradient(probs, rows)
            grad_w: list[NDArray[np.float64]] = [np.empty(0)] * fitted
            grad_b: list[NDArray[np.float64]] = [np.empty(0)] * fitted
            for i in range(len(weights) - 1, -1, -1):
                if i < fitted:
                    grad_w[i] = layers[i].T @ grad + ANCHOR * (weights[i] - shipped[i])
                    grad_b[i] = grad.sum(axis=0)
                if i > 0:
                    grad = (grad @ weights[i].T) * (layers[i] > 0)
            t += 1
            for k, g in enumerate(grad_w + grad_b):
                first[k] = 0.9 * first[k] + 0.1 * g
                second[k] = 0.999 * second[k] + 0.001 * g * g
                m_hat = first[k] / (1 - 0.9**t)
                v_hat = second[k] / (1 - 0.999**t)
                params[k] -= step_size * m_hat / (np.sqrt(v_hat) + 1e-8)
    return replace(
        model,
        weights=tuple(w.astype(np.float32) for w in weights),
        biases=tuple(b.astype(np.float32) for b in biases),
    )
