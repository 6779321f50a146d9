"""The report's own words, in English (the source); the catalogs in locales/ hold them in every
offered language (gettext domain "parlons", so `make messages` finds them here), each in the
context "report": printed, never sent by SMS (so tests/test_sms_cost.py leaves them out)."""

from __future__ import annotations

CONTEXT = "report"


def pgettext(context: str, msgid: str) -> str:
    """Marks a word for `make messages` (keyword pgettext); translated when the report is
    written (bot/report/document.py)."""
    return msgid


WORDS = {
    "report": pgettext("report", "Synthesis report"),
    "demo": pgettext(
        "report",
        "DEMO: these results come from generated residents (parlons demo), not from real "
        "people. Do not quote them.",
    ),
    "question": pgettext("report", "The question"),
    "calendar": pgettext("report", "Calendar"),
    "opened": pgettext("report", "Opened on %(day)s"),
    "closes": pgettext("report", "Closes on %(day)s"),
    "votes_from_to": pgettext("report", "Votes from %(first)s to %(last)s"),
    "in_numbers": pgettext("report", "In numbers"),
    "participants": pgettext("report", "residents took part"),
    "ballots": pgettext("report", "votes"),
    "accepted": pgettext("report", "proposals put to the vote"),
    "ideas_count": pgettext("report", "big ideas"),
    "participation": pgettext("report", "Participation"),
    "participation_note": pgettext(
        "report",
        "Residents by how they took part and by what they chose to tell about themselves "
        '(each question could be skipped: "not given").',
    ),
    "channel": pgettext("report", "Channel"),
    "language": pgettext("report", "Language"),
    "district": pgettext("report", "District"),
    "age_band": pgettext("report", "Age band"),
    "centre": pgettext("report", "Social centre"),
    "residents": pgettext("report", "Residents"),
    "votes": pgettext("report", "Votes"),
    "not_given": pgettext("report", "not given"),
    "over_time": pgettext("report", "Votes over time"),
    "big_ideas": pgettext("report", "The big ideas"),
    "big_ideas_note": pgettext(
        "report",
        "Proposals were grouped into big ideas by the city's staff. Agreement is pooled over "
        "each big idea's proposals; the black line is its %(level)s interval, the dashed mark "
        "one half.",
    ),
    "no_ideas": pgettext("report", "No big idea has been made yet."),
    "agreement": pgettext("report", "Agreement"),
    "interval": pgettext("report", "%(level)s interval: %(low)s to %(high)s"),
    "residents_voted": pgettext("report", "%(num)s residents voted on its proposals"),
    "best_proposals": pgettext("report", "Its most supported proposals"),
    "widely_supported": pgettext("report", "Widely supported"),
    "controversial": pgettext("report", "Controversial"),
    "rejected": pgettext("report", "Rejected"),
    "undecided": pgettext("report", "Undecided"),
    "controversies": pgettext("report", "Controversies"),
    "controversies_note": pgettext(
        "report", "Where residents split: the proposals whose votes are most evenly divided."
    ),
    "no_controversy": pgettext("report", "No proposal divides residents clearly."),
    "agree_disagree": pgettext("report", "%(agree)s agree, %(disagree)s disagree"),
    "quotes": pgettext("report", "In residents' own words"),
    "quotes_note": pgettext(
        "report", "Chosen by the moderators; never with the name of who said it."
    ),
    "no_quotes": pgettext("report", "No quote has been chosen yet."),
    "groups": pgettext("report", "Opinion groups"),
    "groups_note": pgettext(
        "report", "Residents who voted alike form an opinion group, found from the votes alone."
    ),
    "no_groups": pgettext(
        "report", "Too few residents voted on the same proposals to find opinion groups."
    ),
    "group": pgettext("report", "Group %(num)s: %(people)s residents"),
    "group_agrees": pgettext("report", "agrees far more than the others with:"),
    "everyone_agrees": pgettext("report", "What every group agrees on"),
    "in_group": pgettext("report", "%(share)s in this group, %(others)s in the others"),
    "method": pgettext("report", "Method and limits"),
    "method_who": pgettext(
        "report",
        "Residents took part by SMS, phone call, Telegram, WhatsApp or at a social centre. They "
        "chose to take part: they are not a representative sample of the city.",
    ),
    "method_order": pgettext(
        "report",
        "Each resident voted on a few proposals, chosen for them: new proposals first until "
        "they had enough votes, then those whose rank was still uncertain. No resident saw "
        "every proposal; %(ballots)s votes from %(people)s residents, %(mean)s each on "
        "average.",
    ),
    "method_intervals": pgettext(
        "report",
        "A proposal's %(level)s interval is Wilson's; a big idea's is a bootstrap over residents, "
        "since one resident often voted on several of its proposals. Proposals are ranked by "
        "the lower end of their interval, so a handful of votes does not win.",
    ),
    "method_verdicts": pgettext(
        "report",
        "A big idea is widely supported when the lower end of its interval reaches "
        "%(supported)s, rejected when the upper end is at most %(rejected)s, controversial "
        "when each side holds at least %(side)s; each needs %(residents)s residents. "
        "Otherwise it is undecided.",
    ),
    "method_excluded": pgettext(
        "report",
        "Staff practising in the simulator are never counted. Skipped proposals count as "
        "seen, not as agree or disagree.",
    ),
    "method_demo": pgettext(
        "report",
        "This is the bundled demo: its residents and votes were generated by parlons demo.",
    ),
    "generated": pgettext("report", "Written by Parlons on %(day)s."),
}

CHANNELS = {
    "sms": pgettext("report", "SMS"),
    "voice": pgettext("report", "Phone call"),
    "telegram": pgettext("report", "Telegram"),
    "whatsapp": pgettext("report", "WhatsApp"),
    "kiosk": pgettext("report", "Kiosk in a centre"),
}
