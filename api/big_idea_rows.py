"""The big ideas' rows: a big idea found in its consultation, its members, a proposal placed
in one (and so taken out of the one it was in), the ideas as the API shows them, their titles
checked against the offered languages, and each change written to their audit trail."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Invalid, NotFound
from api.models import (
    Cluster,
    ClusterEvent,
    ClusterMember,
    Consultation,
    Proposal,
    ProposalStatus,
)
from api.schemas import ClusterOut
from api.tokens import Caller


async def cluster(db: AsyncSession, consultation_id: int, cluster_id: int) -> Cluster:
    row = await db.get(Cluster, cluster_id)
    if row is None or row.consultation_id != consultation_id:
        raise NotFound(f"no big idea {cluster_id}")
    return row


async def members(db: AsyncSession, cluster_id: int) -> list[int]:
    found = await db.scalars(
        select(ClusterMember.proposal_id)
        .where(ClusterMember.cluster_id == cluster_id)
        .order_by(ClusterMember.proposal_id)
    )
    return list(found)


async def place(
    db: AsyncSession, consultation_id: int, cluster_id: int, proposals: list[int]
) -> dict[str, list[int]]:
    """Put accepted proposals of the consultation in the big idea, taking them out of any
    other; which big ideas they came from ({cluster id: [proposals]}) for the audit trail."""
    wanted = sorted(set(proposals))
    if not wanted:
        return {}
    accepted = set(
        await db.scalars(
            select(Proposal.id).where(
                Proposal.consultation_id == consultation_id,
                Proposal.status == ProposalStatus.ACCEPTED,
                Proposal.id.in_(wanted),
            )
        )
    )
    if missing := [p for p in wanted if p not in accepted]:
        raise Invalid(f"proposals {missing} are not accepted proposals of this consultation")
    moved: dict[str, list[int]] = defaultdict(list)
    for member in await db.scalars(
        select(ClusterMember).where(ClusterMember.proposal_id.in_(wanted))
    ):
        if member.cluster_id != cluster_id:
            moved[str(member.cluster_id)].append(member.proposal_id)
        await db.delete(member)
    await db.flush()
    db.add_all(ClusterMember(proposal_id=p, cluster_id=cluster_id) for p in wanted)
    await db.flush()
    return dict(moved)


async def one(db: AsyncSession, row: Cluster) -> ClusterOut:
    await db.flush()
    return ClusterOut(
        id=row.id,
        title=dict(row.title),
        description=dict(row.description or {}),
        proposals=await members(db, row.id),
    )


async def every(db: AsyncSession, consultation_id: int) -> list[ClusterOut]:
    rows = list(
        await db.scalars(
            select(Cluster).where(Cluster.consultation_id == consultation_id).order_by(Cluster.id)
        )
    )
    members: dict[int, list[int]] = defaultdict(list)
    found = await db.execute(
        select(ClusterMember.cluster_id, ClusterMember.proposal_id)
        .join(Cluster, Cluster.id == ClusterMember.cluster_id)
        .where(Cluster.consultation_id == consultation_id)
        .order_by(ClusterMember.proposal_id)
    )
    for cluster_id, proposal_id in found:
        members[cluster_id].append(proposal_id)
    return [
        ClusterOut(
            id=r.id,
            title=dict(r.title),
            description=dict(r.description or {}),
            proposals=members[r.id],
        )
        for r in rows
    ]


def check_texts(
    consultation: Consultation,
    title: dict[str, str],
    description: dict[str, str],
    need_default: bool,
) -> None:
    offered = set(consultation.languages)
    if strange := sorted((set(title) | set(description)) - offered):
        raise Invalid(f"languages {strange} are not offered by this consultation")
    if need_default and consultation.default_language not in title:
        raise Invalid(f"a title in {consultation.default_language} is needed")


def audit(
    db: AsyncSession,
    consultation_id: int,
    cluster_id: int,
    caller: Caller,
    action: str,
    change: dict[str, Any],
) -> None:
    db.add(
        ClusterEvent(
            consultation_id=consultation_id,
            cluster_id=cluster_id,
            actor=caller.name,
            action=action,
            change=change,
        )
    )
