"""The alarm learning's measurement runs and reports its figures."""

from __future__ import annotations

from training.evaluate.learning_alarm import measure


def test_quick_measure_reports_the_figures() -> None:
    figures = measure(quick=True)
    assert figures["alarm_learning.after_set_time"] == 0
    assert figures["alarm_learning.fraction_of_way"] >= 0.5
    for user in ("snoozer", "riser"):
        assert f"alarm_learning.{user}.fraction_of_way" in figures
    shipped = figures["alarm_learning.shipped_mean_trigger_min"]
    # The snoozer, who likes to be woken later than the shipped policy does, is woken closer
    # to it.
    preferred = figures["alarm_learning.snoozer.preferred_trigger_min"]
    learned = figures["alarm_learning.snoozer.learned_trigger_min"]
    assert abs(learned - preferred) < abs(shipped - preferred)
    # The riser would like the earliest good moment, which the shipped policy (sleep_value
    # 0.0005) already takes: the alarm learns less patience and is woken no later for it.
    assert figures["alarm_learning.riser.learned_patience_mean"] < 1.0
    assert figures["alarm_learning.riser.learned_trigger_min"] >= shipped
