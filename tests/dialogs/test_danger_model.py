"""The second reader of danger (dialogs/danger_model.py): trained on the data as it is, made
again the same by its trainer, silent on short replies, and heard by the dialog like the rules.
Its figures (on unseen folds, the test sets and the blind sets) are printed by
`python -m bench.safeguarding` and `python -m bench.held_out`."""

from __future__ import annotations

import numpy as np
import pytest

from bench.residents import demo_context
from dialogs import Session, Stage, Text, step
from dialogs.danger_model import danger_model
from dialogs.safeguarding import IN_OTHER_WORDS, danger_in, detector
from tools import train_danger_model as trainer

LANGUAGES = ("fr", "en", "de", "ar", "tr", "pt")


@pytest.fixture(scope="module")
def labelled() -> tuple[list[str], np.ndarray]:
    return trainer.labelled()


def test_the_shipped_model_was_trained_on_the_data_as_it_is(labelled) -> None:
    model = danger_model()
    assert model is not None
    assert model.about["data_sha256"] == trainer.digest(*labelled), (
        "the labelled data changed since the model was trained: run `make danger-model`"
    )


def test_the_trainer_makes_the_shipped_model_again(labelled) -> None:
    texts, y = labelled
    rarity = trainer.rarity(texts)
    made = trainer.fit(trainer.matrix(texts, rarity), y)
    shipped = danger_model()
    assert rarity.keys() == shipped.known.keys()
    assert made.intercept_[0] == pytest.approx(shipped.bias, abs=1e-3)
    buckets = np.array(sorted(shipped.known))
    assert np.allclose(made.coef_[0][buckets], [shipped.known[b][1] for b in buckets], atol=1e-3)


def test_the_model_reads_a_message_as_it_was_trained(labelled) -> None:
    """The scoring (one pass per block) gives what the training rows and weights give."""
    texts = labelled[0][::40]
    shipped = danger_model()
    rows = trainer.matrix(texts, {b: r for b, (r, _) in shipped.known.items()})
    weights = np.zeros(rows.shape[1])
    for bucket, (_, weight) in shipped.known.items():
        weights[bucket] = weight
    expected = 1 / (1 + np.exp(-(rows @ weights + shipped.bias)))
    assert [shipped.probability(t) for t in texts] == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("reply", ["1", "oui", "ok merci", "evet", "نعم", "STOP", "👍"])
def test_a_short_reply_is_never_scored(reply: str) -> None:
    assert danger_model().probability(reply) is None


@pytest.mark.parametrize(
    "text",
    [
        # Said in words no rule names (none of these is in the training data).
        "my dad comes into my room at night and I am scared",
        "mon beau-père vient dans ma chambre la nuit et j'ai peur",
    ],
)
def test_a_danger_said_in_other_words_gets_the_help_numbers(text: str) -> None:
    assert detector().find(text, LANGUAGES, model=False) is None
    assert danger_in(text, LANGUAGES).category == IN_OTHER_WORDS
    session = Session(language="fr", stage=Stage.VOTING, current=1, queue=[2, 3])
    turn = step(session, Text(text), demo_context())
    assert turn.session.helped
    assert [e.flags for e in turn.effects] == [("safeguarding", "disclosure")]


@pytest.mark.parametrize(
    "text",
    [
        "this bus is killing me lol",
        "je meurs de faim, vivement ce soir",
        "il faut plus de foyers pour les femmes battues",
        "A campaign against youth suicide in schools",
    ],
)
def test_an_idiom_or_an_idea_on_a_hard_subject_is_not_a_danger(text: str) -> None:
    assert danger_in(text, LANGUAGES) is None
