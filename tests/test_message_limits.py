"""Message limits that fit each channel: a resident answering by buttons as fast as a person
does is never told to slow down on Telegram or at the kiosk; a script flooding SMS is, with one
polite answer that says when to go on. Over a limit, a Telegram tap is still acknowledged and
its buttons kept for later. Every test runs on a clock it moves on: no real waiting."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from bench.redis_sessions import CountingConnection, count_round_trips
from bot import wiring
from bot.app import create_app
from bot.settings import Settings
from channels.base import BUTTON, TEXT
from tests.conftest import DATA, MORNING, Phone, fake_clock, kiosk_link, results
from tests.conftest import TELEGRAM_TOKEN as BOT_TOKEN
from tests.fakes import FakeClock, FakeTelegram
from tests.telegram.chat import MEDIATOR, SECRET, TelegramChat, mediator_link, texts

SLOW_DOWN = "beaucoup de messages"  # "Vous avez envoyé beaucoup de messages en peu de temps..."
IN_A_MINUTE = (
    "Vous avez envoyé beaucoup de messages en peu de temps. Vous pourrez répondre à nouveau dans "
    "1 minute."
)
FIVE_MINUTES = 300  # taps, one a second


def many_proposals(folder: Path, count: int = 320) -> Path:
    """The test consultation with enough proposals for five minutes of votes."""
    spec = yaml.safe_load((DATA / "consultation.yaml").read_text(encoding="utf-8"))
    spec["proposals"] = [
        {
            "key": f"idea-{n}",
            "language": "fr",
            "theme": "wellbeing",
            "text": f"Il faut un jardin partagé de plus dans le quartier numéro {n}.",
            "translations": {"en": f"We need one more shared garden in district number {n}."},
        }
        for n in range(1, count + 1)
    ]
    path = folder / "many.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def votes(client: TestClient) -> int:
    return sum(p["votes"] for p in results(client).values())


# --- Telegram --------------------------------------------------------------------------------


@pytest.fixture
def telegram(
    settings: Settings, fake_telegram: FakeTelegram, tmp_path: Path
) -> Iterator[TestClient]:
    """The app with Telegram, the default limits and a consultation of 320 proposals."""
    settings.consultation = many_proposals(tmp_path)
    settings.telegram_bot_token = BOT_TOKEN
    settings.telegram_secret = SECRET
    settings.telegram_api_url = fake_telegram.url
    with TestClient(create_app(settings)) as client:
        yield client


def keen_answer(chat: TelegramChat) -> str:
    """What a keen resident taps: agree on a proposal, else the last choice (go on, no idea
    now, skip the profile)."""
    labels = [b["text"] for b in chat.last_with_buttons().buttons]
    return next((label for label in labels if "D'accord" in label), labels[-1])


def test_a_resident_tapping_a_button_a_second_on_telegram_for_five_minutes_is_never_limited(
    telegram: TestClient,
    fake_telegram: FakeTelegram,
) -> None:
    clock = fake_clock(telegram)
    nadia = TelegramChat(telegram, fake_telegram, 5829301174)
    nadia.say("Bonjour")
    agreed = 0
    for _ in range(FIVE_MINUTES):
        clock.advance(1)
        label = keen_answer(nadia)
        calls = nadia.press(label)
        methods = [c.method for c in calls]
        assert methods[:2] == ["answerCallbackQuery", "editMessageText"], texts(calls)
        assert SLOW_DOWN not in texts(calls)
        agreed += "D'accord" in label
    assert agreed > 100  # a vote and "in a word?" each: some 150 proposals in five minutes
    assert votes(telegram) == agreed


def test_over_a_limit_a_tap_is_acknowledged_its_buttons_kept_and_the_resident_told_once(
    settings: Settings,
    fake_telegram: FakeTelegram,
) -> None:
    settings.telegram_bot_token = BOT_TOKEN
    settings.telegram_secret = SECRET
    settings.telegram_api_url = fake_telegram.url
    settings.messages_per_minute = {"telegram:button": 2}  # small, to reach it
    with TestClient(create_app(settings)) as client:
        clock = fake_clock(client)
        nadia = TelegramChat(client, fake_telegram, 5829301174)
        nadia.say("Bonjour")
        nadia.press("D'accord")
        nadia.press("Réaliste")
        question = nadia.last_with_buttons()  # the next proposal

        over = nadia.press("D'accord", message=question)
        answered, told = over
        assert answered.method == "answerCallbackQuery"  # the spinner stops
        assert "text" not in answered.params  # the message below says it
        assert told.method == "sendMessage" and told.text == IN_A_MINUTE
        assert "editMessageText" not in [c.method for c in over]  # not shown as chosen
        assert "editMessageReplyMarkup" not in [c.method for c in over]  # buttons kept

        again = nadia.press("Pas d'accord", message=question)
        assert [c.method for c in again] == ["answerCallbackQuery"]  # no second message...
        assert again[0].params["text"] == IN_A_MINUTE  # ...a notice on the button instead
        assert votes(client) == 1

        clock.advance(60)  # the minute is over: the same button takes the vote
        taken = nadia.press("D'accord", message=question)
        assert [c.method for c in taken][:2] == ["answerCallbackQuery", "editMessageText"]
        assert votes(client) == 2


# --- the kiosk -------------------------------------------------------------------------------


class KioskPage:
    """A centre's kiosk page, as its tablet posts it: the form's hidden fields, and the
    buttons of the last question asked."""

    def __init__(self, client: TestClient, code: str) -> None:
        self.client = client
        self.code = code
        self.html = ""

    def new_person(self, language: str = "fr") -> str:
        response = self.client.post(f"/kiosk/{self.code}/start", data={"language": language})
        assert response.status_code == 200, response.text
        self.html = response.text
        return self.html

    def press(self, label: str) -> str:
        [value] = [v for v in self.buttons() if v.endswith(f"|{label}")]
        return self._post({"pressed": value})

    def write(self, text: str) -> str:
        return self._post({"text": text})

    def _post(self, answer: dict[str, str]) -> str:
        response = self.client.post(f"/kiosk/{self.code}", data={**self.fields(), **answer})
        assert response.status_code == 200, response.text
        self.html = response.text
        return self.html

    def fields(self) -> dict[str, str]:
        press_form = self.html.split('id="press"', 1)[1].split("</form>", 1)[0]
        found = re.findall(r'name="(\w+)" value="([^"]*)"', press_form)
        return {name: html.unescape(value) for name, value in found}

    def buttons(self) -> list[str]:
        asked = [b for b in self.html.split('class="from-parlons"') if 'name="pressed"' in b]
        return [html.unescape(v) for v in re.findall(r'name="pressed" value="([^"]*)"', asked[-1])]

    def labels(self) -> list[str]:
        return [value.partition("|")[2] for value in self.buttons()]


@contextmanager
def kiosk_app(settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """The app with a consultation of 320 proposals, and a centre's kiosk link."""
    settings.consultation = many_proposals(tmp_path)
    with TestClient(create_app(settings)) as client:
        yield client, asyncio.run(kiosk_link(settings))


def keen_choice(page: KioskPage) -> str:
    labels = page.labels()
    return "D'accord" if "D'accord" in labels else labels[-1]


def test_a_resident_tapping_a_button_a_second_at_the_kiosk_for_five_minutes_is_never_limited(
    settings: Settings, tmp_path: Path
) -> None:
    with kiosk_app(settings, tmp_path) as (client, code):
        clock = fake_clock(client)
        page = KioskPage(client, code)
        page.new_person()
        agreed = 0
        for _ in range(FIVE_MINUTES):
            clock.advance(1)
            label = keen_choice(page)
            assert SLOW_DOWN not in page.press(label)
            agreed += label == "D'accord"
        assert agreed > 250  # one tap a vote at the kiosk: nearly every tap a proposal
        assert votes(client) == agreed


def test_over_a_limit_the_kiosk_says_when_to_go_on_at_every_tap(
    settings: Settings, tmp_path: Path
) -> None:
    settings.messages_per_minute = {"kiosk:button": 2}
    with kiosk_app(settings, tmp_path) as (client, code):
        clock = fake_clock(client)
        page = KioskPage(client, code)
        page.new_person()
        page.press("D'accord")
        page.press("D'accord")
        for _ in range(3):  # told each time: a page costs nothing
            assert IN_A_MINUTE in page.press("D'accord")
        assert votes(client) == 2
        clock.advance(60)  # the minute is over: the same buttons take the vote
        assert "Noté" in page.press("D'accord")
        assert votes(client) == 3


def test_a_script_making_people_at_a_kiosk_link_is_stopped_by_the_links_own_limit(
    settings: Settings, tmp_path: Path
) -> None:
    settings.device_messages_per_minute = 5  # small, to reach it
    with kiosk_app(settings, tmp_path) as (client, code):
        clock = fake_clock(client)
        page = KioskPage(client, code)
        page.new_person()  # the link's 1st message: each start is one
        page.press("D'accord")
        page.press("D'accord")
        page.new_person()  # a second person, well within their own limits
        page.press("D'accord")  # the link's 5th
        assert IN_A_MINUTE in page.press("D'accord")  # the 6th: over the link's limit
        assert IN_A_MINUTE in page.new_person()  # a third person is told at once too
        assert votes(client) == 3
        clock.advance(60)
        assert "Proposition" in page.write("Bonjour")
        assert "Noté" in page.press("D'accord")
        assert votes(client) == 4


def test_a_kiosk_tap_costs_two_redis_round_trips_its_links_counters_included(
    redis_settings: Settings, tmp_path: Path
) -> None:
    with kiosk_app(redis_settings, tmp_path) as (client, code):
        count_round_trips(client.app.state.parlons.redis)  # before its first connection
        page = KioskPage(client, code)
        page.new_person()  # loads the scripts into Redis
        trips = []
        for _ in range(3):
            CountingConnection.reset()
            assert "Noté" in page.press("D'accord")
            trips.append(CountingConnection.round_trips)
    assert trips == [2, 2, 2]


# --- shared devices: a mediator's tablet, a kiosk ------------------------------------------


def test_a_mediators_tablet_has_a_limit_for_all_its_residents_and_each_is_told(
    telegram_settings: Settings,
    fake_telegram: FakeTelegram,
    parlons,  # noqa: ANN001
) -> None:
    telegram_settings.device_messages_per_minute = 6  # small, to reach it
    with TestClient(create_app(telegram_settings)) as client:
        clock = fake_clock(client)
        tablet = TelegramChat(client, fake_telegram, MEDIATOR)
        tablet.start(mediator_link(parlons))  # the mediator's own business: not counted
        tablet.say("➕ Nouvelle personne")  # person 1's first message through the tablet
        tablet.press("Français")
        tablet.press("D'accord")
        tablet.press("Réaliste")
        tablet.say("➕ Nouvelle personne")  # person 2: well within their own limits
        tablet.press("Français")  # the tablet's 6th
        question = tablet.last_with_buttons()

        over = tablet.press("D'accord", message=question)  # the 7th: over the tablet's
        assert [c.method for c in over] == ["answerCallbackQuery", "sendMessage"]
        assert texts(over) == IN_A_MINUTE  # person 2 told, and the mediator not asked for
        again = tablet.press("D'accord", message=question)  # the next person ("C'est fini")
        assert again[0].params["text"] == IN_A_MINUTE and len(again) == 1
        assert votes(client) == 1

        nadia = TelegramChat(client, fake_telegram, 5829301174)  # on her own phone: another device
        assert "Proposition 1" in texts(nadia.say("Bonjour"))

        clock.advance(60)
        taken = tablet.press("D'accord", message=question)
        assert [c.method for c in taken][:2] == ["answerCallbackQuery", "editMessageText"]
        assert votes(client) == 2


async def _morning(settings: Settings, channel: str, taps_a_second: float = 1) -> int | None:
    """A shared device from 9:00 to 12:30, through the runtime's own limits and store: a new
    person every two minutes, who starts, then taps `taps_a_second` for 100 s (the rest is
    the hand-over). Returns the second of the morning the first message was refused, if one
    was. Counted the way the runtime counts a turn (a morning is 10,000 messages: through the
    webhooks it would take minutes; the tablet's wiring is tested above)."""
    running = wiring.build(settings)
    abuse, store = running.runtime.abuse, running.runtime.store
    clock = FakeClock(MORNING)
    running.runtime.clock = clock
    device = f"device-{channel}"
    try:
        for person in range(105):
            clock.now = MORNING + timedelta(minutes=2 * person)
            assert await abuse.newcomer_allowed(device)
            taps = int(100 * taps_a_second)
            for n in range(taps + 1):
                tally = abuse.tally(f"{device}-{person}", channel, BUTTON if n else TEXT, device)
                async with store.turn(f"{device}-{person}", f"{person}:{n}", tally.counters) as t:
                    if abuse.standing(tally, t.counts).until:
                        return round((clock.now - MORNING).total_seconds())
                    t.save(b"session", b"outcome")
                clock.advance(1 / taps_a_second)
        return None
    finally:
        await running.stop()


@pytest.mark.parametrize("channel", ["telegram", "kiosk"])
async def test_a_tablet_taking_a_resident_every_two_minutes_all_morning_is_never_limited(
    settings: Settings, channel: str
) -> None:
    # In memory: Redis counts the same (test_a_script_sending_200_texts_..., test_abuse.py).
    assert await _morning(settings, channel) is None  # 105 residents, 10,605 messages


async def test_a_script_through_a_tablet_is_stopped_within_its_first_minute(
    settings: Settings,
) -> None:
    # New people as often as a tablet may bring them, each tapping ten times a second.
    refused_at = await _morning(settings, "kiosk", taps_a_second=10)
    assert refused_at is not None and refused_at < 60


# --- SMS -------------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def sms(request: pytest.FixtureRequest, settings: Settings) -> Iterator[TestClient]:
    """The app with the default limits, its counters in memory or in Redis."""
    if request.param == "redis":
        settings = request.getfixturevalue("redis_settings")
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_script_sending_200_texts_a_minute_by_sms_gets_one_polite_answer(
    sms: TestClient,
) -> None:
    clock = fake_clock(sms)
    script = Phone(sms, "+33639980190")

    def send(text: str) -> str:
        answer = script.send(text)
        clock.advance(0.3)  # 200 in a minute, the first at 9:00:00.0, the last at 9:00:59.7
        return answer

    assert all(send(text) for text in ["Bonjour", *["1", "2", "3"] * 6, "1"])  # 20: read
    counted = votes(sms)
    flood = [send(text) for text in ["1", "2", "3"] * 60]  # 180 more in the same minute
    assert flood[0] == IN_A_MINUTE  # one polite answer...
    assert not any(flood[1:])  # ...then none: each answer costs
    assert votes(sms) == counted  # and nothing of the flood was read

    assert send("3") not in ("", IN_A_MINUTE)  # the next minute: read again


def test_sms_and_telegram_limits_are_apart_and_settings_keep_the_others() -> None:
    settings = Settings(messages_per_minute={"sms": 5})
    assert settings.messages_per_minute["sms"] == 5
    assert settings.messages_per_minute["telegram:button"] == 120  # the default kept
    with pytest.raises(ValueError, match="per channel and kind"):
        Settings(messages_per_minute=20)  # one figure for every channel, as before
    with pytest.raises(ValueError, match="a channel and"):
        Settings(messages_per_day={"telegram:buttons": 3000})
