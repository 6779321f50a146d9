"""Which Twilio voice reads each language, and which code its speech recognition wants.

The two codes differ: Twilio recognises Arabic by region (ar-MA, ar-DZ, ar-TN...) while its
Arabic voices are tagged ar-XA, arb or ar-AE. A consultation file can set its own under
`voice:` (per language: `voice`, `language`, `recognition`); the defaults below fit Mulhouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Voice:
    voice: str  # <Say voice="...">: a Twilio (Amazon Polly or Google) voice name
    language: str  # <Say language="...">: the voice's own language tag
    recognition: str  # <Gather language="...">: the speech recognition code


DEFAULT_VOICES: dict[str, Voice] = {
    "fr": Voice("Polly.Lea-Neural", "fr-FR", "fr-FR"),
    "en": Voice("Polly.Amy-Neural", "en-GB", "en-GB"),
    "de": Voice("Polly.Vicki-Neural", "de-DE", "de-DE"),
    # Many Arabic speakers in Mulhouse come from the Maghreb: Moroccan Arabic is recognised
    # best by ar-MA; Google's Modern Standard Arabic voice reads every region's script.
    "ar": Voice("Google.ar-XA-Standard-A", "ar-XA", "ar-MA"),
    "tr": Voice("Polly.Filiz", "tr-TR", "tr-TR"),
    "pt": Voice("Polly.Ines-Neural", "pt-PT", "pt-PT"),
}


class Voices:
    """The voice table of one consultation: its file's `voice:` entries over the defaults.

    Every offered language must have a voice: a French voice reading Arabic helps no one, so
    a missing one stops the start, as a missing catalog does.
    """

    def __init__(
        self, languages: Iterable[str], configured: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        table = dict(DEFAULT_VOICES)
        for language, fields in (configured or {}).items():
            try:
                base = table.get(language)
                table[language] = Voice(**fields) if base is None else replace(base, **fields)
            except TypeError as e:
                raise ValueError(f"voice for {language!r}: {e}") from e
        if missing := [lang for lang in languages if lang not in table]:
            raise ValueError(f"no Twilio voice for {', '.join(missing)}: add it under `voice:`")
        self._table = table

    def __getitem__(self, language: str) -> Voice:
        return self._table[language]
