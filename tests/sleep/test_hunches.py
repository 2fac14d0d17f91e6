"""Hunches without Home Assistant: what is left undone, the reasons, and what answers teach."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from custom_components.radar_sleep.sleep.hunches import (
    AlarmOutlook,
    Answer,
    Hunch,
    HunchKind as K,
    HunchMemory,
    HunchSettings,
    Moment,
    Observed,
    automatic_offer,
    hunches_for,
    morning_of,
    usual_alarm_weekdays,
)

AT = datetime(2026, 11, 23, 23, 12, tzinfo=ZoneInfo("Europe/Berlin"))
"""Monday 23:12."""

SETTINGS = HunchSettings(
    chosen={
        K.LIGHT: ("light.kitchen", "light.hall"),
        K.MEDIA: ("media_player.tv",),
        K.LOCK: ("lock.front",),
        K.COVER: ("cover.garage",),
        K.OPENING: ("binary_sensor.back_door",),
        K.CLIMATE: ("climate.hall",),
    },
    sleep_temperature=18.0,
    check_alarm=True,
)


def test_only_chosen_entities_left_undone_are_hunches() -> None:
    observed = [
        Observed(K.LIGHT, "light.kitchen", "Kitchen light", "on"),
        Observed(K.LIGHT, "light.hall", "Hall light", "off"),
        Observed(K.LIGHT, "light.bedroom", "Bedroom light", "on"),  # not chosen
        Observed(K.MEDIA, "media_player.tv", "TV", "playing"),
        Observed(K.LOCK, "lock.front", "Front door", "unlocked"),
        Observed(K.COVER, "cover.garage", "Garage door", "open"),
        Observed(K.OPENING, "binary_sensor.back_door", "Back door", "on"),
        Observed(K.CLIMATE, "climate.hall", "Thermostat", "heat", target=21.0),
    ]
    found = hunches_for(observed, SETTINGS, Moment.TRYING_TO_SLEEP, AT)
    assert [(h.key, h.question) for h in found] == [
        ("light.kitchen", "Turn off Kitchen light?"),
        ("media_player.tv", "Pause TV?"),
        ("lock.front", "Lock Front door?"),
        ("cover.garage", "Close Garage door?"),
        ("binary_sensor.back_door", "Back door is open. Have a look?"),
        ("climate.hall", "Set Thermostat to 18 °C?"),
    ]
    assert found[0].reason == "Kitchen light was on when you started trying to sleep at 23:12."
    assert found[5].reason == (
        "Thermostat was set to 21 °C, above your sleep temperature of 18 °C when you started "
        "trying to sleep at 23:12."
    )
    assert found[5].target == 18.0
    assert found[0].done == "Turned off Kitchen light."


def test_nothing_left_undone_and_a_thermostat_at_or_below_the_sleep_temperature() -> None:
    observed = [
        Observed(K.MEDIA, "media_player.tv", "TV", "paused"),
        Observed(K.LOCK, "lock.front", "Front door", "locked"),
        Observed(K.COVER, "cover.garage", "Garage door", "closed"),
        Observed(K.CLIMATE, "climate.hall", "Thermostat", "heat", target=18.2),
        Observed(K.CLIMATE, "climate.hall", "Thermostat", "off", target=25.0),
    ]
    assert hunches_for(observed, SETTINGS, Moment.FELL_ASLEEP, AT) == []


def test_the_missing_alarm_on_a_usual_day_and_not_when_skipped() -> None:
    tuesday = date(2026, 11, 24)
    missing = AlarmOutlook(morning=tuesday, set_for_morning=False, usual=True)
    (found,) = hunches_for([], SETTINGS, Moment.FELL_ASLEEP, AT, missing)
    assert found.kind is K.ALARM
    assert found.question == "Turn on the alarm for Tuesday?"
    assert found.reason == (
        "No alarm was set for Tuesday when you fell asleep at 23:12, and you usually have one "
        "on Tuesdays."
    )
    skipped = AlarmOutlook(morning=tuesday, set_for_morning=False, usual=True, skipped=True)
    unusual = AlarmOutlook(morning=tuesday, set_for_morning=False, usual=False)
    unchecked = HunchSettings(chosen=SETTINGS.chosen, check_alarm=False)
    assert hunches_for([], SETTINGS, Moment.FELL_ASLEEP, AT, skipped) == []
    assert hunches_for([], SETTINGS, Moment.FELL_ASLEEP, AT, unusual) == []
    assert hunches_for([], unchecked, Moment.FELL_ASLEEP, AT, missing) == []


def test_the_coming_morning_and_the_usual_alarm_days() -> None:
    assert morning_of(AT) == date(2026, 11, 24)
    assert morning_of(AT.replace(day=24, hour=0, minute=40)) == date(2026, 11, 24)
    # Tuesdays: set 3 of the last 4 (usual); Wednesdays: set on 2 only; a fifth, older
    # Tuesday without the alarm is beyond the last four.
    mornings = {
        date(2026, 10, 20): False,
        date(2026, 10, 27): True,
        date(2026, 11, 3): True,
        date(2026, 11, 10): False,
        date(2026, 11, 17): True,
        date(2026, 11, 4): True,
        date(2026, 11, 11): True,
        date(2026, 11, 18): False,
    }
    assert usual_alarm_weekdays(mornings) == frozenset({1})


def bedtime_hunch(observed: Observed) -> Hunch:
    """The one hunch ``observed`` gives when the user starts trying to sleep at :data:`AT`."""
    (hunch,) = hunches_for([observed], SETTINGS, Moment.TRYING_TO_SLEEP, AT)
    return hunch


def test_three_dismissals_in_a_row_mute_a_hunch_and_an_acceptance_breaks_the_run() -> None:
    memory = HunchMemory()
    hunch = bedtime_hunch(Observed(K.LIGHT, "light.kitchen", "Kitchen light", "on"))
    assert not memory.answer(hunch, Answer.DISMISS).muted
    assert not memory.answer(hunch, Answer.DISMISS).muted
    memory.answer(hunch, Answer.ACCEPT)
    assert not memory.answer(hunch, Answer.DISMISS).muted
    assert not memory.answer(hunch, Answer.DISMISS).muted
    assert memory.answer(hunch, Answer.DISMISS).muted
    assert memory.is_muted("light.kitchen")
    assert not memory.is_muted("light.hall")
    memory.reset()
    assert not memory.is_muted("light.kitchen")


def test_five_acceptances_in_a_row_offer_the_kind_once() -> None:
    memory = HunchMemory()
    hunch = bedtime_hunch(Observed(K.LOCK, "lock.front", "Front door", "unlocked"))
    offers = [memory.answer(hunch, Answer.ACCEPT).offer_automatic for _ in range(7)]
    assert offers == [False, False, False, False, True, False, False]
    offer = automatic_offer(hunch)
    assert offer.offer
    assert offer.kind is K.LOCK
    assert offer.entity_id is None
    assert offer.question == "From now on, lock the locks at bedtime without asking?"
    assert offer.reason == "You answered yes to \u201cLock Front door?\u201d 5 times in a row."


def test_a_reminder_only_hunch_is_never_offered_as_automatic() -> None:
    memory = HunchMemory()
    hunch = bedtime_hunch(Observed(K.OPENING, "binary_sensor.back_door", "Back door", "on"))
    assert not any(memory.answer(hunch, Answer.ACCEPT).offer_automatic for _ in range(6))


def test_the_memory_round_trips_through_json_types() -> None:
    memory = HunchMemory()
    hunch = bedtime_hunch(Observed(K.LIGHT, "light.kitchen", "Kitchen light", "on"))
    for _ in range(3):
        memory.answer(hunch, Answer.DISMISS)
    memory.record_morning(date(2026, 11, 24), alarm_set=True)
    memory.offered.add(K.LOCK)
    again = HunchMemory.from_dict(memory.as_dict())
    assert again == memory
    assert again.records["light.kitchen"].dismissed == 3
    assert type(hunch).from_dict(hunch.as_dict()) == hunch
