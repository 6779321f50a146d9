"""Every offered language is complete: no missing, fuzzy or obsolete entry, placeholders that
match their source, the right number of plural forms."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALES = files("locales")
LANGUAGES = sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir())
PLURALS = {"fr": 2, "en": 2, "de": 2, "pt": 2, "tr": 1, "ar": 6}  # gettext / CLDR


def catalog(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / "parlons.po").open("rb") as f:
        return read_po(f, locale=language)


def template() -> Catalog:
    with (LOCALES / "parlons.pot").open("rb") as f:
        return read_po(f)


def test_the_six_languages_of_mulhouse_are_offered() -> None:
    assert set(LANGUAGES) == set(PLURALS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_current(language: str) -> None:
    ours = catalog(language)
    source = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template() if m.id}
    have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in ours if m.id}
    assert source - have == set(), "missing: run `make messages` and translate"
    assert have - source == set(), "no longer in the code: run `make messages`"
    assert not ours.obsolete, "obsolete entries: run `make messages`"
    fuzzy = [m.id for m in ours if m.id and m.fuzzy]
    assert fuzzy == []
    empty = [m.id for m in ours if m.id and not all(m.string if m.pluralizable else [m.string])]
    assert empty == []


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_their_source(language: str) -> None:
    # Babel's checkers catch an unknown or mistyped placeholder...
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog(language).check()]
    assert problems == []
    # ...and every form must keep every placeholder of its source, none dropped.
    for m in catalog(language):
        if not m.id:
            continue
        source = m.id[-1] if m.pluralizable else m.id
        for form in m.string if m.pluralizable else [m.string]:
            assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(source)), m.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms(language: str) -> None:
    ours = catalog(language)
    assert ours.num_plurals == PLURALS[language]
    for message in ours:
        if message.id and message.pluralizable:
            assert len(message.string) == PLURALS[language], message.id
