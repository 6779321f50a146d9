"""What we tell the author of an idea once a moderator has decided: pure words, no I/O."""

from __future__ import annotations

from gettext import NullTranslations

from dialogs.i18n import translator

IDEA_SHOWN = 60  # characters of the idea recalled in the notice


def _reasons(t: NullTranslations) -> dict[str, str]:
    # The API's rejection reasons (GET /moderation/reasons), in plain words the author reads.
    return {
        "incomprehensible": t.gettext("We could not understand the idea."),
        "off_topic": t.gettext("The idea is not about the consultation's question."),
        "partisan": t.gettext("The idea supports or attacks a party or a candidate."),
        "illegal": t.gettext("The idea asks for something against the law."),
        "advertising": t.gettext("The idea advertises a business or a product."),
        "several_ideas": t.gettext("The message holds several ideas: send them one at a time."),
        "rude": t.gettext("The idea insults or attacks people."),
        "duplicate": t.gettext("The same idea is already in the consultation."),
        "personal_data": t.gettext("The idea names a person or gives a phone number or address."),
        "other": t.gettext("The idea does not follow the consultation's rules."),
    }


def reason_in_words(reason: str | None, language: str) -> str:
    reasons = _reasons(translator(language))
    return reasons.get(reason or "other", reasons["other"])


def idea_outcome(language: str, accepted: bool, idea: str, reason: str | None = None) -> str:
    t = translator(language)
    idea = " ".join(idea.split())
    if len(idea) > IDEA_SHOWN:
        idea = idea[: IDEA_SHOWN - 3].rstrip() + "..."
    if accepted:
        return t.gettext(
            'Good news: your idea "%(idea)s" is published. Other residents can now vote on it.'
        ) % {"idea": idea}
    return t.gettext(
        'Your idea "%(idea)s" was not published. %(reason)s You can send another one: IDEA.'
    ) % {"idea": idea, "reason": reason_in_words(reason, language)}
