"""LLM tools: the sleep and alarm intents for LLM conversation agents (Assist API).

Home Assistant asks every loaded integration's ``llm`` platform for tools when an LLM agent
using the Assist API starts a conversation. Each tool runs one of the intents of
``intents.py``, so an LLM hears the same answers as the default agent.
"""

from __future__ import annotations

from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.llm import (
    LLM_API_ASSIST,
    IntentTool,
    LLMContext,
    Tool,
    ToolAnnotations,
)

from .const import DOMAIN
from .intents import HANDLERS, exposed_trackers

QUESTION = ToolAnnotations(read_only=True, destructive=False, idempotent=True, open_world=False)
"""A question about the night or the alarm: reads only, inside Home Assistant."""
ALARM_CHANGE = ToolAnnotations(destructive=False, idempotent=True, open_world=False)
"""Setting, turning off, skipping or unskipping the alarm: a change that can be undone."""
PROMPT = (
    "Radar Sleep tracks the user's sleep with a bedside radar and runs their smart alarm "
    "({names}). For questions about last night's sleep, being in bed, the bedroom during the "
    "night or the alarm, use the {domain}__ tools; answer with their numbers."
)


@callback
def async_get_tools(hass: HomeAssistant, llm_context: LLMContext, api_id: str) -> LLMTools | None:
    """One tool per intent for the Assist API, while a tracker is exposed to the assistant.

    A tracker none of whose entities is exposed to the assistant (Settings → Voice assistants
    → Expose) is not named to the agent, and its tools answer as if it did not exist.
    """
    if api_id != LLM_API_ASSIST:
        return None
    entries = exposed_trackers(hass, llm_context.assistant) if llm_context.assistant else []
    if not entries:
        return None
    tools: list[Tool] = [
        IntentTool(
            f"{DOMAIN}__{handler.tool_name}",
            handler(),
            integration=DOMAIN,
            annotations=QUESTION if handler.query else ALARM_CHANGE,
        )
        for handler in HANDLERS
    ]
    names = ", ".join(f"tracker {entry.title!r}" for entry in entries)
    return LLMTools(tools=tools, prompt=PROMPT.format(names=names, domain=DOMAIN))
