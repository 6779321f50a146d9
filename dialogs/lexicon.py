"""Each language's answer words, read from its catalog (context "keywords") and normalised
once: the phrases that answer wherever they stand or only alone, negations, fillers and
politeness, numbers, plain yes and no, the words that open a comment or take a vote back.
dialogs/reading.py reads a sentence with them; the catalog's translator owns every word."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dialogs.i18n import translator

# Where the catalogs' "keywords" words are read: each an English list to translate.
AGREE, DISAGREE, SKIP = "agree", "disagree", "skip"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One language's words, normalised: phrase (a tuple of words) -> meaning."""

    anywhere: dict[tuple[str, ...], str]  # answers wherever they stand in a sentence
    alone: dict[tuple[str, ...], str]  # answers when nothing else is said
    gapped: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...]  # head * tail
    gap_starts: frozenset[str]  # the first word of every "*" phrase
    numbers: dict[tuple[str, ...], int]
    empty: frozenset[tuple[str, ...]]  # fillers, politeness, words with no meaning here
    negations: frozenset[str]
    negations_after: frozenset[str]  # negations that follow what they turn ("değil")
    plain: frozenset[tuple[str, ...]]  # plain yes and no words
    comments: frozenset[tuple[str, ...]]  # how a comment on the proposal read opens
    contrasts: frozenset[str]  # "but", "because": what follows a vote may take it back
    longest: int
    starts: frozenset[str]  # the first word of every phrase: most words start none
    lengths: dict[str, tuple[int, ...]]  # first word -> its phrases' lengths, longest first
    known: frozenset[str]  # every word of every phrase

    def knows(self, clauses: list[list[str]]) -> bool:
        """Whether every word said is one of ours: else no word said alone can count."""
        return all(w in self.known or w.isdigit() for words in clauses for w in words)


def _phrases(text: str, normalise) -> list[tuple[str, ...]]:  # noqa: ANN001
    return [tuple(normalise(p).split()) for p in text.split("|") if normalise(p)]


@cache
def lexicon(language: str) -> Lexicon:
    from dialogs.words import keyword_lists, normalise  # words.py reads whole replies

    t = translator(language)
    anywhere: dict[tuple[str, ...], str] = {}
    alone: dict[tuple[str, ...], str] = {}
    gapped = []
    for intent, text in sentence_lists(t).items():
        for phrase in text.split("|"):
            if "*" in phrase:
                head, _, tail = phrase.partition("*")
                head_words, tail_words = normalise(head).split(), normalise(tail).split()
                gapped.append((tuple(head_words), tuple(tail_words), intent))
            elif bare := tuple(normalise(phrase).split()):
                anywhere.setdefault(bare, intent)
    for intent, text in keyword_lists(language).items():
        for phrase in _phrases(text, normalise):
            if phrase not in anywhere:
                alone.setdefault(phrase, str(intent))
    numbers: dict[tuple[str, ...], int] = {}
    # Translators: the numbers from zero to ten as a resident says them, separated by "|";
    # several ways to say one number separated by "/" ("one/first"). Keep the order.
    said = t.pgettext(
        "keywords",
        "zero|one/first/the first|two/second/the second|three/third/the third|four/fourth|"
        "five/fifth|six/sixth|seven|eight|nine|ten",
    )
    for value, ways in enumerate(said.split("|")):
        for phrase in _phrases(ways.replace("/", "|"), normalise):
            numbers.setdefault(phrase, value)
    # Translators: words that say nothing by themselves in an answer, separated by "|":
    # hesitations, politeness, pronouns, "I say", "my answer is", "number". Never a word that
    # could carry an idea's meaning.
    empty = t.pgettext(
        "keywords",
        "um|uh|er|erm|hmm|well|so|oh|ah|okay then|please|thanks|thank you|thank you very much|"
        "i|me|my|it|its|this|that|is|am|i am|im|the|a|an|i say|i said|i choose|i vote|i think|"
        "my answer|my answer is|answer|number|option|choice|with|with that|with it|to it|"
        "totally|completely|really|very|much|then|just|i would like|id like|i want|"
        "i have|have|one of them|to|for it",
    )
    # Translators: words that turn what follows into its opposite ("not agree" is disagree),
    # separated by "|". Write "-" before a word that follows what it turns (Turkish "-değil").
    negations = t.pgettext("keywords", "not|dont|do not|never|no longer")
    # Translators: the plain words for yes and for no, separated by "|" (not "I agree"): a
    # phrase wins over them ("No, no, I agree" is agree), and a "no" followed by other words is
    # read as part of a sentence ("no cars in the old town on Sundays").
    plain = t.pgettext("keywords", "yes|yeah|yep|yup|ya|no|nope|nah")
    turning = [w.strip() for w in negations.split("|")]
    # Translators: how a resident opens a comment on the proposal just read (not an idea of
    # their own), separated by "|": "that's", "it would be". Never how a proposal opens.
    comments = t.pgettext(
        "keywords",
        "thats|that is|this is|its|it is|that would|it would|this would|that will|it will|"
        "that seems|it seems|sounds|that sounds",
    )
    # Translators: single words that open a contrast or a reason ("but", "however",
    # "because"), separated by "|": "yes but it costs too much" and "no because..." are
    # asked again.
    contrasts = t.pgettext("keywords", "but|however|though|although|except|because|cause|cos")
    words = [*anywhere, *alone, *numbers, *_phrases(empty, normalise)]
    words += [head + tail for head, tail, _ in gapped]
    return Lexicon(
        anywhere=anywhere,
        alone=alone,
        gapped=tuple(gapped),
        gap_starts=frozenset(head[0] for head, _, _ in gapped if head),
        numbers=numbers,
        empty=frozenset(_phrases(empty, normalise)),
        negations=frozenset(
            w for p in turning if not p.startswith("-") for w in normalise(p).split()
        ),
        negations_after=frozenset(
            w for p in turning if p.startswith("-") for w in normalise(p).split()
        ),
        plain=frozenset(_phrases(plain, normalise)),
        comments=frozenset(_phrases(comments, normalise)),
        contrasts=frozenset(normalise(w) for w in contrasts.split("|") if normalise(w)),
        longest=max((len(w) for w in words), default=1),
        starts=frozenset(w[0] for w in words if w),
        lengths=_lengths(words),
        known=frozenset(word for w in words for word in w),
    )


def _lengths(phrases: list[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    by_first: dict[str, set[int]] = {}
    for phrase in phrases:
        if phrase:
            by_first.setdefault(phrase[0], set()).add(len(phrase))
    return {first: tuple(sorted(lengths, reverse=True)) for first, lengths in by_first.items()}


def sentence_lists(t) -> dict[str, str]:  # noqa: ANN001
    """The answers that count wherever they stand in a sentence."""
    return {
        # Translators: ways to agree that still mean agree inside a longer sentence,
        # separated by "|". A "*" stands for a few words (German "stimme * zu").
        AGREE: t.pgettext(
            "keywords", "agree|i agree|yes|yeah|yep|absolutely|good idea|in favour|i am for it"
        ),
        # Translators: ways to disagree that still mean disagree inside a longer sentence.
        DISAGREE: t.pgettext(
            "keywords", "disagree|i disagree|no|nope|not at all|bad idea|i am against it"
        ),
        # Translators: ways to say "I don't know" or "pass", inside a longer sentence.
        SKIP: t.pgettext("keywords", "dont know|i dont know|not sure|no idea|no opinion|i pass"),
        # Translators: ways to ask for help or what the question means, inside a longer
        # sentence ("sorry, what does that mean?"), separated by "|".
        "help": t.pgettext(
            "keywords", "i dont understand|what does that mean|what does it mean|explain"
        ),
        # Translators: ways to ask to hear or read the question again, inside a longer sentence,
        # separated by "|".
        "repeat": t.pgettext(
            "keywords", "repeat|say again|say it again|say that again|once more|again please"
        ),
        # Translators: ways to ask to be contacted no more, inside a longer sentence: never a
        # word that could be part of an idea ("stop the cars"), separated by "|".
        "stop": t.pgettext(
            "keywords",
            "stop calling me|dont call me|do not call me|stop texting me|unsubscribe me|"
            "leave me alone",
        ),
        # Translators: ways to say one has an idea to give, inside a longer sentence.
        "idea": t.pgettext(
            "keywords",
            "i have an idea|i have a suggestion|i want to suggest|i would like to suggest|"
            "propose an idea|suggest something|give an idea|my own idea",
        ),
        # Translators: ways to ask to change one's last answer, inside a longer sentence.
        "change": t.pgettext(
            "keywords", "change my vote|change my answer|change my mind|correct my answer"
        ),
        # Translators: ways to ask for another language, inside a longer sentence.
        "language": t.pgettext(
            "keywords", "change the language|another language|other language|change language"
        ),
        # Translators: ways to ask to erase one's data, inside a longer sentence.
        "erase": t.pgettext("keywords", "delete my data|erase my data|forget me"),
    }
