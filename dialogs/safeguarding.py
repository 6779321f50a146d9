"""Whether a message discloses a danger, in any offered language; and whether it reads as a
proposal (so that an idea that names one is still read back, never swallowed).

The patterns live in data files, one per language: dialogs/safeguarding_patterns/<language>.yaml
(their syntax is in that folder's README.md; tests/dialogs/test_safeguarding.py checks them and
bench/safeguarding.py measures them). A pattern is a short sequence of words, each one a set of
spellings (a whole word, a beginning "frapp*", an ending "*ضربني", a part "*ضرب*", or a named
class of such), with a number of other words allowed between two of them. It matches a message's
words once they are normalised as every reply is (no case, accents, punctuation or spacing;
dialogs.words.normalise) and folded the way residents type (Arabic letter variants, Turkish ı).

A second layer generalises where a fixed sequence over-fits one phrasing: rules over concepts
(`rules:` in the same files). A concept is a class of spellings (the writer, a harm verb, a
family actor, a child, dying, a night with no roof, a symptom); a rule names concepts that must
all occur within a window of words, in any order ("mon mari me frappe", "me frappe mon mari",
"il me frappe encore, mon mari"), and may name concepts that must not. Prefix spellings
("frapp*") play the stemmer's part at no cost per word. A message that reads as a proposal
(an "il faut", "we should", "müsste"... and no singular first person) is not read by the rules:
"nobody should have to sleep outside" names a danger, discloses none.

Every word of a message is looked up once, whatever the number of languages: a table maps a
spelling to the pattern words it can be, and most words of an ordinary message are none.

What neither patterns nor rules hear, a trained model reads, in every language
(dialogs/danger_model.py): a message of three words or more the rules let pass is scored, and
a danger it hears has no category (IN_OTHER_WORDS).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from dialogs.danger_model import MIN_WORDS, danger_model
from dialogs.danger_rules import (
    ABSENT_MARGIN,
    NOT,
    CompiledLanguage,
    Pattern,
    Rule,
    Spellings,
    languages_with_patterns,
    pattern_file,
    words_of,
)


@dataclass(frozen=True, slots=True)
class Danger:
    """What a message discloses: its category, the language whose pattern matched, and the
    pattern itself (for the bench and the tests)."""

    category: str
    language: str
    pattern: str


class Detector:
    """Every language's patterns, compiled once; `find` reads one message."""

    def __init__(self, raw_files: Mapping[str, dict]) -> None:
        self.spellings = Spellings()
        self.languages = {
            lang: CompiledLanguage(lang, raw, self.spellings) for lang, raw in raw_files.items()
        }
        # Patterns by their rarest word: an ordinary message holds none of these words, and
        # costs a few lookups whatever the number of patterns.
        self.keyed: dict[int, list[Pattern]] = defaultdict(list)
        self.keyed_rules: dict[int, list[Rule]] = defaultdict(list)
        for compiled in self.languages.values():
            for pattern in compiled.patterns:
                self.keyed[pattern.key].append(pattern)
            for rule in compiled.rules:
                self.keyed_rules[rule.key].append(rule)
        self.pattern_keys = frozenset(self.keyed)
        self.rule_keys = frozenset(self.keyed_rules)
        self.spellings.done()
        self.words_in = lru_cache(maxsize=1 << 16)(self.spellings.lookup)
        for compiled in self.languages.values():
            compiled.spellings_of = self.words_in

    def find(
        self, text: str, languages: Sequence[str], patterns: bool = True, model: bool = True
    ) -> Danger | None:
        """The first danger found: the patterns', the rules', then the model's (which reads
        every language). `patterns=False` or `model=False` leave those out (the bench measures
        each reader alone)."""
        tokens = words_of(text)
        words = [self.words_in(w) for w in tokens]
        present = frozenset().union(*words)
        for word in present & self.pattern_keys if patterns else ():
            for pattern in self.keyed[word]:
                if (
                    pattern.language in languages
                    and pattern.required <= present
                    and _matches(pattern, words)
                ):
                    return Danger(pattern.category, pattern.language, pattern.source)
        for word in present & self.rule_keys:
            for rule in self.keyed_rules[word]:
                if (
                    rule.language in languages
                    and rule.required <= present
                    and _within(rule, words)
                    and not self._an_idea(rule.language, tokens, present)
                ):
                    return Danger(rule.category, rule.language, rule.source)
        if (
            model
            and len(tokens) >= MIN_WORDS  # a short reply is never scored: no cost for "1"
            and (probability := _model_probability(tokens)) is not None
        ):
            # Said in other words than the rules': no category, the session's language.
            return Danger(IN_OTHER_WORDS, languages[0], f"model, p = {probability:.2f}")
        return None

    def _an_idea(self, language: str, tokens: tuple[str, ...], present: frozenset[int]) -> bool:
        """A proposal form and no singular first person outside it: the rules stay silent."""
        return self.languages[language].writer_outside_a_proposal_form(tokens) is False

    def reads_as_proposal(self, text: str, language: str) -> bool:
        """It opens like a proposal ("Plus de...", "Des bancs..."), says one anywhere ("il
        faut", "we need", "ich finde", or a proposal form of the rules), or names no first
        person."""
        compiled = self.languages.get(language)
        if compiled is None:
            return False
        words = words_of(text)
        if any(words[: len(o)] == o for o in compiled.openers if o):
            return True
        spans = {words[i : i + len(m)] for m in compiled.markers for i in range(len(words))}
        if any(m in spans for m in compiled.markers if m):
            return True
        if compiled.writer_outside_a_proposal_form(words) is not None:
            return True  # a proposal form the rules know ("on devrait", "-malı", "يجب")
        return not any(compiled.first_person in self.words_in(w) for w in words)


def _matches(pattern: Pattern, words: list[frozenset[int]]) -> bool:
    first = pattern.steps[0][0]
    for position, here in enumerate(words):
        if first not in here or (position and pattern.not_after in words[position - 1]):
            continue
        end = _rest(pattern.steps, 1, position, words)
        if end >= 0 and not any(
            part in near
            for near in words[max(position - ABSENT_MARGIN, 0) : end + 1 + ABSENT_MARGIN]
            for part in pattern.absent
        ):
            return True
    return False


def _rest(steps: tuple[tuple[int, int], ...], k: int, at: int, words: list[frozenset[int]]) -> int:
    """Where steps[k:] end when they match after the word at `at`, each within its gap of the
    one before; -1 when they do not."""
    if k == len(steps):
        return at
    word, gap = steps[k]
    if gap == NOT:
        follows = at + 1 < len(words) and word in words[at + 1]
        return -1 if follows else _rest(steps, k + 1, at, words)
    for position in range(at + 1, min(at + 2 + gap, len(words))):
        if word in words[position] and (end := _rest(steps, k + 1, position, words)) >= 0:
            return end
    return -1


def _within(rule: Rule, words: list[frozenset[int]]) -> bool:
    """Whether every concept of the rule occurs within one window of words, and none it
    excludes."""
    needed = Counter(rule.parts)  # a concept named twice occurs twice ("mon père ... ma mère")
    places = {part: [i for i, here in enumerate(words) if part in here] for part in needed}
    for start in sorted({i for found in places.values() for i in found}):
        end = start + rule.window
        # What must not occur is looked for a little beyond ("mourir ... d'ennui").
        if all(
            sum(start <= i < end for i in places[part]) >= n for part, n in needed.items()
        ) and not any(
            part in here
            for here in words[max(start - ABSENT_MARGIN, 0) : end + ABSENT_MARGIN]
            for part in rule.absent
        ):
            return True
    return False


IN_OTHER_WORDS = "in_other_words"  # the category of a danger only the model heard


@lru_cache(maxsize=1024)  # a turn asks about the same message more than once
def _model_probability(tokens: tuple[str, ...]) -> float | None:
    """The model's probability when it reaches its threshold, else None."""
    model = danger_model()
    probability = model.probability_of(tokens) if model is not None else None
    return probability if probability is not None and probability >= model.threshold else None


@cache
def detector() -> Detector:
    return Detector({lang: pattern_file(lang) for lang in languages_with_patterns()})


def danger_in(text: str, languages: Sequence[str]) -> Danger | None:
    """The danger a message discloses in any of `languages`, or None."""
    return detector().find(text, languages)


def discloses_danger(text: str, language: str, offered: Sequence[str]) -> bool:
    """Whether a message says the resident (or someone) is in danger, in any offered language
    (`language`, the session's, is always among them)."""
    return danger_in(text, (language, *offered)) is not None


def reads_as_proposal(text: str, language: str) -> bool:
    return detector().reads_as_proposal(text, language)
