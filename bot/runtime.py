"""One turn: from an inbound message to the replies, through the dialog.

The runtime does all the I/O the dialog must not: it names the participant, serialises their
turns, drops re-deliveries, keeps their queue of proposals topped up, stores ballots before
the reply leaves, and saves the session.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from api.schemas import BallotIn, ConsultationOut, IdeaIn, ProposalOut
from bot.api_client import ApiClient
from bot.identity import Pseudonyms
from bot.optouts import OptOuts
from bot.stores import TurnStore
from channels.base import Inbound, Outcome
from dialogs import (
    Ask,
    CastBallot,
    Context,
    OptIn,
    Option,
    OptOut,
    Phase,
    ProposalView,
    Reply,
    Say,
    Session,
    SubmitIdea,
    Turn,
    step,
)
from dialogs.i18n import has_catalog

log = logging.getLogger(__name__)

QUEUE_LOW = 2  # top up when fewer proposals than this wait in the queue
QUEUE_SIZE = 5


class Runtime:
    def __init__(
        self,
        api: ApiClient,
        store: TurnStore,
        optouts: OptOuts,
        pseudonyms: Pseudonyms,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.api = api
        self.clock = clock
        self.store = store
        self.optouts = optouts
        self.pseudonyms = pseudonyms
        self._consultation: ConsultationOut | None = None
        self._proposals: dict[int, ProposalView] = {}
        self._languages: tuple[str, ...] = ()

    async def start(self) -> None:
        """Read the consultation once: its question and languages do not change per turn."""
        self._consultation = await self.api.consultation()
        c = self._consultation
        self._languages = tuple(lang for lang in c.languages if has_catalog(lang))
        if missing := set(c.languages) - set(self._languages):
            # The dialog offers only languages it can speak in full.
            log.warning("no catalog for %s: not offered", ", ".join(sorted(missing)))
        if c.default_language not in self._languages:
            raise RuntimeError(f"no catalog for the default language {c.default_language!r}")

    @property
    def consultation(self) -> ConsultationOut:
        if self._consultation is None:
            raise RuntimeError("Runtime.start() was not awaited")
        return self._consultation

    async def handle(self, inbound: Inbound) -> Outcome:
        ref = self.pseudonyms.ref(inbound.address)
        async with self.store.turn(ref, f"{inbound.channel}:{inbound.message_id}") as state:
            if state.replay is not None:
                log.info("re-delivered message answered again ref=%s", ref)
                return decode_outcome(state.replay)
            if state.session is not None:
                session = Session.from_bytes(state.session)
            else:
                session = Session(stopped=await self.optouts.is_opted_out(ref))
            await self._top_up(session, ref)  # even when stopped: START resumes at once
            turn = step(session, inbound.event, await self._context(session))
            await self._perform(turn, ref, inbound)
            outcome = Outcome(turn.replies, turn.session.language or self._default_language)
            state.save(turn.session.to_bytes(), encode_outcome(outcome))
        log.info(
            "turn ref=%s channel=%s replies=%d effects=%s",
            ref,
            inbound.channel,
            len(turn.replies),
            ",".join(type(e).__name__ for e in turn.effects) or "-",
        )
        return outcome

    @property
    def _default_language(self) -> str:
        return self.consultation.default_language

    async def _top_up(self, session: Session, ref: str) -> None:
        if len(session.queue) >= QUEUE_LOW:
            return
        held = session.wanted_ids()
        fresh = await self.api.next_proposals(
            ref, session.language or self._default_language, QUEUE_SIZE - len(session.queue), held
        )
        self._remember(fresh)
        session.queue.extend(p.id for p in fresh)

    async def _context(self, session: Session) -> Context:
        missing = [i for i in session.wanted_ids() if i not in self._proposals]
        if missing:
            # Proposals queued before a restart: fetch their text. One that is no longer
            # accepted is not returned, and the dialog passes over it.
            self._remember(await self.api.accepted_proposals(missing))
        c = self.consultation
        return Context(
            question=c.question,
            languages=self._languages,
            default_language=c.default_language,
            proposals={i: self._proposals[i] for i in session.wanted_ids() if i in self._proposals},
            phase=phase(c, self.clock()),
            opens_at=c.opens_at,
            closes_at=c.closes_at,
            timezone=c.timezone,
            help_contact=c.details.get("help", {}),
            next_steps=c.details.get("next_steps", {}),
            idea_max_length=c.details.get("idea_max_length", 200),
        )

    def _remember(self, proposals: list[ProposalOut]) -> None:
        for p in proposals:
            self._proposals[p.id] = ProposalView(p.id, p.language, p.text, p.translations)

    async def _perform(self, turn: Turn, ref: str, inbound: Inbound) -> None:
        """Carry out the turn's effects; any failure leaves the session unsaved and no reply
        goes out, so the resident is never thanked for a ballot we do not hold."""
        ballots = [
            BallotIn(
                participant=ref,
                proposal_id=effect.proposal_id,
                choice=effect.choice.value,
                channel=inbound.channel,
                language=turn.session.language,
                # Derived from the message: a retry of the same message is the same ballot.
                idempotency_key=f"{inbound.channel}:{inbound.message_id}:{n}",
            )
            for n, effect in enumerate(turn.effects)
            if isinstance(effect, CastBallot)
        ]
        if ballots:
            await self.api.cast_ballots(ballots)
        for n, effect in enumerate(turn.effects):
            if isinstance(effect, SubmitIdea):
                idea = IdeaIn(
                    participant=ref,
                    text=effect.text,
                    language=effect.language,
                    channel=inbound.channel,
                    idempotency_key=f"{inbound.channel}:{inbound.message_id}:{n}",
                )
                await self.api.submit_idea(idea)
            elif isinstance(effect, OptOut):
                await self.optouts.opt_out(ref)
            elif isinstance(effect, OptIn):
                await self.optouts.opt_in(ref)


def phase(consultation: ConsultationOut, now: datetime) -> Phase:
    if consultation.opens_at is not None and now < consultation.opens_at:
        return Phase.BEFORE
    if consultation.closes_at is not None and now >= consultation.closes_at:
        return Phase.CLOSED
    return Phase.OPEN


def encode_outcome(outcome: Outcome) -> bytes:
    replies = [
        {"ask": r.text, "options": [[o.key, o.label] for o in r.options]}
        if isinstance(r, Ask)
        else {"say": r.text}
        for r in outcome.replies
    ]
    return json.dumps({"language": outcome.language, "replies": replies}).encode()


def decode_outcome(raw: bytes) -> Outcome:
    data = json.loads(raw)
    replies: list[Reply] = [
        Ask(r["ask"], tuple(Option(k, label) for k, label in r["options"]))
        if "ask" in r
        else Say(r["say"])
        for r in data["replies"]
    ]
    return Outcome(tuple(replies), data["language"])
