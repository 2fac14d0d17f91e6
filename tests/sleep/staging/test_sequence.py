"""The stage network's causal sequence step: a forward filter over its probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.radar_sleep.sleep.staging.network import EngineStager, shipped_model
from custom_components.radar_sleep.sleep.staging.sequence import (
    ForwardFilter,
    SequenceParams,
    load_sequence_params,
)

TRANSITION = np.array(
    [[0.9, 0.1, 0.0, 0.0], [0.1, 0.9, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
)


def params(temperature: float = 1.0) -> SequenceParams:
    """Wake and light only, uniform class prior."""
    return SequenceParams(
        TRANSITION, np.array([0.5, 0.5, 0.0, 0.0]), np.full(4, 0.25), temperature, {}
    )


def test_step_skip_step() -> None:
    """Worked by hand: prior times probability over class prior, normalised."""
    filt = ForwardFilter(params())
    # initial (0.5, 0.5) x (0.2, 0.6) / 0.25 = (0.4, 1.2) -> (0.25, 0.75)
    np.testing.assert_allclose(filt.step(np.array([0.2, 0.6, 0.1, 0.1])), [0.25, 0.75, 0, 0])
    # time passes: (0.25, 0.75) @ T = (0.3, 0.7)
    filt.skip()
    # (0.3, 0.7) @ T = (0.34, 0.66); equal evidence for wake and light leaves it
    np.testing.assert_allclose(filt.step(np.array([0.5, 0.5, 0.0, 0.0])), [0.34, 0.66, 0, 0])


def test_temperature_tempers_the_evidence() -> None:
    """Exponent 0.5: a 4:1 probability ratio counts as 2:1."""
    filt = ForwardFilter(params(0.5))
    np.testing.assert_allclose(
        filt.step(np.array([0.8, 0.2, 0.0, 0.0])), [2 / 3, 1 / 3, 0, 0], rtol=1e-9
    )


def test_state_round_trip_and_reset() -> None:
    """A restart carries the belief on; reset starts from the initial distribution."""
    a = ForwardFilter(params())
    a.step(np.array([0.2, 0.6, 0.1, 0.1]))
    b = ForwardFilter(params())
    b.load_state(a.dump_state())
    probs = np.array([0.7, 0.1, 0.1, 0.1])
    np.testing.assert_allclose(b.step(probs), a.step(probs))
    a.reset()
    assert a.dump_state() is None
    with pytest.raises(ValueError, match="another size"):
        b.load_state([1.0, 0.0])


def test_shipped_parameters_are_a_filter() -> None:
    """Rows of the shipped transitions and the distributions sum to 1; positive exponent."""
    shipped = load_sequence_params()
    np.testing.assert_allclose(shipped.transition.sum(axis=1), 1.0, atol=1e-5)
    assert shipped.initial.sum() == pytest.approx(1.0, abs=1e-5)
    assert shipped.class_prior.sum() == pytest.approx(1.0, abs=1e-5)
    assert shipped.temperature > 0


def test_shipped_stager_runs_the_filter_over_the_network() -> None:
    """The default stager's output is the shipped filter over the shipped network's output;
    a restart carries the filter's belief on."""
    raw = EngineStager(shipped_model("stage"), backend="numpy", sequence=None)
    staged = EngineStager(backend="numpy")
    filt = ForwardFilter(load_sequence_params())
    epochs = [
        np.array([0.4, 0.9, 0.3, 0.35, 0.05, 0.1]),
        np.array([0.0, 0.0, 0.08, 0.09, 0.0, 0.0]),
        np.array([0.0, 0.0, 0.05, 0.06, -0.02, -0.1]),
    ]
    for x in epochs[:2]:
        net = raw.step(x)
        assert net is not None
        np.testing.assert_allclose(staged.step(x), filt.step(net), rtol=1e-6)
        # The network's own output behind the filtered one is kept (the smart alarm reads it).
        assert staged.network_probabilities is not None
        np.testing.assert_allclose(staged.network_probabilities, net, rtol=1e-6)
        assert raw.network_probabilities is None  # no sequence step: nothing behind it
    assert staged.skip() is not None
    assert staged.network_probabilities is None  # an epoch without data has no stage
    filt.skip()
    resumed = EngineStager(backend="numpy")
    resumed.load_state(staged.dump_state())
    raw.skip()
    net = raw.step(epochs[2])
    assert net is not None
    np.testing.assert_allclose(resumed.step(epochs[2]), filt.step(net), rtol=1e-6)
