"""Automatic flags in every offered language, and none on ordinary proposals."""

from __future__ import annotations

import pytest

from api.flags import flags_for
from api.loader import read_consultation
from tests.conftest import ROOT

DEMO = ROOT / "api" / "demo" / "mulhouse.yaml"


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("He hits me when he drinks, I want to die", "safeguarding"),
        ("Mein Mann schlägt mich, er schlägt mich jeden Tag", "safeguarding"),
        ("Kocam beni dövüyor her gece", "safeguarding"),
        ("O meu marido bate em mim todas as noites", "safeguarding"),
        ("زوجي يضربني كل ليلة", "safeguarding"),
        ("The mayor is a stupid moron", "insult"),
        ("Der Bürgermeister ist ein Vollidiot", "insult"),
        ("Belediye başkanı tam bir gerizekalı", "insult"),
        ("O presidente é um idiota", "insult"),
        ("Call me on +33 6 12 34 56 78 about the market", "phone_number"),
        ("Ruf mich an: 0612345678", "phone_number"),
    ],
)
def test_each_language_raises_its_flags(text: str, flag: str) -> None:
    assert flag in flags_for(text, max_length=200).flags


def test_ordinary_proposals_raise_no_flag() -> None:
    """Every proposal of the demo, in every language it is given in, reads clean."""
    spec = read_consultation(DEMO)
    texts = [t for p in spec.proposals for t in (p.text, *p.translations.values())]
    flagged = {t: f.flags for t in texts if (f := flags_for(t, max_length=1000)).flags}
    assert flagged == {}
