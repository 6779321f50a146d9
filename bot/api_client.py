"""How the bot reaches the consultation API: in-process in the embedded default, over HTTP
when the API runs apart. Both speak the API's own schemas."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

import httpx
from pydantic import TypeAdapter

from api.decisions import DecisionOut, decisions_after
from api.evaluations import Evaluations
from api.schemas import (
    BallotIn,
    BallotsIn,
    BallotsOut,
    ConsultationOut,
    Erased,
    EvaluationIn,
    IdeaIn,
    ProfileIn,
    ProfileOut,
    ProposalOut,
)
from api.service import ConsultationService

_proposals = TypeAdapter(list[ProposalOut])
_decisions = TypeAdapter(list[DecisionOut])


class ApiClient(Protocol):
    async def consultation(self) -> ConsultationOut: ...

    async def next_proposals(
        self, participant: str, language: str, limit: int, exclude: Collection[int]
    ) -> list[ProposalOut]: ...

    async def accepted_proposals(self, ids: Collection[int]) -> list[ProposalOut]: ...

    async def cast_ballots(self, ballots: Sequence[BallotIn]) -> BallotsOut: ...

    async def submit_idea(self, idea: IdeaIn) -> ProposalOut: ...

    async def set_profile(self, participant: str, profile: ProfileIn) -> ProfileOut: ...

    async def erase(self, participant: str) -> Erased: ...

    async def decisions(self, after: int, limit: int) -> list[DecisionOut]: ...

    async def evaluate(self, answer: EvaluationIn) -> None: ...

    async def aclose(self) -> None: ...


class InProcessApiClient:
    """Calls the service layer directly: same schemas, no HTTP hop."""

    def __init__(self, service: ConsultationService, slug: str) -> None:
        self._service = service
        self._slug = slug

    async def consultation(self) -> ConsultationOut:
        return await self._service.consultation(self._slug)

    async def next_proposals(
        self, participant: str, language: str, limit: int, exclude: Collection[int]
    ) -> list[ProposalOut]:
        return await self._service.next_proposals(self._slug, participant, language, limit, exclude)

    async def accepted_proposals(self, ids: Collection[int]) -> list[ProposalOut]:
        return await self._service.proposals(self._slug, ids=ids)

    async def cast_ballots(self, ballots: Sequence[BallotIn]) -> BallotsOut:
        return await self._service.cast_ballots(self._slug, ballots)

    async def submit_idea(self, idea: IdeaIn) -> ProposalOut:
        return await self._service.submit_idea(self._slug, idea)

    async def set_profile(self, participant: str, profile: ProfileIn) -> ProfileOut:
        return await self._service.set_profile(self._slug, participant, profile)

    async def erase(self, participant: str) -> Erased:
        return await self._service.erase(self._slug, participant)

    async def decisions(self, after: int, limit: int) -> list[DecisionOut]:
        return await decisions_after(self._service.sessions, self._slug, after, limit)

    async def evaluate(self, answer: EvaluationIn) -> None:
        await Evaluations(self._service.sessions).answer(self._slug, answer)

    async def aclose(self) -> None:
        return None


class HttpApiClient:
    """The API running apart (`PARLONS_API_URL`), reached with the bot's own token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        slug: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(10.0, connect=3.0),
            transport=transport,
        )
        self._at = f"/consultations/{slug}"

    async def consultation(self) -> ConsultationOut:
        response = await self._http.get(self._at)
        response.raise_for_status()
        return ConsultationOut.model_validate_json(response.content)

    async def next_proposals(
        self, participant: str, language: str, limit: int, exclude: Collection[int]
    ) -> list[ProposalOut]:
        params = {"language": language, "limit": limit, "exclude": list(exclude)}
        response = await self._http.get(
            f"{self._at}/participants/{participant}/next", params=params
        )
        response.raise_for_status()
        return _proposals.validate_json(response.content)

    async def accepted_proposals(self, ids: Collection[int]) -> list[ProposalOut]:
        response = await self._http.get(f"{self._at}/proposals", params={"ids": list(ids)})
        response.raise_for_status()
        return _proposals.validate_json(response.content)

    async def cast_ballots(self, ballots: Sequence[BallotIn]) -> BallotsOut:
        body = BallotsIn(ballots=list(ballots)).model_dump(mode="json")
        response = await self._http.post(f"{self._at}/ballots", json=body)
        response.raise_for_status()
        return BallotsOut.model_validate_json(response.content)

    async def submit_idea(self, idea: IdeaIn) -> ProposalOut:
        response = await self._http.post(f"{self._at}/ideas", json=idea.model_dump(mode="json"))
        response.raise_for_status()
        return ProposalOut.model_validate_json(response.content)

    async def set_profile(self, participant: str, profile: ProfileIn) -> ProfileOut:
        body = profile.model_dump(mode="json", exclude_unset=True)
        response = await self._http.put(f"{self._at}/participants/{participant}/profile", json=body)
        response.raise_for_status()
        return ProfileOut.model_validate_json(response.content)

    async def erase(self, participant: str) -> Erased:
        response = await self._http.delete(f"{self._at}/participants/{participant}")
        response.raise_for_status()
        return Erased.model_validate_json(response.content)

    async def decisions(self, after: int, limit: int) -> list[DecisionOut]:
        params = {"after": after, "limit": limit}
        response = await self._http.get(f"{self._at}/decisions", params=params)
        response.raise_for_status()
        return _decisions.validate_json(response.content)

    async def evaluate(self, answer: EvaluationIn) -> None:
        body = answer.model_dump(mode="json")
        response = await self._http.post(f"{self._at}/evaluations", json=body)
        response.raise_for_status()

    async def aclose(self) -> None:
        await self._http.aclose()
