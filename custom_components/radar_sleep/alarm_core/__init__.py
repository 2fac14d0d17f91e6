"""The smart alarm without Home Assistant: its schedule, its state machine and its policy.

``schedule`` works out when the alarm rings (the next set time, the window, daylight-saving
changes, grace periods); ``state`` holds the settings and the alarm's life and the failsafe's
reasoning; ``policy`` decides inside the window from the epochs whether to ring early. The
Home Assistant adapter (``alarm.py``) runs them with timers, listeners, lights and speakers.
"""
