"""Our own words in the resident's language, from the gettext catalogs in `locales/`."""

from __future__ import annotations

import gettext
from functools import cache
from importlib.resources import files

DOMAIN = "parlons"


@cache
def translator(language: str) -> gettext.NullTranslations:
    """The compiled catalog for `language`, loaded once per process.

    A missing catalog is an error, not a silent fall-back to English: every language the
    consultation offers must be complete (`make` compiles the catalogs).
    """
    localedir = str(files("locales"))
    return gettext.translation(DOMAIN, localedir, languages=[language])


def has_catalog(language: str) -> bool:
    return gettext.find(DOMAIN, str(files("locales")), languages=[language]) is not None
