"""Assist's default agent: the sentences about sleep and the alarm, without a file to install.

The templates of ``voice_sentences.py`` are registered as one sentence trigger with Home
Assistant's conversation integration (``AgentManager.register_trigger``, the interface behind
automations' *Sentence* trigger): the default agent matches them before its built-in intents,
and the trigger hands each matched sentence to its intent (``intents.py``), whose speech is
the answer. Nothing is written to the user's configuration; the trigger is registered while a
tracker is loaded and registered again when trackers come and go (with several, the sentences
accept their names and areas: "how did I sleep in the guest room").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_COMPONENT_LOADED
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import area_registry as ar, device_registry as dr, intent
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .intents import (
    SLOT_TRACKER,
    async_follow_alarm_rings,
    async_register_intents,
    normalize,
    tracker_names,
    trackers,
)
from .voice_sentences import (
    NIGHT_MARKER,
    NIGHT_WORDS,
    SENTENCES,
    TRACKER_ARTICLES,
    TRACKER_MARKER,
    TRACKER_PREPOSITIONS,
    SentenceGroup,
)

if TYPE_CHECKING:
    from homeassistant.components.conversation import ConversationInput

    from .runtime import RadarSleepConfigEntry

DATA_VOICE: HassKey[Voice] = HassKey(f"{DOMAIN}_voice")
_HASSIL_SYNTAX = re.compile(r"[()\[\]{}<>|;]")
"""Characters with a meaning in sentence templates, removed from names put into them."""


class Voice:
    """The sentence trigger of every tracker."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing registered yet."""
        self.hass = hass
        self.templates: dict[str, SentenceGroup] = {}
        """The registered templates (markers expanded) and what each asks."""
        self._unregister: CALLBACK_TYPE | None = None

    @callback
    def async_refresh(
        self, exclude: str | None = None, adding: RadarSleepConfigEntry | None = None
    ) -> None:
        """Register the sentences for the loaded trackers.

        ``exclude``: a tracker being unloaded; ``adding``: one being set up (not loaded yet:
        Home Assistant usually sets up its conversation integration first). With several
        trackers, the sentences accept their names and areas ("in the guest room"). Without
        trackers, or without Home Assistant's conversation integration (it is part of the
        default configuration), nothing stays registered.
        """
        if self._unregister is not None:
            self._unregister()
            self._unregister = None
        entries = trackers(self.hass, exclude)
        if adding is not None and adding not in entries:
            entries.append(adding)
        if not entries or "conversation" not in self.hass.config.components:
            self.templates = {}
            return
        # Imported here: the conversation integration (and its sentence parser) may not be
        # installed where it is not configured.
        from homeassistant.components.conversation.agent_manager import (  # noqa: PLC0415
            get_agent_manager,
        )

        names = sorted(
            {
                cleaned
                for entry in entries
                for name in tracker_names(self.hass, entry)
                if (cleaned := " ".join(_HASSIL_SYNTAX.sub(" ", name).split()))
            }
        )
        # With one tracker too: naming it ("... in the bedroom") must not fall through to Home
        # Assistant's own sentences, which answer that no device has that name.
        self.templates = expand_templates(names)
        self._unregister = get_agent_manager(self.hass).register_trigger(
            list(self.templates), self._async_heard
        )

    async def _async_heard(self, user_input: ConversationInput, result: Any) -> str | None:
        """A sentence matched: hand it to its intent and answer with the intent's speech.

        ``result`` is the sentence parser's (hassil's) ``RecognizeResult``: the template that
        matched and the wildcards' text.
        """
        template = result.intent_sentence.text if result.intent_sentence else None
        group = self.templates.get(template or "")
        if group is None:
            return None
        slots: dict[str, Any] = {key: {"value": value} for key, value in group.slots.items()}
        for name, entity in result.entities.items():
            text = str(entity.text or entity.value).strip()
            if text:
                slots[name] = {"value": text}
        if (tracker := self._tracker_named(user_input.text)) is not None:
            slots[SLOT_TRACKER] = {"value": tracker}
        response = await intent.async_handle(
            self.hass,
            DOMAIN,
            group.intent,
            slots,
            text_input=user_input.text,
            context=user_input.context,
            language=user_input.language,
            assistant="conversation",
            device_id=user_input.device_id,
            satellite_id=user_input.satellite_id,
            conversation_agent_id=user_input.agent_id,
        )
        speech: str = response.speech.get("plain", {}).get("speech", "")
        return speech

    def _tracker_named(self, text: str) -> str | None:
        """The tracker name or area said at the end of ``text`` ("... in the guest room").

        Only with several trackers (one tracker is the one meant, named or not).
        """
        entries = trackers(self.hass)
        if len(entries) < 2:
            return None
        words = normalize(text).split()
        prepositions = {p for ps in TRACKER_PREPOSITIONS.values() for p in ps}
        articles = {a for aa in TRACKER_ARTICLES.values() for a in aa}
        found: list[str] = []
        for entry in entries:
            for name in tracker_names(self.hass, entry):
                said = normalize(name).split()
                if not said or words[-len(said) :] != said:
                    continue
                before = words[: -len(said)]
                if before and before[-1] in articles:
                    before = before[:-1]
                if before and before[-1] in prepositions:
                    found.append(name)
        return max(found, key=len) if found else None


def expand_templates(names: list[str]) -> dict[str, SentenceGroup]:
    """Every language's templates with their markers expanded, and the group of each.

    ``names``: what the trackers can be called in a sentence (none: no tracker part).
    """
    templates: dict[str, SentenceGroup] = {}
    for language, groups in SENTENCES.items():
        tracker = ""
        if names:
            prepositions = "|".join(TRACKER_PREPOSITIONS[language])
            articles = "|".join(TRACKER_ARTICLES[language])
            tracker = f"[({prepositions}) [{articles}] ({'|'.join(names)})]"
        for group in groups:
            for sentence in group.sentences:
                # Every question can name its tracker at the end, also those without the
                # marker (ending in a time, a set of days or a fixed phrase).
                marked = sentence if TRACKER_MARKER in sentence else f"{sentence} {TRACKER_MARKER}"
                text = marked.replace(NIGHT_MARKER, NIGHT_WORDS[language]).replace(
                    TRACKER_MARKER, tracker
                )
                templates[" ".join(text.split())] = group
    return templates


@callback
def async_setup_assist(hass: HomeAssistant) -> None:
    """Register the intents, and follow what the sentences depend on (once, for every tracker).

    The sentences follow the conversation integration being loaded, devices moving between
    areas and areas being renamed (their names call trackers).
    """
    async_register_intents(hass)
    hass.data[DATA_VOICE] = voice = Voice(hass)

    @callback
    def _conversation_loaded(event: Event[Any]) -> None:
        if event.data.get("component") == "conversation":
            voice.async_refresh()

    @callback
    def _device_moved(event: Event[Any]) -> None:
        """A device moved to another area: trackers can be called by their area's name."""
        if event.data.get("action") == "update" and "area_id" in event.data.get("changes", {}):
            _names_changed(event)

    @callback
    def _names_changed(_event: Event[Any]) -> None:
        if len(trackers(hass)) > 1:
            voice.async_refresh()

    hass.bus.async_listen(EVENT_COMPONENT_LOADED, _conversation_loaded)
    hass.bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, _device_moved)
    hass.bus.async_listen(ar.EVENT_AREA_REGISTRY_UPDATED, _names_changed)


@callback
def async_setup_assist_entry(hass: HomeAssistant, entry: RadarSleepConfigEntry) -> None:
    """A tracker was set up: follow its alarm, register the sentences with its name.

    Unloading it registers them again without it (none when it was the last).
    """
    voice = hass.data[DATA_VOICE]
    entry.async_on_unload(async_follow_alarm_rings(hass, entry))
    voice.async_refresh(adding=entry)
    entry.async_on_unload(lambda: voice.async_refresh(exclude=entry.entry_id))
