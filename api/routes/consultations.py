"""Consultations: `/api/v1/consultations` and one consultation by its slug."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes.deps import ServiceDep
from api.schemas import ConsultationOut

router = APIRouter(prefix="/api/v1", tags=["consultations"])


@router.get("/consultations")
async def list_consultations(service: ServiceDep) -> list[ConsultationOut]:
    return await service.consultations()


@router.get("/consultations/{slug}")
async def get_consultation(service: ServiceDep, slug: str) -> ConsultationOut:
    return await service.consultation(slug)
