"""What a user of the proposal selectors (api/selection.py) would check."""

from __future__ import annotations

import io
import math
import random

import pytest

from api.anchors import polis_priority
from api.candidates import Candidate
from api.selection import DEFAULT, SELECTORS

ALL = sorted(SELECTORS)


def consultation(
    n: int,
    *,
    themes: int = 8,
    authors: int = 40,
    languages: tuple[str, ...] = ("fr",),
    votes: tuple[int, int, int] | None = None,
    seed: int = 0,
) -> list[Candidate]:
    """n accepted proposals with varied themes, authors and (unless given) vote counts."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        agree, disagree, skip = votes or (rng.randint(0, 80), rng.randint(0, 40), rng.randint(0, 9))
        out.append(
            Candidate(
                id=1000 + i,
                theme=f"theme-{i % themes}",
                author=None if i % 10 == 0 else f"resident-{rng.randrange(authors)}",
                language=languages[i % len(languages)],
                order=i,
                agree=agree,
                disagree=disagree,
                skip=skip,
            )
        )
    return out


def choose(name, candidates, *, seen=(), language="fr", limit=5, seed=1, recent=()):
    return SELECTORS[name].choose(
        candidates,
        seen=set(seen),
        language=language,
        limit=limit,
        rng=random.Random(seed),
        recent=recent,
    )


def clash(a: Candidate, b: Candidate) -> bool:
    same_theme = a.theme is not None and a.theme == b.theme
    return same_theme or (a.author is not None and a.author == b.author)


def test_registry():
    assert DEFAULT == "parlons"
    assert set(SELECTORS) == {"parlons", "makeorg", "polis", "random", "least-voted"}
    assert all(SELECTORS[name].name == name for name in SELECTORS)


@pytest.mark.parametrize("name", ALL)
def test_never_a_seen_id_nor_a_duplicate_and_fills_the_page(name):
    for trial in range(40):
        rng = random.Random(trial)
        candidates = consultation(rng.randint(1, 120), seed=trial)
        candidates += rng.sample(candidates, len(candidates) // 5)  # the same ids twice
        ids = {c.id for c in candidates}
        seen = set(rng.sample(sorted(ids), rng.randint(0, len(ids)))) | {1, 2}
        limit = rng.randint(1, 15)
        out = choose(name, candidates, seen=seen, limit=limit, seed=trial)
        assert set(out) <= ids
        assert not set(out) & seen
        assert len(out) == len(set(out))
        assert len(out) == min(limit, len(ids - seen))  # at most limit, and no gap


@pytest.mark.parametrize("name", ALL)
def test_nothing_to_show(name):
    candidates = consultation(20)
    assert choose(name, candidates, limit=0) == []
    assert choose(name, [], limit=5) == []
    assert choose(name, candidates, seen=[c.id for c in candidates]) == []


@pytest.mark.parametrize("name", ALL)
def test_same_rng_same_answer(name):
    candidates = consultation(200, languages=("fr", "en"))
    assert choose(name, candidates, seed=7) == choose(name, candidates, seed=7)


def test_no_theme_or_author_twice_in_a_row():
    by_id = {}
    for trial in range(30):
        candidates = consultation(150, seed=trial)
        by_id.update({c.id: c for c in candidates})
        out = [by_id[i] for i in choose(DEFAULT, candidates, limit=12, seed=trial)]
        assert not any(clash(a, b) for a, b in zip(out, out[1:], strict=False))


def test_no_theme_or_author_twice_in_a_row_across_calls():
    candidates = consultation(150, seed=3)
    by_id = {c.id: c for c in candidates}
    shown: list[Candidate] = []
    for call in range(10):  # one resident, one proposal at a time (SMS)
        ids = choose(
            DEFAULT, candidates, seen=[c.id for c in shown], limit=1, seed=call, recent=shown[-1:]
        )
        shown.append(by_id[ids[0]])
    assert not any(clash(a, b) for a, b in zip(shown, shown[1:], strict=False))
    for last in candidates[:20]:  # whatever was shown last
        first = by_id[choose(DEFAULT, candidates, seen=[last.id], recent=[last])[0]]
        assert not clash(last, first)


def test_clashes_accepted_only_when_nothing_else_is_left():
    candidates = consultation(6, themes=1)  # one theme only
    assert len(choose(DEFAULT, candidates, limit=6)) == 6


@pytest.mark.parametrize("votes", [(0, 0, 0), (30, 12, 3)], ids=["new", "voted"])
def test_same_language_first_when_counts_are_equal(votes):
    candidates = consultation(60, languages=("fr", "en", "ar"), votes=votes)
    language = {c.id: c.language for c in candidates}
    for seed in range(20):
        out = choose(DEFAULT, candidates, language="en", limit=5, seed=seed)
        assert [language[i] for i in out] == ["en"] * 5


def test_other_languages_are_not_starved():
    voted = consultation(40, votes=(40, 10, 2))  # all French, all well voted
    new = Candidate(5000, "theme-x", "resident-x", "en", 99, 0, 0, 0)
    assert choose(DEFAULT, voted + [new], language="fr")[0] == new.id


def vote(candidates: list[Candidate], ids: list[int], rng: random.Random) -> list[Candidate]:
    """Each shown proposal gets one more vote, agree or disagree."""
    out = []
    for c in candidates:
        if c.id in ids:
            agrees = rng.random() < 0.6
            c = Candidate(
                c.id,
                c.theme,
                c.author,
                c.language,
                c.order,
                c.agree + agrees,
                c.disagree + (not agrees),
                c.skip,
            )
        out.append(c)
    return out


def test_new_proposals_reach_the_early_voters():
    candidates = consultation(40, seed=5)  # already voted on
    new_ids = set(range(5000, 5004))
    candidates += [
        Candidate(i, f"theme-new-{i}", f"resident-new-{i}", "fr", 100 + i, 0, 0, 0)
        for i in sorted(new_ids)
    ]
    rng = random.Random(0)
    shown: list[list[int]] = []
    for resident in range(3):  # the next residents, each voting on 5 proposals
        shown.append(choose(DEFAULT, candidates, limit=5, seed=resident))
        candidates = vote(candidates, shown[-1], rng)
    assert shown[0][0] in new_ids  # the very first place
    assert new_ids <= {i for ids in shown for i in ids}  # all of them, within 3 residents


def test_new_proposals_get_their_ten_votes_quickly():
    candidates = consultation(80, seed=6)
    candidates.append(Candidate(6000, "theme-late", "resident-late", "fr", 500, 0, 0, 0))
    rng = random.Random(1)
    for resident in range(10):
        candidates = vote(candidates, choose(DEFAULT, candidates, limit=5, seed=resident), rng)
    late = next(c for c in candidates if c.id == 6000)
    assert late.agree + late.disagree == 10  # in each of the next 10 residents' queues


def test_polis_priority_is_the_pol_is_formula():
    # priority = (importance * (1 + 8 * 2^(-S/5)))^2, importance = (1 - p) * (E + 1) * a
    assert polis_priority(0, 0, 0) == pytest.approx((0.5 * 0.5 * 9) ** 2)
    p, a = (3 + 1) / 22, (17 + 1) / 22  # A = 17, D = 0, P = 3: S = 20
    assert polis_priority(17, 0, 3) == pytest.approx(((1 - p) * a * (1 + 8 / 16)) ** 2)
    assert polis_priority(17, 0, 3) < polis_priority(0, 0, 0)  # new comments bubble up


def test_makeorg_new_pool_gets_its_places_oldest_first():
    tested = consultation(60, votes=(40, 5, 5))  # consensus, all tested
    new = [
        Candidate(5000 + i, f"theme-new-{i}", f"new-{i}", "fr", 200 + i, 1, 0, 0) for i in range(8)
    ]
    out = choose("makeorg", tested + new, limit=12)
    chosen_new = sorted(i for i in out if i >= 5000)
    assert chosen_new == [5000, 5001, 5002, 5003]  # ceil(30 % of 12), the 4 oldest


def test_benchmark_quick_ours_reaches_90_percent_before_random():
    from bench.selection import run_benchmark

    summary = run_benchmark(
        quick=True, seed=1, algos=["parlons", "random"], datasets=[], jobs=1, out=io.StringIO()
    )
    (sim,) = (rows for title, rows in summary.items() if title.startswith("simulation"))
    ours, rand = sim["parlons"]["to90"], sim["random"]["to90"]
    assert math.isfinite(ours)
    assert ours < rand
    assert sim["parlons"]["mean"] > sim["random"]["mean"]


def _write_polis(folder, comments: dict[int, tuple[int, int]]) -> None:
    """A Pol.is export with `comments` {id: (agrees, disagrees)}, all posted before any vote;
    voter v votes on every comment it has a vote for, in comment order."""
    folder.mkdir()
    rows = ["timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body"]
    rows += [f"1000,x,{cid},0,{a},{d},1,comment {cid}" for cid, (a, d) in comments.items()]
    (folder / "comments.csv").write_text("\n".join(rows) + "\n")
    votes = ["timestamp,datetime,comment-id,voter-id,vote"]
    for cid, (agrees, disagrees) in comments.items():
        for v in range(agrees + disagrees):
            votes.append(f"{2000 + v},x,{cid},{v},{1 if v < agrees else -1}")
    (folder / "votes.csv").write_text("\n".join(votes) + "\n")


def test_polis_replay_says_when_its_own_data_cannot_reach_90_percent(tmp_path, monkeypatch):
    """With 12 agrees out of 12, comment 0 is the truth's top; a ranking robust to few votes
    puts the 95-out-of-100 comment first, so no selector can ever reach 90 % there."""
    from bench import consultations

    monkeypatch.setattr(consultations, "POLIS_DIR", tmp_path)
    others = {cid: (40, 60) for cid in range(2, 10)}
    _write_polis(tmp_path / "unclear", {0: (12, 0), 1: (95, 5), **others})
    _write_polis(tmp_path / "clear", {0: (90, 10), 1: (50, 50), **others})

    unclear, clear = consultations.polis("unclear", 1), consultations.polis("clear", 1)
    assert unclear.k == clear.k == 1
    assert unclear.ceiling == 0.0  # the true top (12/12) is never ranked first
    assert clear.ceiling == 1.0
    assert "reaches 0.00" in unclear.note
