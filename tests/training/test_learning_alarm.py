"""The alarm learning's measurement runs and reports its figures."""

from __future__ import annotations

from training.evaluate.learning_alarm import measure


def test_quick_measure_reports_the_figures() -> None:
    figures = measure(quick=True)
    assert figures["alarm_learning.after_set_time"] == 0
    assert figures["alarm_learning.fraction_of_way"] >= 0.5
    for user in ("snoozer", "riser"):
        assert f"alarm_learning.{user}.fraction_of_way" in figures
    # The snoozer is woken later than by the shipped policy, the riser earlier.
    shipped = figures["alarm_learning.shipped_mean_trigger_min"]
    assert figures["alarm_learning.snoozer.learned_trigger_min"] < shipped
    assert figures["alarm_learning.riser.learned_trigger_min"] > shipped
