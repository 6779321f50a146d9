"""Whole phone calls as Twilio drives them: the first request, keys, words recognised,
recordings, silence, retries and hang-ups, in French and Arabic. Every TwiML answer is
checked as Twilio reads it (tests/twilio_voice.py)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import DEMO_CONSULTATION, Settings
from channels.voices import Voices
from tests.conftest import WEBHOOKS, Phone, admin_get, results
from tests.twilio_voice import VOICE_URL, Caller, check_twiml

FOOD_AID = "Il faut renforcer l'aide alimentaire dans chaque quartier."
NIGHT_BUSES = "Il faut des bus la nuit le week-end."
BENCHES = "Il faut plus de bancs à l'ombre dans les parcs."
VOTE_CHOICES = (
    "D'accord : tapez 1. Pas d'accord : tapez 2. Passer : tapez 3. Pour réécouter, tapez 0."
)
FRENCH = ("Polly.Lea-Neural", "fr-FR")


def votes(client: TestClient) -> dict[str, tuple[int, int, int]]:
    return {t: (p["agree"], p["disagree"], p["skip"]) for t, p in results(client).items()}


def test_a_newcomer_chooses_a_language_then_votes_by_keys_and_words(client: TestClient) -> None:
    caller = Caller(client, "+33639980301")
    menu = caller.call()
    # The language menu alone: each language offers itself in its own voice; keys only.
    assert [(s.text, s.voice) for s in menu.said] == [
        ("Choisissez votre langue :", "Polly.Lea-Neural"),
        ("En français, tapez 1.", "Polly.Lea-Neural"),
        ("In English, press 2.", "Polly.Amy-Neural"),
    ]
    assert menu.gather.attrib["input"] == "dtmf"

    first = caller.press("1")
    assert first.text.startswith("Bonjour ! Comment améliorer la vie à Mulhouse ?")
    assert f"Proposition 1 : {FOOD_AID}" in first.text
    assert first.said[-1].text == VOTE_CHOICES
    assert {(s.voice, s.language) for s in first.said} == {FRENCH}
    gather = first.gather.attrib
    assert (gather["input"], gather["language"], gather["numDigits"]) == (
        "dtmf speech",
        "fr-FR",
        "1",
    )
    hints = gather["hints"].split(", ")
    assert {"oui", "d'accord", "pas d'accord", "passer", "non"} <= set(hints)

    second = caller.press("1")
    assert second.said[0].text == "Noté."
    assert f"Proposition 2 : {NIGHT_BUSES}" in second.text
    third = caller.say("Pas d'accord.")  # recognised speech, as Twilio sends it
    assert f"Proposition 3 : {BENCHES}" in third.text
    caller.say("oui")
    assert votes(client)[FOOD_AID] == (1, 0, 0)
    assert votes(client)[NIGHT_BUSES] == (0, 1, 0)
    assert votes(client)[BENCHES] == (1, 0, 0)


def test_a_proposal_in_another_language_is_introduced_and_read_in_its_own_voice(
    client: TestClient,
) -> None:
    caller = Caller(client, "+33639980302")
    caller.call()
    caller.press("1")
    for _ in range(3):
        caller.press("3")
    answer = caller.press("2")  # no idea of my own today
    assert [(s.text, s.voice) for s in answer.said[:2]] == [
        ("Proposition 4 : (écrite en anglais)", "Polly.Lea-Neural"),
        ("We need a repair café in every district.", "Polly.Amy-Neural"),
    ]
    assert answer.gather.attrib["language"] == "fr-FR"  # the caller still answers in French


def test_a_twilio_retry_is_answered_again_and_counted_once(client: TestClient) -> None:
    caller = Caller(client, "+33639980303")
    caller.call()
    caller.press("1")
    url = caller.next_url
    first = caller.press("2")
    caller.next_url = url  # Twilio did not get our answer in time and posts again
    again = caller.press("2")
    assert again.twiml == first.twiml
    assert votes(client)[FOOD_AID] == (0, 1, 0)
    assert sum(sum(v) for v in votes(client).values()) == 1


def test_a_resident_who_voted_by_sms_resumes_by_phone(client: TestClient) -> None:
    Phone(client, "+33639980304").send("Bonjour")
    Phone(client, "+33639980304").send("1")
    Phone(client, "+33639980304").send("2")
    answer = Caller(client, "+33639980304").call()
    # Same number, same participant: no language menu, and not the proposals voted on.
    assert answer.said[0].text == "Bon retour ! Vous avez répondu à 2 propositions."
    assert f"Proposition 3 : {BENCHES}" in answer.text
    assert FOOD_AID not in answer.text and NIGHT_BUSES not in answer.text


def test_silence_asks_once_more_then_says_goodbye(client: TestClient) -> None:
    caller = Caller(client, "+33639980305")
    caller.call()
    question = caller.press("1")
    again = caller.silence()
    assert again.said == question.said[1:]  # the proposal again, without the welcome
    goodbye = caller.silence()
    assert goodbye.text == (
        "Nous ne vous avons pas entendu. Rappelez quand vous voulez : "
        "vous reprendrez là où vous en étiez. Au revoir !"
    )
    assert goodbye.hangs_up and goodbye.gather is None
    back = Caller(client, "+33639980305").call()  # calling back: where they left off
    assert f"Proposition 1 : {FOOD_AID}" in back.text
    assert back.said[0].text == "Bon retour !"


def test_a_wrong_key_gets_a_short_line_and_the_choices(client: TestClient) -> None:
    caller = Caller(client, "+33639980306")
    caller.call()
    caller.press("1")
    wrong = caller.press("7")
    assert wrong.text == f"Désolé, je n'ai pas compris. {VOTE_CHOICES}"
    assert caller.press("0").said[0].text == f"Proposition 1 : {FOOD_AID}"  # 0: hear it again
    assert sum(sum(v) for v in votes(client).values()) == 0


def test_a_hang_up_keeps_every_vote_and_the_next_call_resumes(client: TestClient) -> None:
    caller = Caller(client, "+33639980307")
    caller.call()
    caller.press("1")
    caller.press("1")
    caller.press("2")
    assert check_twiml(caller.hang_up()).findall("*") == []  # the status callback: nothing said
    assert votes(client)[FOOD_AID] == (1, 0, 0) and votes(client)[NIGHT_BUSES] == (0, 1, 0)
    back = Caller(client, "+33639980307").call()
    assert back.said[0].text == "Bon retour ! Vous avez répondu à 2 propositions."
    assert f"Proposition 3 : {BENCHES}" in back.text


def speak_an_idea(client: TestClient, number: str) -> Caller:
    caller = Caller(client, number)
    caller.call()
    caller.press("1")
    for _ in range(3):
        offer = caller.press("3")
    assert (
        offer.said[-1].text
        == "Oui, je la dis : tapez 1. Non, continuer : tapez 2. Pour réécouter, tapez 0."
    )
    prompt = caller.press("1")
    assert prompt.gather.attrib["input"] == "speech"
    assert prompt.gather.attrib["language"] == "fr-FR"
    assert prompt.text.startswith("Dites votre idée maintenant")
    return caller


def pending(client: TestClient) -> list[dict]:
    return admin_get(client, "/api/v1/consultations/test-city/proposals?status=pending")


def test_a_spoken_idea_is_read_back_then_sent(client: TestClient) -> None:
    caller = speak_an_idea(client, "+33639980308")
    read_back = caller.say("Il faudrait des fontaines à eau dans les parcs")
    assert read_back.said[0].text == 'Votre idée : "Il faudrait des fontaines à eau dans les parcs"'
    assert "La redire : tapez 2." in read_back.text
    caller.press("1")
    ideas = pending(client)
    assert [(i["text"], i["channel"], i["audio"]) for i in ideas] == [
        ("Il faudrait des fontaines à eau dans les parcs", "voice", None)
    ]


def test_a_misheard_idea_is_said_again_and_recorded_for_a_moderator(client: TestClient) -> None:
    caller = speak_an_idea(client, "+33639980309")
    caller.say("il faudrait des fond tenir au parc")  # misheard
    again = caller.press("2")  # say it again
    assert again.record is not None and again.gather is None
    assert again.record.attrib["finishOnKey"] == "#"
    assert again.text == "Dites votre idée après le bip. Tapez dièse quand vous avez fini."
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0123"
    read_back = caller.answer(RecordingUrl=recording, RecordingDuration="9", Digits="#")
    assert read_back.said[0].text == 'Votre idée : "votre message vocal"'
    caller.press("1")
    [idea] = pending(client)
    assert (idea["audio"], "audio" in idea["flags"]) == (recording, True)


def test_a_too_long_spoken_idea_is_asked_again_more_briefly(client: TestClient) -> None:
    caller = speak_an_idea(client, "+33639980310")
    answer = caller.say("Il faudrait " + "vraiment " * 20 + "plus de bancs dans le quartier")
    assert answer.text == "Votre idée est trop longue. Redites-la plus brièvement, s'il vous plait."
    assert answer.gather.attrib["input"] == "speech"


def test_hanging_up_before_confirming_sends_no_idea(client: TestClient) -> None:
    caller = speak_an_idea(client, "+33639980311")
    caller.say("Il faudrait des fontaines à eau dans les parcs")
    caller.hang_up()
    assert pending(client) == []
    back = Caller(client, "+33639980311").call()
    assert "Proposition 4" in back.text  # back to voting, nothing sent in their name


def test_a_withheld_number_takes_part_for_one_call(client: TestClient) -> None:
    caller = Caller(client, None)
    caller.call()
    caller.press("1")
    caller.press("1")
    caller.hang_up()
    assert votes(client)[FOOD_AID] == (1, 0, 0)
    # Another withheld call is someone else: a newcomer again, whose vote counts too.
    other = Caller(client, None)
    assert other.call().said[0].text == "Choisissez votre langue :"
    other.press("1")
    other.press("1")
    assert sum(sum(v) for v in votes(client).values()) == 2


@pytest.mark.parametrize("signature", [None, "bm90IGEgc2lnbmF0dXJl"], ids=["missing", "forged"])
def test_an_unsigned_or_forged_call_is_refused_and_changes_nothing(
    client: TestClient, signature: str | None
) -> None:
    caller = Caller(client, "+33639980312")
    caller.call()
    caller.press("1")
    headers = {"X-Twilio-Signature": signature} if signature else {}
    path = caller.next_url.removeprefix(VOICE_URL.removesuffix("/webhooks/twilio/voice"))
    response = client.post(path, data=caller.form(Digits="1"), headers=headers)
    assert response.status_code == 403
    assert sum(sum(v) for v in votes(client).values()) == 0
    caller.press("1")  # the session did not move: this "1" is for the first proposal
    assert votes(client)[FOOD_AID] == (1, 0, 0)


# --- Arabic, on the demo consultation (six languages) ---------------------------------------


@pytest.fixture
def demo(settings: Settings) -> TestClient:
    settings.consultation = DEMO_CONSULTATION
    with TestClient(create_app(settings)) as client:
        yield client


def test_an_arabic_call_in_arabic_voices_recognised_as_moroccan_arabic(demo: TestClient) -> None:
    caller = Caller(demo, "+33639980320")
    menu = caller.call()
    offers = {s.language: s.text for s in menu.said[1:]}
    assert offers["ar-XA"] == "للعربية، اضغط 4."
    assert offers["tr-TR"] == "Türkçe için 5 tuşlayın."
    first = caller.press("4")
    assert {(s.voice, s.language) for s in first.said} == {("Google.ar-XA-Standard-A", "ar-XA")}
    assert first.said[-1].text.startswith("موافق: اضغط 1.")
    assert first.gather.attrib["language"] == "ar-MA"  # recognition wants a regional code
    assert "نعم" in first.gather.attrib["hints"].split(", ")
    proposal = first.said[-2].text
    caller.say("نعم")
    caller.press("2")
    data = admin_get(demo, "/api/v1/consultations/mulhouse/results")
    counted = [p for p in data["proposals"] if p["votes"]]
    assert sorted((p["agree"], p["disagree"]) for p in counted) == [(0, 1), (1, 0)]
    assert proposal  # the first proposal was read in Arabic (every demo proposal has one)


def test_the_consultation_file_can_name_other_voices(settings: Settings, tmp_path) -> None:  # noqa: ANN001
    source = (DEMO_CONSULTATION).read_text(encoding="utf-8")
    custom = tmp_path / "consultation.yaml"
    custom.write_text(
        source + "\nvoice:\n  ar: {voice: Polly.Zeina, language: arb, recognition: ar-DZ}\n",
        encoding="utf-8",
    )
    settings.consultation = custom
    with TestClient(create_app(settings)) as client:
        caller = Caller(client, "+33639980321")
        caller.call()
        first = caller.press("4")
    assert {(s.voice, s.language) for s in first.said} == {("Polly.Zeina", "arb")}
    assert first.gather.attrib["language"] == "ar-DZ"


# --- the webhook fixtures: real payloads with their own signatures ---------------------------


def voice_fixture(name: str) -> tuple[str, dict[str, str], str]:
    data = json.loads((WEBHOOKS / "twilio_voice" / name).read_text(encoding="utf-8"))
    form = {k: v for k, v in data.items() if not k.startswith("_")}
    url = data["_signature_url"].removeprefix("https://consult.example.org")
    return url, form, data["_x_twilio_signature"]


def test_real_twilio_voice_payloads_with_their_own_signatures(settings: Settings) -> None:
    settings.public_url = "https://consult.example.org"
    settings.twilio_auth_token = "fixture-auth-token-not-real"
    with TestClient(create_app(settings)) as client:
        answers = []
        for name in (
            "voice_01_incoming_call.json",
            "voice_02_gather_digit_1.json",
            "voice_07_status_completed.json",
        ):
            url, form, signature = voice_fixture(name)
            response = client.post(url, data=form, headers={"X-Twilio-Signature": signature})
            assert response.status_code == 200, name
            answers.append(response.text)
            tampered = {**form, "Digits": "2"}
            refused = client.post(url, data=tampered, headers={"X-Twilio-Signature": signature})
            assert refused.status_code == 403, name
    menu = answers[0]
    assert "Choisissez votre langue" in menu and 'input="dtmf"' in menu
    assert "Bonjour !" in answers[1]  # "1" on the menu: French


def test_a_language_without_a_voice_or_a_mistyped_one_stops_the_start() -> None:
    with pytest.raises(ValueError, match="no Twilio voice for sw"):
        Voices(["fr", "sw"])
    with pytest.raises(ValueError, match="voice for 'ar'"):
        Voices(["ar"], {"ar": {"recogniton": "ar-MA"}})
    swahili = Voices(
        ["sw"],
        {"sw": {"voice": "Google.sw-KE-Standard-A", "language": "sw-KE", "recognition": "sw-KE"}},
    )
    assert swahili["sw"].recognition == "sw-KE"


def test_later_proposals_in_a_call_give_their_choices_in_brief(client: TestClient) -> None:
    caller = Caller(client, "+33639980313")
    caller.call()
    caller.press("1")
    caller.press("1")
    caller.press("1")
    brief = caller.press("1")  # the idea offer comes after three votes: no, go on
    brief = caller.press("2")
    assert brief.said[-1].text == "D'accord, 1. Pas d'accord, 2. Passer, 3."
    assert caller.press("7").said[-1].text == VOTE_CHOICES  # a wrong key: in full again


def test_parlons_chat_plays_a_call(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys

    from tests.conftest import DATA

    env = {"PARLONS_CONSULTATION": str(DATA / "consultation.yaml"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--channel", "voice"],
        input="2\nyes\n\n\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    out = run.stdout
    assert "[Polly.Amy-Neural] In English, press 2." in out
    assert "[Polly.Amy-Neural] Proposal 1: Food aid must be strengthened in every district." in out
    assert "[Polly.Amy-Neural] Noted." in out  # "yes", as speech recognition hears it
    assert "We did not hear you." in out and "(the line hangs up)" in out
    assert not (tmp_path / "var").exists()  # a practice call keeps nothing


def test_a_caller_who_said_stop_hears_how_to_come_back(client: TestClient) -> None:
    caller = Caller(client, "+33639980314")
    caller.call()
    caller.press("1")
    stopped = caller.say("stop")
    assert stopped.hangs_up and "REPRENDRE" in stopped.text
    again = Caller(client, "+33639980314")
    told = again.call()
    assert told.text == (
        "Vous nous avez demandé de ne plus écrire. Pour participer de nouveau, dites REPRENDRE."
    )
    assert told.gather.attrib["input"] == "speech"
    back = again.say("Reprendre")
    assert f"Proposition 1 : {FOOD_AID}" in back.text
    again.press("1")
    assert votes(client)[FOOD_AID] == (1, 0, 0)


def test_a_failed_turn_is_an_apology_not_an_application_error(client: TestClient) -> None:
    caller = Caller(client, "+33639980315")
    caller.call()
    caller.press("1")
    api = client.app.state.parlons.runtime.api
    working = api.cast_ballots

    async def unreachable(*args: object) -> None:
        raise ConnectionError("the database is gone")

    api.cast_ballots = unreachable  # the fault: the ballot cannot be stored
    try:
        sorry = caller.press("1")
    finally:
        api.cast_ballots = working
    assert sorry.text.startswith("Désolé, nous ne pouvons pas répondre pour l'instant.")
    assert sorry.hangs_up
    assert sum(sum(v) for v in votes(client).values()) == 0  # never thanked, never counted
    back = Caller(client, "+33639980315").call()
    assert f"Proposition 1 : {FOOD_AID}" in back.text  # asked again on the next call
