"""The conversation itself, written once for every channel: pure functions, no I/O."""

from dialogs.session import Session
from dialogs.steps import step
from dialogs.vocabulary import (
    Ask,
    CastBallot,
    Choice,
    Context,
    Event,
    Media,
    OptIn,
    Option,
    OptOut,
    Phase,
    ProposalView,
    Reply,
    Say,
    SubmitIdea,
    Text,
    Turn,
)

__all__ = [
    "Ask",
    "CastBallot",
    "Choice",
    "Context",
    "Event",
    "Media",
    "OptIn",
    "OptOut",
    "Option",
    "Phase",
    "ProposalView",
    "Reply",
    "Say",
    "Session",
    "SubmitIdea",
    "Text",
    "Turn",
    "step",
]
