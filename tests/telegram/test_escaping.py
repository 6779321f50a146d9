"""Telegram replies are sent as HTML: whatever a proposal or a read-back idea holds, it is
shown as text, never taken as markup (property-based, examples per tests/conftest.py)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from channels.telegram_replies import messages
from dialogs import Ask, Option, Say

MARKUP = st.sampled_from(
    ["<b>", "</b>", "<a href='x'>", "&amp;", "&", "<", ">", '"', "<tg-spoiler>"]
)
TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=30)), max_size=8).map("".join)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"/{tag}")


@given(
    st.lists(
        st.one_of(st.builds(Say, TEXT), st.builds(Ask, TEXT, st.just((Option("agree", "Oui"),)))),
        min_size=1,
        max_size=4,
    )
)
def test_any_text_reaches_telegram_as_text_not_markup(replies: list) -> None:
    sent = messages(replies)
    for message in sent:
        parser = Tags()
        parser.feed(message.html)
        parser.close()
        assert parser.tags == []  # no tag Telegram would read
    expected = [r.text for r in replies if r.text]
    # Every reply's words are there, as written (html.unescape is what Telegram shows).
    together = "\n\n".join(html.unescape(m.html) for m in sent)
    for text in expected:
        assert text in together


def test_a_proposal_with_markup_is_escaped() -> None:
    [message] = messages([Say('Des <b>bancs</b> & "fontaines"')])
    assert message.html == 'Des &lt;b&gt;bancs&lt;/b&gt; &amp; "fontaines"'
