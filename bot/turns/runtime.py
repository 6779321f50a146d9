"""One turn: from an inbound message to the replies, through the dialog.

The runtime does all the I/O the dialog must not: it names the participant, serialises their
turns, drops re-deliveries, keeps their queue of proposals topped up, stores ballots before
the reply leaves, and saves the session.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from api.schemas import BallotIn, ConsultationOut, EvaluationIn, IdeaIn, ProfileIn, ProposalOut
from bot.api_client import ApiClient
from bot.ops import metrics
from bot.outbox import entries as outbox
from bot.records.contacts import Contacts
from bot.records.open_questions import OpenQuestions
from bot.records.optouts import OptOuts
from bot.stores import TurnState, TurnStore
from bot.turns import replay
from bot.turns.abuse import Abuse, Limits, Standing, slow_down
from bot.turns.identity import Pseudonyms
from bot.turns.language_id import guess_language
from channels.base import Inbound, Outcome
from dialogs import (
    CastBallot,
    Context,
    District,
    Erase,
    Evaluate,
    Event,
    Forget,
    HearBack,
    HungUp,
    OptIn,
    OptOut,
    Phase,
    ProposalView,
    Session,
    SetProfile,
    Stage,
    SubmitIdea,
    Text,
    Turn,
    step,
)
from dialogs.i18n import has_catalog
from dialogs.interface import TEXT_MAX_LENGTH
from dialogs.safeguarding import discloses_danger
from dialogs.words import Intent, understand

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
        limits: Limits,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        qualify_channels: frozenset[str] = frozenset(),
        text_limits: Mapping[str, int] | None = None,
        contacts: Contacts | None = None,
        questions: OpenQuestions | None = None,
        forget_on_erase: Sequence[Callable[[str], Awaitable[None]]] = (),
        audio_max_seconds: int = 180,
    ) -> None:
        self.audio_max_seconds = audio_max_seconds  # a longer voice message is not taken
        self.api = api
        self.clock = clock
        self.qualify_channels = qualify_channels
        self.text_limits = text_limits or {}
        self.store = store
        self.optouts = optouts
        self.pseudonyms = pseudonyms
        self.contacts = contacts  # residents who asked to hear back (none kept without it)
        self.questions = questions  # evaluation questions a broadcast asked
        # The bot's other records of a ref (a centre's credit): ERASE forgets them too.
        self.forget_on_erase = tuple(forget_on_erase)
        # The limits' windows follow the runtime's clock (tests move it on).
        self.abuse = Abuse(store, limits, clock=lambda: self.clock().timestamp())
        self._consultation: ConsultationOut | None = None
        self._proposals: dict[int, ProposalView] = {}
        self._languages: tuple[str, ...] = ()
        self._districts: tuple[District, ...] = ()

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
        guess_language("bonjour", self._languages)  # load the model now, not for a resident
        # And the safeguarding patterns, and its model (read only from three words on).
        discloses_danger("bonjour à tous", c.default_language, self._languages)
        self._districts = tuple(
            District(d["key"], d["name"]) for d in c.details.get("districts", [])
        )

    @property
    def consultation(self) -> ConsultationOut:
        if self._consultation is None:
            raise RuntimeError("Runtime.start() was not awaited")
        return self._consultation

    async def handle(self, inbound: Inbound) -> Outcome:
        counted = metrics.of_channel(inbound.channel)
        counted.messages.inc()
        started = time.perf_counter()
        try:
            outcome = await self._handle(inbound)
        except Exception:
            counted.failed.inc()
            raise
        counted.answered.inc()
        counted.seconds.observe(time.perf_counter() - started)
        return outcome

    async def _handle(self, inbound: Inbound) -> Outcome:
        if not self.abuse.serves(inbound.address, inbound.channel):
            # Logged without the number: its country code is not one we serve.
            log.info("not answered: a number of a country not served channel=%s", inbound.channel)
            metrics.REFUSED.labels(inbound.channel, "country").inc()
            return Outcome((), self._default_language)
        ref = self.pseudonyms.ref(inbound.address)
        device = None if inbound.device is None else self.pseudonyms.ref(inbound.device)
        tally = self.abuse.tally(ref, inbound.channel, inbound.kind, device)
        message_key = f"{inbound.channel}:{inbound.message_id}"
        async with self.store.turn(ref, message_key, tally.counters) as state:
            if state.replay is not None:
                log.info("re-delivered message answered again ref=%s", ref)
                return replay.decode(state.replay)
            if state.session is not None:
                session = Session.from_bytes(state.session)
            else:
                session = Session(stopped=await self.optouts.is_opted_out(ref))
            standing = self.abuse.standing(tally, state.counts)
            language = session.language or self._default_language
            if standing.until and not self.always_heard(inbound.event, language):
                outcome = self._slow_down(session, standing, ref, inbound)
                state.save(session.to_bytes(), replay.encode(outcome))
                return outcome
            if not session.answers_known:
                await self._recall_answers(session, ref)
            if self.questions is not None and not session.stopped:
                await self._open_question(session, ref)
            event = self._with_language_hint(session, inbound.event)
            await self._top_up(session, ref)  # even when stopped: START resumes at once
            context = await self._context(session, inbound, standing.ideas_closed)
            turn = step(session, event, context)
            queued_for = session.language or self._default_language
            chosen = turn.session.language or self._default_language
            if session.stage in (Stage.NEW, Stage.LANGUAGE) and chosen != queued_for:
                # The language was just chosen: queue that language's proposals first.
                # The dialog is pure, so taking the step again costs nothing but the query.
                session.queue = []
                await self._top_up(session, ref, chosen)
                context = await self._context(session, inbound, standing.ideas_closed)
                turn = step(session, event, context)
            if (
                self.contacts is not None
                and session.stage is Stage.LANGUAGE
                and chosen != queued_for
            ):
                await self.contacts.relabel(ref, chosen)  # news in the language they chose
            await self._perform(turn, ref, inbound, state)
            outcome = Outcome(
                turn.replies, turn.session.language or self._default_language, turn.stale
            )
            if any(isinstance(e, Forget) for e in turn.effects):
                state.forget(replay.encode(outcome))
            else:
                state.save(turn.session.to_bytes(), replay.encode(outcome))
        if log.isEnabledFor(logging.INFO):  # nothing built for a line not written
            log.info(
                "turn ref=%s channel=%s replies=%d effects=%s",
                ref,
                inbound.channel,
                len(turn.replies),
                ",".join(type(e).__name__ for e in turn.effects) or "-",
            )
        return outcome

    def always_heard(self, event: Event, language: str | None = None) -> bool:
        """STOP (honoured at once), a disclosed danger and the end of a call (Twilio's, not
        the caller's message) pass every limit."""
        if isinstance(event, HungUp):
            return True
        if not isinstance(event, Text):
            return False
        text, language = event.text, language or self._default_language
        stop = understand(text, language, self._languages).intent is Intent.STOP
        return stop or discloses_danger(text, language, self._languages)

    def _slow_down(
        self, session: Session, standing: Standing, ref: str, inbound: Inbound
    ) -> Outcome:
        """Over a message limit: the message is not read. The resident is told once when
        they can go on (never a stopped resident): the next ones until then are logged, and
        told again only where that costs nothing (`Outcome.limited`)."""
        channel, wait = inbound.channel, round(standing.wait)
        log.warning("over the message limit ref=%s channel=%s wait=%ds", ref, channel, wait)
        metrics.REFUSED.labels(channel, "rate").inc()
        language = session.language or self._default_language
        answer = slow_down(language, standing.wait, spoken=inbound.spoken)
        told = session.stopped or session.quiet_until >= standing.until
        session.quiet_until = max(session.quiet_until, standing.until)
        return Outcome(() if told else (answer,), language, limited=answer)

    def _with_language_hint(self, session: Session, event: Event) -> Event:
        """A newcomer's first text, when no one else hinted at its language, is identified
        offline (bot/turns/language_id.py); below the threshold there is no hint."""
        if session.stage is not Stage.NEW or not isinstance(event, Text) or event.hint:
            return event
        guess = guess_language(event.text, self._languages)
        return replace(event, hint=guess.language) if guess else event

    @property
    def _default_language(self) -> str:
        return self.consultation.default_language

    async def _top_up(self, session: Session, ref: str, language: str | None = None) -> None:
        if len(session.queue) >= QUEUE_LOW:
            return
        # recent: every proposal answered, ballots still in the outbox included.
        not_again = session.wanted_ids() + session.recent
        language = language or session.language or self._default_language
        wanted = QUEUE_SIZE - len(session.queue)
        known = session.answers_known
        fresh = await self.api.next_proposals(ref, language, wanted, not_again, known)
        self._remember(fresh)
        session.queue.extend(p.id for p in fresh)

    async def _recall_answers(self, session: Session, ref: str) -> None:
        """Once a session: the proposals the resident answered, read from the database (the
        truth) into the session, which keeps them from then on. Those it already held are
        kept too: their ballots may still wait in the outbox."""
        stored = await self.api.answered(ref)
        if stored is None:  # the API apart reads them at each top-up
            return
        held = set(stored)
        session.recent = [*stored, *(i for i in session.recent if i not in held)]
        session.answers_known = True

    async def _context(self, session: Session, inbound: Inbound, ideas_closed: bool) -> Context:
        channel = inbound.channel
        missing = [i for i in session.wanted_ids() if i not in self._proposals]
        if missing:
            # Proposals queued before a restart: fetch their text. One that is no longer
            # accepted is not returned, and the dialog passes over it.
            self._remember(await self.api.accepted_proposals(missing))
        c = self.consultation
        now = self.clock()
        return Context(
            question=c.question,
            languages=self._languages,
            default_language=c.default_language,
            proposals={i: self._proposals[i] for i in session.wanted_ids() if i in self._proposals},
            now=now,
            phase=phase(c, now),
            opens_at=c.opens_at,
            closes_at=c.closes_at,
            timezone=c.timezone,
            help_contact=c.details.get("help", {}),
            next_steps=c.details.get("next_steps", {}),
            safeguarding=c.details.get("safeguarding", {}),
            districts=self._districts,
            idea_max_length=c.details.get("idea_max_length", 200),
            qualify=channel in self.qualify_channels,
            reachable=inbound.reachable,
            spoken=inbound.spoken,
            text_max_length=self.text_limits.get(channel, TEXT_MAX_LENGTH),
            audio_max_seconds=self.audio_max_seconds,
            ideas_closed=ideas_closed,
        )

    def _remember(self, proposals: list[ProposalOut]) -> None:
        for p in proposals:
            self._proposals[p.id] = ProposalView(p.id, p.language, p.text, p.translations)

    async def _perform(self, turn: Turn, ref: str, inbound: Inbound, state: TurnState) -> None:
        """Carry out the turn's effects; any failure leaves the session unsaved and no reply
        goes out, so the resident is never thanked for a ballot we do not hold.

        The API writes go, in the order the dialog made them, either to the store's outbox
        (Redis: saved with the session, posted by `parlons worker`) or straight to the API."""
        writes = self._api_writes(turn, ref, inbound)
        language = turn.session.language
        for effect in turn.effects:  # the bot's own tables, at once in any mode
            match effect:
                case Erase():
                    await self._forget_contact(ref)
                    for forget in self.forget_on_erase:
                        await forget(ref)
                case HearBack(False):
                    await self._forget_contact(ref)
                case HearBack(True) if self.contacts is not None:
                    spoken = language or self._default_language
                    await self.contacts.keep(ref, inbound.channel, inbound.address, spoken)
                case OptOut():
                    await self.optouts.opt_out(ref)
                case OptIn():
                    await self.optouts.opt_in(ref)
                case SubmitIdea(flags=flags) if "safeguarding" not in flags:
                    state.count_on_save(self.abuse.idea_sent(ref))  # today's ideas, on saving
        if self.store.has_outbox:
            for entry in writes:
                state.enqueue(entry)
            metrics.OUTBOX_QUEUED.inc(sum(isinstance(e, CastBallot) for e in turn.effects))
        else:
            for entry in writes:
                await outbox.perform(self.api, json.loads(entry))

    def _api_writes(self, turn: Turn, ref: str, inbound: Inbound) -> list[bytes]:
        language = turn.session.language
        # Derived from the message: a retry of the same message is the same ballot or idea.
        keys = [f"{inbound.channel}:{inbound.message_id}:{n}" for n in range(len(turn.effects))]
        ballots = [
            BallotIn(
                participant=ref,
                proposal_id=effect.proposal_id,
                choice=effect.choice,
                qualification=effect.qualification,
                channel=inbound.channel,
                language=language,
                idempotency_key=key,
            )
            for key, effect in zip(keys, turn.effects, strict=True)
            if isinstance(effect, CastBallot)
        ]
        writes = [outbox.ballots_entry(ballots)] if ballots else []
        for key, effect in zip(keys, turn.effects, strict=True):
            match effect:
                case SubmitIdea(text, idea_language, flags, audio):
                    idea = IdeaIn(
                        participant=ref,
                        text=text or "(audio)",
                        language=idea_language,
                        channel=inbound.channel,
                        idempotency_key=key,
                        flags=[*flags, "audio"] if audio else list(flags),
                        audio=audio,
                    )
                    writes.append(outbox.idea_entry(idea))
                case SetProfile(district, age_band):
                    given = {"district": district, "age_band": age_band}
                    profile = ProfileIn(
                        channel=inbound.channel,
                        language=language,
                        **{part: value for part, value in given.items() if value is not None},
                    )
                    writes.append(outbox.profile_entry(ref, profile))
                case Erase():
                    writes.append(outbox.erase_entry(ref))
                case Evaluate(question, score):
                    answer = EvaluationIn(
                        participant=ref, question=question, score=score, channel=inbound.channel
                    )
                    writes.append(outbox.evaluation_entry(answer))
        return writes

    async def _open_question(self, session: Session, ref: str) -> None:
        """An evaluation question a broadcast asked: this message may answer it (the dialog
        decides). Months may have passed: the session may be new, the language is the one
        the question was asked in."""
        asked = await self.questions.take(ref, session.last_seen)
        if asked is not None:
            session.evaluating, language = asked
            session.language = session.language or language

    async def _forget_contact(self, ref: str) -> None:
        if self.contacts is not None:
            await self.contacts.forget(ref)


def phase(consultation: ConsultationOut, now: datetime) -> Phase:
    if consultation.opens_at is not None and now < consultation.opens_at:
        return Phase.BEFORE
    if consultation.closes_at is not None and now >= consultation.closes_at:
        return Phase.CLOSED
    return Phase.OPEN
