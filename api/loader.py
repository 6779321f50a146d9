"""Reading a consultation file (YAML) into a validated spec."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from api.schemas import ConsultationSpec


class ConsultationFileError(ValueError):
    pass


def read_consultation(path: Path) -> ConsultationSpec:
    """Parse and validate the whole file; a mistake is reported with where it is."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConsultationFileError(f"{path}: {e}") from e
    try:
        return ConsultationSpec.model_validate(data)
    except ValidationError as e:
        raise ConsultationFileError(f"{path}: {e}") from e
