"""The alarm learning's measurement runs and reports its figures."""

from __future__ import annotations

from training.evaluate.learning_alarm import measure


def test_quick_measure_reports_the_figures() -> None:
    figures = measure(quick=True)
    assert figures["alarm_learning.after_set_time"] == 0
    assert figures["alarm_learning.fraction_of_way"] >= 0.5
    for user in ("snoozer", "riser"):
        assert f"alarm_learning.{user}.fraction_of_way" in figures
    # Each user with a preference is woken closer to it than by the shipped policy (the
    # riser earlier; the snoozer, whose preference lies on the other side, moves towards it).
    shipped = figures["alarm_learning.shipped_mean_trigger_min"]
    assert figures["alarm_learning.riser.learned_trigger_min"] > shipped
    for user in ("snoozer", "riser"):
        preferred = figures[f"alarm_learning.{user}.preferred_trigger_min"]
        learned = figures[f"alarm_learning.{user}.learned_trigger_min"]
        assert abs(learned - preferred) < abs(shipped - preferred)
