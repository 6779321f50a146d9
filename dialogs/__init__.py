"""The conversation itself, written once for every channel: pure functions, no I/O."""

from dialogs.session import Session
from dialogs.steps import step
from dialogs.vocabulary import (
    Ask,
    CastBallot,
    Choice,
    Context,
    Event,
    OptIn,
    Option,
    OptOut,
    ProposalView,
    Reply,
    Say,
    Text,
    Turn,
)

__all__ = [
    "Ask",
    "CastBallot",
    "Choice",
    "Context",
    "Event",
    "OptIn",
    "OptOut",
    "Option",
    "ProposalView",
    "Reply",
    "Say",
    "Session",
    "Text",
    "Turn",
    "step",
]
