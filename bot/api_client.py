"""How the bot reaches the consultation API: in-process in the embedded default, over HTTP
when the API runs apart. Both speak the API's own schemas, and both fail the same way,
whatever the transport (as python-telegram-bot's requests do):

- `ApiRefused`: the API said no to this request itself (a proposal that does not exist, a
  field out of range, an idea another moderator holds): sending it again gets the same answer.
- `ApiUnavailable`: the API could not answer (down, a timeout, a 5xx, a 429, our token
  refused): the same request may succeed later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection, Sequence
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from api.errors import ServiceError
from api.schemas import (
    BallotIn,
    BallotsIn,
    BallotsOut,
    ConsultationOut,
    DecisionOut,
    Erased,
    EvaluationIn,
    IdeaIn,
    ProfileIn,
    ProfileOut,
    ProposalOut,
)
from api.service import ConsultationService

T = TypeVar("T")
_proposals = TypeAdapter(list[ProposalOut])
_decisions = TypeAdapter(list[DecisionOut])
# Over HTTP, the 4xx answers that are not about the request itself: worth sending again.
NOT_A_REFUSAL = {401, 403, 408, 425, 429}


class ApiError(Exception):
    """The API did not do what was asked."""


class ApiRefused(ApiError):
    """The API said no to this request itself; `status` is its HTTP status when it came over
    HTTP, `detail` its words."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(f"HTTP {status}: {detail}" if status else detail)
        self.detail = detail
        self.status = status


class ApiUnavailable(ApiError):
    """The API could not answer now; the same request may succeed later."""


class ApiClient(Protocol):
    async def consultation(self) -> ConsultationOut: ...

    async def next_proposals(
        self,
        participant: str,
        language: str,
        limit: int,
        exclude: Collection[int],
        answered_known: bool = False,
    ) -> list[ProposalOut]:
        """`answered_known`: `exclude` holds every proposal the participant answered; a client
        that can use it reads none of their ballots."""
        ...

    async def answered(self, participant: str) -> list[int] | None:
        """The proposals a participant answered, as stored; None from a client that cannot
        tell cheaply (over HTTP, the API reads them at each `next_proposals`)."""
        ...

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
        return await _in_process(self._service.consultation(self._slug))

    async def next_proposals(
        self,
        participant: str,
        language: str,
        limit: int,
        exclude: Collection[int],
        answered_known: bool = False,
    ) -> list[ProposalOut]:
        return await _in_process(
            self._service.next_proposals(
                self._slug, participant, language, limit, exclude, answered_known
            )
        )

    async def answered(self, participant: str) -> list[int] | None:
        return await _in_process(self._service.answered(self._slug, participant))

    async def accepted_proposals(self, ids: Collection[int]) -> list[ProposalOut]:
        return await _in_process(self._service.proposals(self._slug, ids=ids))

    async def cast_ballots(self, ballots: Sequence[BallotIn]) -> BallotsOut:
        return await _in_process(self._service.cast_ballots(self._slug, ballots))

    async def submit_idea(self, idea: IdeaIn) -> ProposalOut:
        return await _in_process(self._service.submit_idea(self._slug, idea))

    async def set_profile(self, participant: str, profile: ProfileIn) -> ProfileOut:
        return await _in_process(self._service.set_profile(self._slug, participant, profile))

    async def erase(self, participant: str) -> Erased:
        return await _in_process(self._service.erase(self._slug, participant))

    async def decisions(self, after: int, limit: int) -> list[DecisionOut]:
        return await _in_process(self._service.decisions(self._slug, after, limit))

    async def evaluate(self, answer: EvaluationIn) -> None:
        await _in_process(self._service.evaluate(self._slug, answer))

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
        return _read(ConsultationOut, await self._send("GET", self._at))

    async def next_proposals(
        self,
        participant: str,
        language: str,
        limit: int,
        exclude: Collection[int],
        answered_known: bool = False,
    ) -> list[ProposalOut]:
        # The API reads the participant's ballots itself, whatever the bot knows: as before.
        params = {"language": language, "limit": limit, "exclude": list(exclude)}
        path = f"{self._at}/participants/{participant}/next"
        return _read(_proposals, await self._send("GET", path, params=params))

    async def answered(self, participant: str) -> list[int] | None:
        return None

    async def accepted_proposals(self, ids: Collection[int]) -> list[ProposalOut]:
        response = await self._send("GET", f"{self._at}/proposals", params={"ids": list(ids)})
        return _read(_proposals, response)

    async def cast_ballots(self, ballots: Sequence[BallotIn]) -> BallotsOut:
        body = BallotsIn(ballots=list(ballots)).model_dump(mode="json")
        return _read(BallotsOut, await self._send("POST", f"{self._at}/ballots", json=body))

    async def submit_idea(self, idea: IdeaIn) -> ProposalOut:
        body = idea.model_dump(mode="json")
        return _read(ProposalOut, await self._send("POST", f"{self._at}/ideas", json=body))

    async def set_profile(self, participant: str, profile: ProfileIn) -> ProfileOut:
        body = profile.model_dump(mode="json", exclude_unset=True)
        path = f"{self._at}/participants/{participant}/profile"
        return _read(ProfileOut, await self._send("PUT", path, json=body))

    async def erase(self, participant: str) -> Erased:
        path = f"{self._at}/participants/{participant}"
        return _read(Erased, await self._send("DELETE", path))

    async def decisions(self, after: int, limit: int) -> list[DecisionOut]:
        params = {"after": after, "limit": limit}
        return _read(_decisions, await self._send("GET", f"{self._at}/decisions", params=params))

    async def evaluate(self, answer: EvaluationIn) -> None:
        body = answer.model_dump(mode="json")
        await self._send("POST", f"{self._at}/evaluations", json=body)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **options)
        except httpx.HTTPError as error:  # not reached, or no answer in time
            raise ApiUnavailable(f"{type(error).__name__}: {error}") from error
        if response.is_success:
            return response
        detail = response.text[:300]
        code = response.status_code
        if 400 <= code < 500 and code not in NOT_A_REFUSAL:
            raise ApiRefused(detail, code)
        raise ApiUnavailable(f"HTTP {code}: {detail}")


async def _in_process(call: Awaitable[T]) -> T:
    """A service call, failing as a call over HTTP would: the service's own errors (and a
    request its schemas refuse) are refusals; anything else (the database away) may pass."""
    try:
        return await call
    except (ServiceError, ValidationError) as error:
        raise ApiRefused(f"{type(error).__name__}: {error}") from error
    except Exception as error:
        raise ApiUnavailable(f"{type(error).__name__}: {error}") from error


def _read(schema: type[BaseModel] | TypeAdapter[Any], response: httpx.Response) -> Any:
    """The answer in the API's schema; one that does not fit it is refused as it stands."""
    try:
        if isinstance(schema, TypeAdapter):
            return schema.validate_json(response.content)
        return schema.model_validate_json(response.content)
    except ValidationError as error:
        raise ApiRefused(f"an answer not in the API's schema: {error}") from error
