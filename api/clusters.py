"""Suggested big ideas: a grouping of the accepted proposals for a person to review, from what
they say and how residents voted on them. Pure: lists in, suggestions out, no database.

The method, chosen by `python -m bench.grouping` against grouping by theme only, by text only
and by votes only (README, "Suggested big ideas"):
- words: TF-IDF of each proposal's words, accents and case folded, cut to their first five
  letters (a crude stem that works in every offered language: "végétaliser", "végétalisation"
  and "végétalisées" meet), common words left out;
- votes: two proposals are close when the same residents agreed (or disagreed) with both;
  each proposal's votes are centred on its mean first, so that two popular proposals are not
  "close" only because most people like everything;
- theme: proposals of the same theme are a little closer;
- the three similarities are added and the proposals grouped by average-linkage agglomerative
  clustering (scikit-learn) into about sqrt(n) groups.
Each suggestion says why: the words its proposals share, and how many residents agreed with
two or more of them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

STEM = 5  # letters kept of each word
VOTES_WEIGHT = 1.0  # how much the votes' similarity counts beside the words'
THEME_WEIGHT = 0.3  # the bonus of sharing a theme
MAX_GROUPS = 40
SHARED_WORDS = 4  # words listed per suggestion

VALUE = {"agree": 1.0, "disagree": -1.0, "skip": 0.0}  # as api/results.py, by choice name

# Words that say nothing of a proposal's subject, in the offered Latin-script languages
# (after accent folding). Arabic needs none: no Arabic word is this frequent in proposals.
STOP_WORDS = frozenset(
    """
    il faut les des une pour dans aux sur nos notre vos votre plus son ses par avec cette qui
    que est sont tous toutes tout toute mettre faire etre avoir leur leurs entre chaque
    the and for with that this are all more should need needs must from our your their have
    der die das und fur mit den dem ein eine mehr sollte sollten mussen unsere
    para com uma mais dos das nos pelo pela deve devem
    bir ile icin daha olmali gerek
    """.split()
)


@dataclass(frozen=True, slots=True)
class ProposalText:
    """What the grouping reads of a proposal: its text in the consultation's default language
    (`text_for` picks it), and its theme if it has one."""

    id: int
    text: str
    theme: str | None = None


@dataclass(frozen=True, slots=True)
class Vote:
    participant: int
    proposal: int
    choice: str  # "agree", "disagree" or "skip"


@dataclass(frozen=True)
class Suggestion:
    """One suggested big idea: its proposals and why they were put together."""

    proposals: list[int]
    title: str  # its shared words, for a person to rewrite
    shared_words: list[str]
    shared_voters: int  # residents who agreed with two or more of its proposals


def text_for(text: str, language: str, translations: dict[str, str], default_language: str) -> str:
    """A proposal's text in the default language where a translation exists, else as written."""
    if language == default_language:
        return text
    return translations.get(default_language) or text


def fold(text: str) -> str:
    """Lower case without accents: "Végétalisée" -> "vegetalisee"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of a text that can say what it is about (three letters or more, no digits)."""
    return [w for w in re.findall(r"[^\W\d_]{3,}", fold(text)) if w not in STOP_WORDS]


def stems(text: str) -> list[str]:
    return [w[:STEM] for w in words(text)]


def group_count(n: int) -> int:
    """About sqrt(n) groups: 18 for 316 proposals, 24 for 580 (Mulhouse made 18 big ideas
    of its best proposals). Too many is cheaper to fix than too few: merging two groups is
    one move, taking proposals out of a group is one move each."""
    return max(1, min(MAX_GROUPS, n, round(math.sqrt(n))))


# --- similarities -------------------------------------------------------------------------


def text_similarity(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarity of the texts' TF-IDF vectors of stems (0 for a text without words)."""
    if not any(stems(t) for t in texts):
        return np.zeros((len(texts), len(texts)))
    vectors = TfidfVectorizer(analyzer=stems, sublinear_tf=True).fit_transform(texts)
    return (vectors @ vectors.T).toarray()


def vote_matrix(votes: Iterable[Vote], proposal_ids: Sequence[int]) -> np.ndarray:
    """Participants x proposals: 1 agree, -1 disagree, 0 skip, NaN not seen. A participant's
    later vote on a proposal replaces an earlier one."""
    columns = {pid: j for j, pid in enumerate(proposal_ids)}
    cast: dict[tuple[int, int], float] = {}
    for v in votes:
        if v.proposal in columns:
            cast[v.participant, columns[v.proposal]] = VALUE[v.choice]
    rows = {p: i for i, p in enumerate(sorted({p for p, _ in cast}))}
    matrix = np.full((len(rows), len(proposal_ids)), np.nan)
    for (participant, j), value in cast.items():
        matrix[rows[participant], j] = value
    return matrix


def vote_similarity(matrix: np.ndarray) -> np.ndarray:
    """Cosine similarity of the proposals' centred vote columns (unseen counts as 0): high when
    the same residents agreed with both, near 0 when few residents saw both."""
    seen = ~np.isnan(matrix)
    counts = seen.sum(axis=0)
    means = np.divide(
        np.nansum(matrix, axis=0), counts, out=np.zeros(matrix.shape[1]), where=counts > 0
    )
    centred = np.where(seen, matrix - means, 0.0)
    norms = np.linalg.norm(centred, axis=0)
    unit = np.divide(centred, norms, out=np.zeros_like(centred), where=norms > 0)
    return unit.T @ unit


def theme_similarity(themes: Sequence[str | None]) -> np.ndarray:
    same = np.array([[a is not None and a == b for b in themes] for a in themes], dtype=float)
    return same


# --- grouping -----------------------------------------------------------------------------


def group(similarity: np.ndarray, n_groups: int) -> np.ndarray:
    """Labels 0..k-1 from a similarity matrix, by average-linkage agglomerative clustering."""
    n = len(similarity)
    if n_groups >= n:
        return np.arange(n)
    if n_groups <= 1:
        return np.zeros(n, dtype=int)
    top = max(float(similarity.max()), 1e-12)
    distance = np.clip(1.0 - similarity / top, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2
    return AgglomerativeClustering(
        n_clusters=n_groups, metric="precomputed", linkage="average"
    ).fit_predict(distance)


def similarity(
    proposals: Sequence[ProposalText],
    votes: Iterable[Vote] = (),
    *,
    text_weight: float = 1.0,
    votes_weight: float = VOTES_WEIGHT,
    theme_weight: float = THEME_WEIGHT,
) -> np.ndarray:
    """The combined similarity the suggestion groups by (a weight of 0 leaves a part out)."""
    n = len(proposals)
    total = np.zeros((n, n))
    if text_weight:
        total += text_weight * text_similarity([p.text for p in proposals])
    if votes_weight:
        matrix = vote_matrix(votes, [p.id for p in proposals])
        if matrix.size:
            total += votes_weight * vote_similarity(matrix)
    if theme_weight:
        total += theme_weight * theme_similarity([p.theme for p in proposals])
    return total


def suggest(
    proposals: Sequence[ProposalText],
    votes: Sequence[Vote] = (),
    n_groups: int | None = None,
) -> list[Suggestion]:
    """Suggested big ideas for these proposals, largest first, each proposal in exactly one."""
    if not proposals:
        return []
    labels = group(similarity(proposals, votes), n_groups or group_count(len(proposals)))
    members: dict[int, list[int]] = defaultdict(list)
    for proposal, label in zip(proposals, labels, strict=True):
        members[int(label)].append(proposal.id)
    texts = {p.id: p.text for p in proposals}
    agreed = _agreed(votes)
    suggestions = [_explain(ids, texts, agreed) for ids in members.values()]
    suggestions.sort(key=lambda s: (-len(s.proposals), s.proposals[0]))
    return suggestions


def _agreed(votes: Iterable[Vote]) -> dict[int, set[int]]:
    """Each participant's agreed proposals (their last vote on each)."""
    last: dict[tuple[int, int], str] = {}
    for v in votes:
        last[v.participant, v.proposal] = v.choice
    agreed: dict[int, set[int]] = defaultdict(set)
    for (participant, proposal), choice in last.items():
        if choice == "agree":
            agreed[participant].add(proposal)
    return agreed


def _explain(ids: list[int], texts: dict[int, str], agreed: dict[int, set[int]]) -> Suggestion:
    """The words at least two of its proposals share (most shared first, each shown as it is
    most often written), and the residents who agreed with two or more of them."""
    ids = sorted(ids)
    in_how_many: Counter = Counter()
    spelled: dict[str, Counter] = defaultdict(Counter)
    for pid in ids:
        seen = set()
        for word in words(texts[pid]):
            spelled[word[:STEM]][word] += 1
            seen.add(word[:STEM])
        in_how_many.update(seen)
    shared = [
        spelled[stem].most_common(1)[0][0]
        for stem, count in sorted(in_how_many.items(), key=lambda kv: (-kv[1], kv[0]))
        if count >= 2
    ][:SHARED_WORDS]
    members = set(ids)
    voters = sum(1 for chosen in agreed.values() if len(chosen & members) >= 2)
    return Suggestion(
        proposals=ids,
        title=", ".join(shared) if shared else texts[ids[0]],
        shared_words=shared,
        shared_voters=voters,
    )
