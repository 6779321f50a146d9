"""`parlons broadcast`: one message, per language, to every resident who asked to hear back, on
their own channel, through the ledger (never twice, paced, never at night, retried when
nothing was sent); counted beforehand in a dry run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, field_validator
from tqdm import tqdm

from bot.outreach.ledger import Ledger
from bot.outreach.senders import Sender
from bot.outreach.whatsapp_sender import WhatsAppOutside, WhatsAppSender
from bot.records.contacts import Contacts, Reachable
from bot.records.open_questions import OpenQuestions
from channels.sms_cost import cost
from dialogs.i18n import translator
from dialogs.prompts import evaluation_questions


class BroadcastFile(BaseModel):
    """What an operator writes: a name (the ledger's key: the same name resumes) and the
    message in each language; residents of another language get the default one."""

    name: str = Field(min_length=1, max_length=64)
    messages: dict[str, str] = Field(min_length=1)
    # An evaluation question to ask after the message ("heard", "again": dialogs/prompts.py);
    # the resident's next message may answer it from 1 to 5. Not by phone call.
    evaluation: str | None = None

    @field_validator("evaluation")
    @classmethod
    def _known_question(cls, key: str | None) -> str | None:
        known = evaluation_questions(translator("en"))
        if key is not None and key not in known:
            raise ValueError(f"unknown evaluation question {key!r}: one of {', '.join(known)}")
        return key


def read_broadcast(path: Path) -> BroadcastFile:
    return BroadcastFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass
class Plan:
    """What a broadcast would send now: counted before anything leaves (`--dry-run`)."""

    messages: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, language)
    segments: Counter[str] = field(default_factory=Counter)  # SMS segments per language
    already: int = 0  # sent (or claimed) by an earlier run of the same broadcast
    unreachable: int = 0  # a channel this broadcast cannot send on
    by_template: int = 0  # WhatsApp residents outside their window: an approved template
    no_template: int = 0  # outside their window, and no template for their language

    def table(self) -> str:
        rows = ["| channel | language | messages | SMS segments |", "|---|---|---|---|"]
        for (channel, language), count in sorted(self.messages.items()):
            segments = self.segments[language] if channel == "sms" else "-"
            rows.append(f"| {channel} | {language} | {count} | {segments} |")
        total = sum(self.messages.values())
        rows.append(f"| all | | {total} | {sum(self.segments.values())} |")
        notes = [f"already sent by an earlier run: {self.already}"]
        if self.unreachable:
            notes.append(f"on a channel not configured here: {self.unreachable}")
        if self.messages and any(channel == "whatsapp" for channel, _ in self.messages):
            notes.append(f"WhatsApp by template (outside the 24 h window): {self.by_template}")
        if self.no_template:
            notes.append(f"WhatsApp outside the window with no template: {self.no_template}")
        return "\n".join(rows + notes)


@dataclass
class Summary:
    statuses: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        return (
            ", ".join(f"{status} {n}" for status, n in sorted(self.statuses.items())) or "nothing"
        )


class Broadcast:
    def __init__(
        self,
        spec: BroadcastFile,
        contacts: Contacts,
        ledger: Ledger,
        default_language: str,
        questions: OpenQuestions | None = None,
        whatsapp: WhatsAppOutside | None = None,
    ) -> None:
        self._whatsapp = whatsapp  # free text in the window, a template outside it
        if default_language not in spec.messages:
            raise ValueError(f"the broadcast has no message in {default_language!r}")
        self.spec = spec
        self._contacts = contacts
        self._ledger = ledger
        self._default = default_language
        self._questions = questions

    def stop(self) -> None:
        """Finish the message in hand, then stop, even mid-wait: a later run goes on."""
        self._ledger.stop()

    def language_for(self, contact: Reachable) -> str:
        return contact.language if contact.language in self.spec.messages else self._default

    def asks(self, channel: str) -> bool:
        """Whether the message asks the evaluation question (a call cannot hear the answer)."""
        return bool(self.spec.evaluation) and self._questions is not None and channel != "voice"

    def text_for(self, sender: Sender, language: str) -> str:
        text = self.spec.messages[language]
        if self.spec.evaluation and self.asks(sender.channel):
            question = evaluation_questions(translator(language))[self.spec.evaluation]
            text = f"{text}\n{question}"
        return sender.render(text, language)

    async def plan(self) -> Plan:
        plan = Plan()
        for contact in await self._to_reach(plan):
            sender = self._ledger.senders.get(contact.channel)
            if sender is None:
                plan.unreachable += 1
                continue
            language = self.language_for(contact)
            if contact.channel == "whatsapp":
                found = await self._on_whatsapp(sender, contact, language)
                if found is None:
                    plan.no_template += 1
                    continue
                plan.by_template += found[1]
            plan.messages[(contact.channel, language)] += 1
            if contact.channel == "sms":
                plan.segments[language] += cost(self.text_for(sender, language)).segments
        return plan

    async def run(self) -> Summary:
        summary = Summary()
        todo = await self._to_reach(Plan())
        progress = self._ledger.progress
        bar = tqdm(todo, desc=self.spec.name, unit="msg", file=progress, disable=progress is None)
        for listed in bar:
            if not await self._ledger.wait_turn(listed.channel):  # asked to stop
                summary.statuses["left for the next run"] += 1
                continue
            contact = await self._contacts.get(listed.ref)  # STOP since we started: nothing
            sender = self._ledger.senders.get(listed.channel)
            if contact is None or sender is None:
                summary.statuses["stopped" if contact is None else "no channel"] += 1
                continue
            language = self.language_for(contact)
            text = self.text_for(sender, language)
            if contact.channel == "whatsapp":
                found = await self._on_whatsapp(sender, contact, language)
                if found is None:  # never free text outside the window
                    summary.statuses["no WhatsApp template"] += 1
                    continue
                text = found[0]
            status = await self._ledger.deliver(self.spec.name, contact, sender, text, language)
            if status in ("sent", "sending") and self.asks(sender.channel):
                assert self._questions is not None and self.spec.evaluation is not None
                now = self._ledger.clock()
                await self._questions.ask(contact.ref, self.spec.evaluation, language, now)
            summary.statuses[status] += 1
        bar.close()
        return summary

    async def _on_whatsapp(
        self, sender: Sender, contact: Reachable, language: str
    ) -> tuple[str, bool] | None:
        """The message and whether it goes by template; None: not sent (no template)."""
        if self._whatsapp is None or not isinstance(sender, WhatsAppSender):
            return None
        text = self.spec.messages[language]
        if self.spec.evaluation and self.asks(sender.channel):
            question = evaluation_questions(translator(language))[self.spec.evaluation]
            text = f"{text}\n{question}"
        to = replace(contact, language=language)
        return await self._whatsapp.message(sender, to, text, self._ledger.clock())

    async def _to_reach(self, plan: Plan) -> list[Reachable]:
        """Everyone reachable now, less those an earlier run already sent to."""
        done = await self._ledger.done(self.spec.name)
        todo = []
        async for contact in self._contacts.reachable():
            if contact.ref in done:
                plan.already += 1
            else:
                todo.append(contact)
        return todo
