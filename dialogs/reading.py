"""What a resident's sentence answers: the answer words found inside it, read with the
language's negation, fillers and politeness, and numbers said as words or digits.

"Euh, non, pas du tout d'accord." and "ich stimme dem nicht zu" are disagree; "je ne sais pas"
is a skip, never a negated vote; "Le deux." is option 2. Every word comes from the language's
catalog (context "keywords"), so its translator owns it:

- answer phrases (agree, disagree, skip, and the words that work everywhere): a phrase in the
  list "in a sentence" counts wherever it stands; any other counts only when nothing else is
  said but words that carry no meaning (fillers, politeness, "I", "it", "my answer is"...).
  So "pour" (agree) answers "Je suis pour !" but not "des bancs pour les anciens", and "stop"
  stops "stop svp" but not "il faut un stop au carrefour";
- a "*" in a phrase stands for up to three words: German "stimme * zu";
- a negation word up to three words before an agree (or a disagree) phrase turns it into the
  other; a phrase that holds a negation itself ("pas d'accord", "je ne sais pas") is never
  turned; a negation that is also an answer ("não", "لا") and turns the next phrase is not
  counted again ("não, não concordo");
- a number counts when nothing else is said but such words ("le deux", "je dis 3");
- a plain yes or no ("oui", "no", "لا": the catalog's list of them) is weaker than a phrase:
  it is not an answer when a word of content follows it in its clause, past words that say
  nothing, and a sentence of content goes on ("No cars in the old town", "so no one sleeps
  rough", "Non à la fermeture de la piscine", "لا للسيارات": a proposal, not a vote); said
  again ("non non", "não não") it is one answer and turns nothing; against a phrase of the
  other meaning ("Non non, je suis d'accord", "No, no, I agree") the phrase is the answer;
- a vote counts only when it is all the sentence says: more than a few words of content, a
  "but" or "because", a word of the other side or two numbers, and the question is asked again
  ("Non, il faudrait plutôt des pistes cyclables");
- a vote word that counts only alone gives way to a phrase ("bin absolut dagegen");
- a negation written "-word" in the catalog follows what it turns (Turkish "iyi fikir değil").

A reading can find several meanings; the stage decides whether they agree ("oui, j'ai une
idée" offered to write an idea: both mean write) or not (then the resident is asked again).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from dialogs.lexicon import AGREE, DISAGREE, SKIP, Lexicon

GAP = 3  # words a "*" in a phrase may stand for
NEGATION_REACH = 3  # words between a negation and the phrase it turns
# Words of content a vote may come with ("Non, franchement, je suis contre"): more, and the
# sentence says something else as well ("Oui mais il faut d'abord réparer les trottoirs").
REST = 2
# Words of content after a plain no, in its clause, that make it a word of that sentence:
# "no cars in the old town" (a proposal), but "لا احتفظ بها" (no, keep it) is an answer.
SENTENCE_WORDS = 3
# A clause ends at punctuation: "Non, d'accord" is two answers, "non d'accord" may be one.
CLAUSES = re.compile(r"[.,;:!?¿¡،؛؟…\n]+")
# What a negation turns a phrase into: "not agree" is disagree, "don't erase" is a no.
TURNED = {AGREE: DISAGREE, DISAGREE: AGREE, "erase": DISAGREE}


class Found(NamedTuple):
    meaning: str  # an Intent's value ("agree", "stop"...), "number", "digits" or "empty"
    start: int
    end: int  # one past its last word
    alone: bool = False  # counts only when nothing else is said
    number: int | None = None
    gap: range = range(0)  # the words a "*" stood for
    plain: bool = False  # a plain yes or no: weaker than a phrase


class Reading(NamedTuple):
    meanings: tuple[str, ...]  # distinct, in order: ("agree",), ("agree", "idea")...
    number: int | None  # the one number said, when it counts
    other_words: bool  # words that are neither answers, numbers nor empty
    # A vote found among too much else, a negation that turns nothing, or two numbers: the
    # sentence says more than an answer, and which one it means is a guess (ask again).
    unsure: bool = False
    opens: bool = False  # when unsure: the sentence opens with its answer ("Non, il faudrait")


def read(clauses: list[list[str]], lexicon: Lexicon) -> Reading:
    """The meanings of an utterance, given its clauses as normalised words."""
    found: list[Found] = []
    content = 0  # words that are neither answers, numbers, negations nor empty
    stray = False  # a negation word that turned no answer ("je veux pas que ça change")
    opening: list[Found] = []  # what the first clause holds
    for words in clauses:
        in_clause, rest, loose = _clause(words, lexicon)
        opening = opening if found or opening or not words else in_clause
        found += in_clause
        content += rest
        stray = stray or loose
    other_words = content > 0
    said = [f for f in found if f.meaning not in ("number", "digits")]
    # A vote word that counts only alone gives way to a phrase: "bin absolut dagegen",
    # "oui pour" ("absolut", "pour" alone would agree).
    phrase = any(not f.alone for f in said)
    answers = _stronger(
        [
            f
            for f in said
            if not (f.alone and (other_words or (phrase and f.meaning in (AGREE, DISAGREE, SKIP))))
        ]
    )
    distinct = tuple(dict.fromkeys(f.meaning for f in answers))
    numbers = {f.number for f in found if f.meaning in ("number", "digits")}
    digits = any(f.meaning == "digits" for f in found)
    # A number counts when nothing else is said; a number word ("un", "bir", "uma" are also
    # articles) only when no answer word is said either. A number said with an answer word
    # (but "one", the article) is handed on with it: the stage asks again unless both name
    # the same choice ("1 d'accord", "le deux, je suis d'accord").
    counts = len(numbers) == 1 and (
        (not other_words and (digits or not distinct))
        or (bool(distinct) and (digits or 1 not in numbers))
    )
    votes = [m for m in distinct if m in (AGREE, DISAGREE, SKIP)]
    # A yes or no word said among other words counts for nothing, but still says its side:
    # "C'est une bonne idée, ça marchera jamais", "Não, não quero que nada mude, concordo".
    against = {
        TURNED[f.meaning]
        for f in said
        if f.alone and f.meaning in (AGREE, DISAGREE) and (f.plain or other_words)
    }
    unsure = bool(votes) and (
        content > REST  # "Non, il faudrait plutôt des pistes cyclables"
        or bool(against & set(votes))
        # "Oui mais c'est cher", "Evet ama pahalı": what follows the but may take the vote back
        or any(w in lexicon.contrasts for words in clauses for w in words)
        # "Non, je veux pas que ça change, je suis d'accord": a negation that turned nothing
        # may be meant for the agree (beside a no it only says no again: "No, I'm not keen")
        or (stray and AGREE in votes)
        or len(numbers) > 1  # "1 ou 2, je sais pas", "je dirais deux, non trois"
    )
    if unsure:
        # A sentence that opens with its vote word is an answer said with more; one where the
        # word comes later may be a proposal ("Afixar o número de apoio às vítimas..."): the
        # stage may read it back as an idea when it reads as one, never count it as a vote.
        first = next((words for words in clauses if words), [])
        start = _next(0, first, _empties(first, lexicon))
        opens = content <= REST or (  # "اقول اثنين لا ثلاثة": answer words, little else
            start < len(first)
            and (first[start] in lexicon.negations or any(f.start == start for f in opening))
        )
        return Reading((), None, other_words, unsure=True, opens=opens)
    return Reading(distinct, numbers.pop() if counts else None, other_words)


def _empties(words: list[str], lexicon: Lexicon) -> set[int]:
    """The positions of the words that say nothing, at the start of a clause."""
    i = 0
    while i < len(words) and (match := _fixed(words, i, lexicon)) is not None:
        if match.meaning != "empty":
            break
        i = match.end
    return set(range(i))


def _stronger(found: list[Found]) -> list[Found]:
    """Agree and disagree both said: a phrase wins over plain yes or no words ("Non non, je
    suis d'accord", "No, no, I agree"); two phrases, or two plain words, stay both."""
    sides = {m: [f for f in found if f.meaning == m] for m in (AGREE, DISAGREE)}
    if not all(sides.values()):
        return found
    plain = {m for m, fs in sides.items() if all(f.plain for f in fs)}
    if len(plain) != 1:
        return found
    return [f for f in found if f.meaning not in plain]


def opens_a_comment(clauses: list[list[str]], lexicon: Lexicon) -> bool:
    """Whether the reply opens, past words that say nothing, as a comment on the proposal just
    read ("c'est", "that's", "das wäre", "isso é", "هذا") rather than a proposal of its own."""
    words = [w for clause in clauses for w in clause]
    i = 0
    while i < len(words) and (match := _fixed(words, i, lexicon)) is not None:
        if match.meaning != "empty" or any(
            tuple(words[i : i + n]) in lexicon.comments for n in range(1, 4)
        ):
            break
        i = match.end
    return any(tuple(words[i : i + n]) in lexicon.comments for n in range(1, 4))


def content_words(clauses: list[list[str]], lexicon: Lexicon) -> int:
    """How many words said are not among those that carry no meaning ("please", "euh")."""
    count = 0
    for words in clauses:
        i = 0
        while i < len(words):
            match = _match(words, i, lexicon)
            if match is not None and match.meaning == "empty":
                i = match.end
                continue
            count += 1
            i += 1
    return count


def _clause(words: list[str], lexicon: Lexicon) -> tuple[list[Found], int, bool]:
    """The answers and numbers found in one clause, how many words of content are left, and
    whether a negation in it turned nothing."""
    found: list[Found] = []
    negations: list[int] = []  # positions of negation words that belong to no phrase
    content: set[int] = set()  # positions of words that are none of ours, and number words
    empties: set[int] = set()  # positions of words that say nothing ("à", "la", "the")
    i = 0
    while i < len(words):
        match = _match(words, i, lexicon)
        if match is None:
            if words[i] in lexicon.negations or words[i] in lexicon.negations_after:
                negations.append(i)
            else:
                content.add(i)
            i += 1
            continue
        if match.meaning != "empty":
            found.append(match)
        else:
            empties.update(range(match.start, match.end))
        # The words a "*" stood for are the clause's own: a negation among them counts.
        negations += [j for j in match.gap if words[j] in lexicon.negations]
        i = match.end
    # A plain no before a word of content is a word of a sentence: "no cars in the old town",
    # "so no one sleeps rough", "non aux voitures". (A number word counts as content here.)
    starts = content | {f.start for f in found if f.meaning == "number"}
    sentence = [
        f
        for f in found
        if f.plain
        and f.meaning == DISAGREE
        and _next(f.end, words, empties) in starts
        and len([j for j in starts if j >= f.end]) >= SENTENCE_WORDS
        # "Non parce que ça coûte trop cher": a no and its reason, not a proposal
        and not any(w in lexicon.contrasts for w in words[f.end : f.end + 2])
    ]
    found = [f for f in found if f not in sentence]
    # "لا لا موافق": a repeated no right before the other answer may turn it or be said
    # against it; both stay, and the resident is asked again.
    for k, f in enumerate(found):
        if f.plain and _repeated(words, f.start) and words[f.start] in lexicon.negations:
            after = next((g for g in found if g.start == f.end), None)
            opposite = after is not None and after.meaning in (AGREE, DISAGREE)
            if opposite and after.meaning != f.meaning:
                found[k] = f._replace(plain=False)
    rest = len(content) + len(sentence)
    turned, loose = _negate(found, words, negations, lexicon)
    return turned, rest, loose


def _match(words: list[str], i: int, lexicon: Lexicon) -> Found | None:
    """The longest phrase starting at word `i`, of any kind, with or without a "*"."""
    if words[i] not in lexicon.starts:
        if words[i].isdigit() and len(words[i]) <= 3:
            return Found("digits", i, i + 1, number=int(words[i]))
        return None
    fixed = _fixed(words, i, lexicon)
    gapped = _gapped(words, i, lexicon)
    if gapped is not None and (fixed is None or fixed.meaning == "empty" or gapped.end > fixed.end):
        return gapped  # "alterar a minha última resposta" is longer than "alterar"
    if fixed is None and words[i].isdigit() and len(words[i]) <= 3:
        return Found("digits", i, i + 1, number=int(words[i]))
    return fixed


def _fixed(words: list[str], i: int, lexicon: Lexicon) -> Found | None:
    for length in lexicon.lengths.get(words[i], ()):
        if length > len(words) - i:
            continue
        phrase = tuple(words[i : i + length])
        plain = phrase in lexicon.plain
        if (meaning := lexicon.anywhere.get(phrase)) is not None:
            return Found(meaning, i, i + length, plain=plain)
        if (meaning := lexicon.alone.get(phrase)) is not None:
            return Found(meaning, i, i + length, alone=True, plain=plain)
        if (number := lexicon.numbers.get(phrase)) is not None:
            return Found("number", i, i + length, number=number)
        if phrase in lexicon.empty:
            return Found("empty", i, i + length)
    return None


def _gapped(words: list[str], i: int, lexicon: Lexicon) -> Found | None:
    if words[i] not in lexicon.gap_starts:
        return None
    for head, tail, meaning in lexicon.gapped:
        if tuple(words[i : i + len(head)]) != head:
            continue
        after = i + len(head)
        for gap in range(1, GAP + 1):
            if tuple(words[after + gap : after + gap + len(tail)]) == tail:
                end = after + gap + len(tail)
                return Found(meaning, i, end, gap=range(after, after + gap))
    return None


def _negate(
    found: list[Found], words: list[str], negations: list[int], lexicon: Lexicon
) -> tuple[list[Found], bool]:
    """Agree after a negation is disagree, and the other way round; and whether a negation
    word of the clause turned nothing (it may be meant for the answer all the same)."""
    # A plain word said again ("não não", "non non") is an answer repeated: it turns nothing.
    free = set(negations)  # negation words that belong to no phrase
    negators = {j for j in negations if words[j] in lexicon.negations and not _repeated(words, j)}
    for f in found:  # "pas du tout d'accord": a negation in a disagree or skip phrase counts
        if f.meaning in (DISAGREE, SKIP):
            negators.update(
                j for j in _own(f) if words[j] in lexicon.negations and not _repeated(words, j)
            )
    turned: list[Found] = []
    used: set[int] = set()
    for f in found:
        holds_negation = any(
            words[j] in lexicon.negations or words[j] in lexicon.negations_after for j in _own(f)
        )
        if f.meaning not in TURNED or holds_negation:
            turned.append(f)  # "pas d'accord", "je ne sais pas", "não" are what they say
            continue
        by = [j for j in negators if f.start - NEGATION_REACH <= j < f.start or j in f.gap]
        if not f.plain:  # "non pas trop": a plain no is not turned by what follows it
            by += [j for j in (f.end,) if j in free and words[j] in lexicon.negations_after]
        if not by:
            turned.append(f)
            continue
        used.update(by)
        turned.append(f._replace(meaning=TURNED[f.meaning], plain=False))
    # A negation that is an answer by itself ("não", "لا") and turned a phrase is not counted.
    kept = [f for f in turned if not (f.end - f.start == 1 and f.start in used)]
    # A negation word said again ("nein nein") is an answer repeated, not a stray negation.
    loose = any(j not in used and not _repeated(words, j) for j in negations)
    return kept, loose


def _next(j: int, words: list[str], empties: set[int]) -> int:
    """The first word from `j` on that says something: "non à la fermeture" -> "fermeture"."""
    while j in empties and j < len(words):
        j += 1
    return j


def _repeated(words: list[str], j: int) -> bool:
    return words[j] in words[max(0, j - 1) : j] + words[j + 1 : j + 2]


def _own(f: Found) -> list[int]:
    return [j for j in range(f.start, f.end) if j not in f.gap]
