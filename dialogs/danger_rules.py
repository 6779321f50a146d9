"""The safeguarding pattern files (dialogs/safeguarding_patterns/<language>.yaml, syntax in
that folder's README.md) read and compiled: a message's words as the patterns see them, each
language's patterns and concept rules as word ids, and the table from a spelling to the pattern
words it can be. dialogs/safeguarding.py reads messages with them."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files

import yaml

from dialogs.words import LOOK_ALIKES

CATEGORIES = (
    "self_harm",
    "home_violence",
    "sexual_violence",
    "child_danger",
    "no_shelter",
    "threat_to_life",
    "medical_emergency",
)
WIDE_GAP = 3  # "~" alone: up to three other words between two pattern words
NOT = -1  # "!word": the gap of a word that must not come next
ASCII_WORD = re.compile(r"[a-z0-9]+")
WORD = re.compile(r"[^\W_]+")
# An apostrophe parts two words here ("m'a" is "m a"); typed without one, "ma" stays one word.
APOSTROPHES = "'’`´"
# Letters residents type for one another: Arabic alef maqsura, ta marbuta and Persian forms,
# the elongation mark; Turkish dotless i (a phone without Turkish letters types "i").
FOLD = (("ى", "ي"), ("ة", "ه"), ("ک", "ك"), ("ی", "ي"), ("ـ", ""), ("ı", "i"))
# Zero-width spaces, joiners, bidi controls, soft hyphens, the byte order mark (category Cf).
INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
# Combining marks of the scripts residents write: Latin accents, Arabic diacritics.
MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc"
    "\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    "\ufe20-\ufe2f]"
)
LOOK_ALIKE_SCRIPTS = re.compile("[\u0370-\u03ff\u0400-\u04ff]")


@dataclass(frozen=True, slots=True)
class Pattern:
    language: str
    category: str
    source: str
    # (pattern word id, most other words allowed just before it); the first's gap is unused.
    # A gap of NOT: the next word must not be this one (it takes no word).
    steps: tuple[tuple[int, int], ...]
    not_after: int | None  # the word before the first may not be this one
    absent: tuple[int, ...]  # classes that must not occur in the match, nor ABSENT_MARGIN around
    required: frozenset[int]  # every word a message must hold for this pattern to match
    key: int  # the rarest of them (its shortest spelling is the longest): the index's key


@dataclass(frozen=True, slots=True)
class Rule:
    language: str
    category: str
    source: str
    parts: tuple[int, ...]  # concepts that must all occur within `window` words
    absent: tuple[int, ...]  # concepts that must not occur in that window
    window: int
    required: frozenset[int]
    key: int


ABSENT_MARGIN = 2  # words either side of a window where what a rule excludes is looked for
HELD_LETTER = re.compile(r"(\w)\1{2,}")  # a letter typed three times or more reads once
RULE_WINDOW = 8  # words a rule's concepts may spread over, unless the rule says "within N"


def words_of(text: str) -> tuple[str, ...]:
    """A message's words as the patterns see them: as dialogs.words.normalise gives them (no
    case, accents, invisible characters or punctuation; look-alike Cyrillic and Greek letters
    read as Latin), folded as residents type, each apostrophe parting two words. Built from
    C-level string operations: every message of every resident comes through here."""
    for apostrophe in APOSTROPHES:
        text = text.replace(apostrophe, " ")
    if text.isascii():  # most replies
        return tuple(ASCII_WORD.findall(text.lower()))
    text = INVISIBLE.sub("", text)
    if LOOK_ALIKE_SCRIPTS.search(text):
        text = text.translate(LOOK_ALIKES)
    bare = MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    for letter, instead in FOLD:
        bare = bare.replace(letter, instead)
    return tuple(WORD.findall(bare))


# --- the pattern files ----------------------------------------------------------------------


def pattern_file(language: str) -> dict:
    """One language's data file, as written."""
    path = files("dialogs") / "safeguarding_patterns" / f"{language}.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when it is there: faster
    return yaml.load(path.read_text("utf-8"), Loader=loader)


def languages_with_patterns() -> tuple[str, ...]:
    folder = files("dialogs") / "safeguarding_patterns"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


class Spellings:
    """Every spelling of every pattern word, and which pattern words each one is."""

    def __init__(self) -> None:
        self.whole: dict[str, set[int]] = defaultdict(set)
        self.starts: dict[str, set[int]] = defaultdict(set)
        self.ends: dict[str, set[int]] = defaultdict(set)
        self.inside: dict[str, set[int]] = defaultdict(set)
        self.ids: dict[tuple[str, str], int] = {}
        self.start_lengths: list[int] = []
        self.end_lengths: list[int] = []
        self.inside_ascii: list[tuple[str, set[int]]] = []
        self.shortest: dict[int, int] = {}  # per pattern word, its shortest spelling's length

    def done(self) -> None:
        """Every spelling is in: the lengths of beginnings and endings to look up."""
        self.start_lengths = sorted({len(s) for s in self.starts})
        self.inside_ascii = [(s, w) for s, w in self.inside.items() if s.isascii()]
        self.end_lengths = sorted({len(s) for s in self.ends})

    def add(self, language: str, spec: str, spellings: Iterable[str]) -> int:
        """The id of the pattern word `spec` of `language`, made of `spellings`."""
        key = (language, spec)
        if key in self.ids:
            return self.ids[key]
        word = self.ids[key] = len(self.ids)
        for spelling in spellings:
            table, bare = _table_of(self, spelling)
            table[bare].add(word)
        self.shortest[word] = min(len(s.strip("*")) for s in spellings)
        return word

    def lookup(self, token: str) -> frozenset[int]:
        found = self._exact(token)
        if not found and (held := HELD_LETTER.sub(r"\1", token)) != token:
            found = self._exact(held)  # "mouriiiir", "aideeeez": a letter held down
        return frozenset(found)

    def _exact(self, token: str) -> set[int]:
        found: set[int] = set(self.whole.get(token, ()))
        for length in self.start_lengths:
            found |= self.starts.get(token[:length], set())
        for length in self.end_lengths:
            found |= self.ends.get(token[-length:], set())
        # Parts inside a word: Arabic, whose pronouns are attached, in its script or in Latin
        # letters ("kayhddedni"); a word is looked up once (cached), so the scan is rare.
        scan = self.inside.items() if not token.isascii() else self.inside_ascii
        for spelling, words in scan:
            if spelling in token:
                found |= words
        return found


def _table_of(spellings: Spellings, spelling: str) -> tuple[dict[str, set[int]], str]:
    starred_start, starred_end = spelling.startswith("*"), spelling.endswith("*")
    bare = spelling.strip("*")
    if starred_start and starred_end:
        return spellings.inside, bare
    if starred_end:
        return spellings.starts, bare
    if starred_start:
        return spellings.ends, bare
    return spellings.whole, bare


def _spelling(item: object) -> str:
    if not isinstance(item, str):  # YAML reads on, no, yes unquoted as booleans
        raise ValueError(f"a spelling must be text: quote {item!r}")
    return item


def _variants(spelling: str, spellings: Mapping[str, str]) -> set[str]:
    """A spelling as normalised, and as typed with the file's letter substitutes (German
    "schlägt" is also "schlaegt")."""
    out = {spelling}
    for letter, instead in spellings.items():
        out |= {s.replace(letter, instead) for s in out}
    return {_normal_spelling(s) for s in out}


def _normal_spelling(spelling: str) -> str:
    start, end = ("*" if spelling.startswith("*") else ""), ("*" if spelling.endswith("*") else "")
    words = words_of(spelling.strip("*"))
    if len(words) != 1:
        raise ValueError(f"a pattern word is one word: {spelling!r}")
    return f"{start}{words[0]}{end}"


class CompiledLanguage:
    """One language's file, compiled: its classes, patterns, how a proposal reads, first
    person."""

    def __init__(self, language: str, raw: dict, spellings: Spellings) -> None:
        self.language = language
        self.substitutes = raw.get("spellings", {}) or {}
        self.classes: dict[str, list[str]] = dict(raw.get("words", {}) or {})
        concepts = raw.get("concepts", {}) or {}
        if clash := set(concepts) & set(self.classes):
            raise ValueError(f"{language}: {sorted(clash)} both a class and a concept")
        self.classes.update(concepts)
        self.spellings = spellings
        self.patterns = [
            self._pattern(category, source)
            for category, sources in (raw.get("patterns", {}) or {}).items()
            for source in sources
        ]
        self.rules = [
            self._rule(category, source)
            for category, sources in (raw.get("rules", {}) or {}).items()
            for source in sources
        ]
        self.first_person = self.word("|".join(map(_spelling, raw["first_person"])))
        singular = raw.get("singular_first_person") or raw["first_person"]
        self.singular = self.word("|".join(map(_spelling, singular)))
        forms = raw.get("proposal_forms", [])
        self.proposal_endings = tuple(words_of(f)[0] for f in forms if f.startswith("*"))
        self.proposal_forms = tuple(
            ("^", *words_of(f[1:])) if f.startswith("^") else words_of(f)
            for f in forms
            if not f.startswith("*")
        )
        self.spellings_of: Callable[[str], frozenset[int]] = spellings.lookup
        self.openers = tuple(words_of(o) for o in raw.get("proposal_openers", []))
        self.markers = tuple(words_of(m) for m in raw.get("proposal_markers", []))

    def expand(self, spec: str, seen: tuple[str, ...] = ()) -> set[str]:
        """The spellings of one pattern word: alternatives split on "|", classes expanded."""
        out: set[str] = set()
        for part in spec.split("|"):
            if part in self.classes:
                if part in seen:
                    raise ValueError(f"{self.language}: class {part} contains itself")
                for item in self.classes[part]:
                    out |= self.expand(_spelling(item), (*seen, part))
            elif part.isupper() and part.isalpha() and part.isascii():
                raise ValueError(f"{self.language}: no class {part}")
            else:
                out |= _variants(part, self.substitutes)
        return out

    def word(self, spec: str) -> int:
        return self.spellings.add(self.language, spec, self.expand(spec))

    def _pattern(self, category: str, source: str) -> Pattern:
        """ "veux ~2 mourir - NOT_IDIOM": words in order, gaps, "!" words that must not be
        there, and after " - " classes that must not occur in or around the match."""
        if category not in CATEGORIES:
            raise ValueError(f"{self.language}: unknown category {category}")
        body, *excluded = source.split(" - ")
        absent = tuple(self.word(name.strip()) for name in excluded)
        steps: list[tuple[int, int]] = []
        not_after, gap = None, 0
        for part in body.split():
            if part.startswith("~"):
                gap = int(part[1:]) if part[1:] else WIDE_GAP
            elif part.startswith("!") and not steps:
                not_after = self.word(part[1:])
            elif part.startswith("!"):
                steps.append((self.word(part[1:]), NOT))
            else:
                steps.append((self.word(part), gap))
                gap = 0
        if not steps or steps[0][1] == NOT:
            raise ValueError(f"{self.language}: no word to match in {source!r}")
        required = frozenset(word for word, gap in steps if gap != NOT)
        key = max(required, key=lambda word: (self.spellings.shortest[word], word))
        return Pattern(
            self.language, category, source, tuple(steps), not_after, absent, required, key
        )

    def _rule(self, category: str, source: str) -> Rule:
        """ "SELF + WANT + DIE - NOT_ME within 6": concepts joined by "+", "-" before one that
        must not occur in the window."""
        if category not in CATEGORIES:
            raise ValueError(f"{self.language}: unknown category {category}")
        body, _, within = source.partition(" within ")
        window = int(within) if within else RULE_WINDOW
        parts: list[int] = []
        absent: list[int] = []
        for term in re.findall(r"[+-]?\s*[^\s+-][^\s+]*", body):
            name = term.lstrip("+- ")
            if name not in self.classes:
                raise ValueError(f"{self.language}: rule {source!r} names no concept {name}")
            (absent if term.startswith("-") else parts).append(self.word(name))
        if not parts:
            raise ValueError(f"{self.language}: no concept in rule {source!r}")
        key = max(parts, key=lambda word: (self.spellings.shortest[word], word))
        return Rule(
            self.language,
            category,
            source,
            tuple(parts),
            tuple(absent),
            window,
            frozenset(parts),
            key,
        )

    def writer_outside_a_proposal_form(self, words: tuple[str, ...]) -> bool | None:
        """None when the message says no proposal form ("il faut", "we should", "müsste",
        "I suggest"...); else whether a word outside those forms names the writer (singular
        first person: "we need" names a community, "he beats me" a person)."""
        covered: set[int] = set()
        for i, word in enumerate(words):  # "*elim": a Turkish "let us..." ending
            if any(word.endswith(ending) and word != ending for ending in self.proposal_endings):
                covered.add(i)
        for form in self.proposal_forms:
            at_start = form[:1] == ("^",)  # "^ mehr": only as the message's first words
            form = form[1:] if at_start else form
            for i in range(1 if at_start else len(words) - len(form) + 1):
                if form and words[i : i + len(form)] == form:
                    covered.update(range(i, i + len(form)))
        if not covered:
            return None
        return any(
            self.singular in self.spellings_of(word)
            for i, word in enumerate(words)
            if i not in covered
        )
