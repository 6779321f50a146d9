"""The evaluation of the process by its participants ("Did you feel heard?", 1 to 5): the bot
posts each answer, analysts read them beside the results."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import NotFound
from api.models import Evaluation, Participant
from api.rows import consultation_row
from api.schemas import EvaluationIn, EvaluationSummary


class Evaluations:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def answer(self, slug: str, answer: EvaluationIn) -> None:
        """Store an answer; a second answer to the same question replaces the first. Only a
        participant (who voted or sent an idea) evaluates the process."""
        async with self._sessions.begin() as db:
            consultation = await consultation_row(db, slug)
            participant = await db.scalar(
                select(Participant).where(
                    Participant.consultation_id == consultation.id,
                    Participant.ref == answer.participant,
                )
            )
            if participant is None:
                raise NotFound("no such participant")
            row = await db.scalar(
                select(Evaluation).where(
                    Evaluation.participant_id == participant.id,
                    Evaluation.question == answer.question,
                )
            )
            if row is None:
                row = Evaluation(
                    consultation_id=consultation.id,
                    participant_id=participant.id,
                    question=answer.question,
                )
                db.add(row)
            row.score, row.channel = answer.score, answer.channel

    async def summary(self, slug: str) -> dict[str, EvaluationSummary]:
        async with self._sessions() as db:
            consultation = await consultation_row(db, slug)
            rows = await db.execute(
                select(Evaluation.question, Evaluation.score, func.count())
                .where(Evaluation.consultation_id == consultation.id)
                .group_by(Evaluation.question, Evaluation.score)
            )
            counts: dict[str, dict[int, int]] = {}
            for question, score, count in rows:
                counts.setdefault(question, {})[score] = count
        return {
            question: EvaluationSummary(
                answers=sum(scores.values()),
                mean=round(sum(s * n for s, n in scores.items()) / sum(scores.values()), 2),
                scores=dict(sorted(scores.items())),
            )
            for question, scores in sorted(counts.items())
        }
