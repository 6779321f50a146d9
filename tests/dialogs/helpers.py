"""What the dialog's tests share: a context, and a session taken through events."""

from __future__ import annotations

from dialogs import Context, ProposalView, Session, Text, step

CTX = Context(
    question={"fr": "Comment améliorer la vie à Mulhouse ?", "en": "How could life be improved?"},
    languages=("fr", "en"),
    default_language="fr",
    proposals={
        7: ProposalView(7, "fr", "Il faut des bancs.", {"en": "We need benches."}),
        9: ProposalView(9, "fr", "Il faut des arbres."),
    },
)


def run_events(session: Session, *events):  # noqa: ANN001, ANN201
    turns = []
    for event in events:
        turn = step(session, event, CTX)
        turns.append(turn)
        session = turn.session
    return turns


def run(session: Session, *texts: str):  # noqa: ANN201
    return run_events(session, *(Text(t) for t in texts))
