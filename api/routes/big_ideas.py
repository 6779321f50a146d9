"""Big ideas over HTTP: list, suggest, create, rename, re-arrange, merge, split, delete, their
audit trail and their results. Analysts (who may edit these and nothing else) and moderators;
every change is written to the big ideas' audit trail under the token's name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.auth import Caller, Role, require
from api.routes.deps import BigIdeasDep, IdPath
from api.schemas import (
    ClusterEdit,
    ClusterEventOut,
    ClusterIn,
    ClusterMembersIn,
    ClusterMergeIn,
    ClusterOut,
    ClusterResultsOut,
    ClusterSplitIn,
    SuggestionOut,
)

router = APIRouter(prefix="/api/v1/consultations/{slug}", tags=["big ideas"])
Staff = Annotated[Caller, require(Role.MODERATOR, Role.ANALYST)]
ONE = "/big-ideas/{cluster_id}"


@router.get("/big-ideas")
async def big_ideas(ideas: BigIdeasDep, slug: str, _caller: Staff) -> list[ClusterOut]:
    """Every big idea with its proposals, oldest first."""
    return await ideas.list(slug)


@router.post("/big-ideas/suggest")
async def suggest(
    ideas: BigIdeasDep,
    slug: str,
    _caller: Staff,
    groups: Annotated[int | None, Query(ge=1, le=200)] = None,
) -> list[SuggestionOut]:
    """A grouping of the accepted proposals, from their words and residents' votes, each
    suggestion with its reasons. Nothing is stored: a person creates the big ideas they keep."""
    return await ideas.suggest(slug, groups)


@router.get("/big-ideas/results")
async def results(ideas: BigIdeasDep, slug: str, _caller: Staff) -> ClusterResultsOut:
    """Per big idea: pooled agreement with a bootstrap interval over residents, consensus,
    controversy, participation, its most supported proposals; widely supported first, then
    controversial, rejected, undecided (thresholds in the answer and the README)."""
    return await ideas.results(slug)


@router.get("/big-ideas/log")
async def log(
    ideas: BigIdeasDep,
    slug: str,
    _caller: Staff,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ClusterEventOut]:
    """Every change to the big ideas (who, when, what), newest first."""
    return await ideas.log(slug, limit)


@router.post("/big-ideas", status_code=status.HTTP_201_CREATED)
async def create(ideas: BigIdeasDep, slug: str, caller: Staff, body: ClusterIn) -> ClusterOut:
    """A new big idea; its proposals leave any big idea they were in."""
    return await ideas.create(slug, caller, body)


@router.patch(ONE)
async def rename(
    ideas: BigIdeasDep, slug: str, cluster_id: IdPath, caller: Staff, body: ClusterEdit
) -> ClusterOut:
    """A new title or description, in the languages given."""
    return await ideas.edit(slug, cluster_id, caller, body)


@router.put(f"{ONE}/proposals")
async def arrange(
    ideas: BigIdeasDep, slug: str, cluster_id: IdPath, caller: Staff, body: ClusterMembersIn
) -> ClusterOut:
    """Its proposals become exactly these (moved from other big ideas where they were)."""
    return await ideas.arrange(slug, cluster_id, caller, body.proposals)


@router.post(f"{ONE}/merge")
async def merge(
    ideas: BigIdeasDep, slug: str, cluster_id: IdPath, caller: Staff, body: ClusterMergeIn
) -> ClusterOut:
    """The other big idea's proposals join this one, and the other is deleted."""
    return await ideas.merge(slug, cluster_id, caller, body.other)


@router.post(f"{ONE}/split", status_code=status.HTTP_201_CREATED)
async def split(
    ideas: BigIdeasDep, slug: str, cluster_id: IdPath, caller: Staff, body: ClusterSplitIn
) -> ClusterOut:
    """Some of its proposals leave it for a new big idea (returned)."""
    return await ideas.split(slug, cluster_id, caller, body)


@router.delete(ONE, status_code=status.HTTP_204_NO_CONTENT)
async def delete(ideas: BigIdeasDep, slug: str, cluster_id: IdPath, caller: Staff) -> None:
    """The big idea goes; its proposals stay, in no big idea."""
    await ideas.delete(slug, cluster_id, caller)
