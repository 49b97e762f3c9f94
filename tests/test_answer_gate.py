"""The answer gate's decision (bot/answer_gate.py), the honest reply when it is not sure
(actions/fallback.py), and the coverage set's reader and verdicts (bot/nlu/coverage.py). Through the real
model: tests/e2e/test_answer_only_when_sure.py and tests/test_coverage_floor.py."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.fallback import not_sure_reply
from bot import answer_gate
from bot.labels import topic_for_customer
from bot.nlu import coverage

CLEAR = [("faq/delivery_time", 0.92), ("faq/shipping_costs", 0.04)]
CLOSE = [("faq/delivery_time", 0.48), ("faq/change_address", 0.41)]


def test_a_clear_faq_question_is_answered():
    judgement = answer_gate.judge("faq", 0.95, CLEAR)
    assert judgement.sure and judgement.options == ()


@pytest.mark.parametrize("intent_conf, ranking, why", [
    (answer_gate.INTENT_MIN - 0.01, CLEAR, "intent"),  # not sure it is an FAQ question at all
    (0.95, [("faq/delivery_time", answer_gate.ANSWER_MIN - 0.01), ("faq/invoice", 0.0)], "answer"),
    (0.95, [("faq/delivery_time", 0.70), ("faq/change_address", 0.70 - answer_gate.MARGIN_MIN + 0.01)], "margin"),
])
def test_an_faq_answer_needs_all_three_figures(intent_conf, ranking, why):
    judgement = answer_gate.judge("faq", intent_conf, ranking)
    assert not judgement.sure and judgement.why == why
    assert judgement.options[0] == ranking[0][0]


def test_two_close_answers_offer_both_nearest_first():
    assert answer_gate.judge("faq", 0.9, CLOSE).options == ("faq/delivery_time", "faq/change_address")


def test_a_far_second_answer_is_not_offered():
    ranking = [("faq/delivery_time", answer_gate.ANSWER_MIN - 0.05), ("faq/invoice", answer_gate.SECOND_OPTION_MIN / 2)]
    assert answer_gate.judge("faq", 0.9, ranking).options == ("faq/delivery_time",)


def test_an_unsure_order_question_is_not_acted_on_but_a_sure_one_is():
    assert not answer_gate.judge("order_status", answer_gate.FLOW_MIN - 0.01, CLOSE).sure
    assert answer_gate.judge("order_status", 0.97, CLOSE).sure
    assert answer_gate.judge("greet", 0.5, []).sure  # small talk is not the gate's business


def test_only_a_topic_key_is_a_chosen_topic():
    assert answer_gate.chosen_topic("faq/delivery_time") == "faq/delivery_time"
    for text in ("/faq/delivery_time", "faq/Delivery", "faq/delivery_time graag", "hoe lang duurt faq/x", ""):
        assert answer_gate.chosen_topic(text) is None


def test_the_editors_see_every_threshold_in_dutch():
    shown = {t["name"]: t for t in answer_gate.describe()}
    assert shown["answer"]["value"] == answer_gate.ANSWER_MIN and shown["margin"]["value"] == answer_gate.MARGIN_MIN
    assert shown["intent"]["value"] == answer_gate.INTENT_MIN
    assert shown["praise"]["value"] == answer_gate.PRAISE_MIN
    assert all(any(word in t["label"].lower() for word in ("zeker", "voorsprong", "positief")) for t in shown.values())


def tracker(parse: dict) -> Tracker:
    return Tracker("c1", {}, parse, [], False, None, {}, "action_listen")


def test_not_sure_offers_the_nearest_topics_by_their_dutch_names_and_a_colleague():
    reply = not_sure_reply(tracker({"intent": {"name": "nlu_fallback"}, "answer_gate": {"why": "margin"},
                                    "faq_options": ["faq/delivery_time", "faq/change_address"]}))
    assert "Bedoel je: Levertijd of Adres wijzigen?" in reply["text"]
    assert "niet zeker" in reply["text"] and " u " not in f" {reply['text']} "
    assert [b["payload"] for b in reply["buttons"]] == ["faq/delivery_time", "faq/change_address", "/request_human"]
    assert [b["title"] for b in reply["buttons"]] == ["Levertijd", "Adres wijzigen", "Een collega"]


def test_not_sure_without_a_topic_still_offers_a_colleague_and_nonsense_gets_the_plain_rephrase():
    for why in ("flow", "own_case"):  # a general question read as an order or a problem is a real question too
        reply = not_sure_reply(tracker({"intent": {"name": "nlu_fallback"}, "answer_gate": {"why": why}}))
        assert "weet ik helaas het antwoord niet" in reply["text"] and reply["buttons"][-1]["payload"] == "/request_human"
    assert not_sure_reply(tracker({"intent": {"name": "nlu_fallback"}, "answer_gate": {"why": "nonsense"}})) is None


def test_customer_topic_names_come_from_the_labels():
    assert topic_for_customer("faq/refund_time") == "Terugbetaling"
    assert topic_for_customer("faq/opening_hours") == "Openingstijden"


def test_the_coverage_reader_takes_the_blind_sets_form_and_refuses_a_broken_file(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text("uncovered:\n- {text: 'verkopen jullie cadeaubonnen', style: plain}\n"
                    "covered:\n- {text: 'wat kost verzenden', topic: faq/shipping_costs, style: plain}\n"
                    "no_meaning:\n- {text: 'de maan eet soep', style: plain}\n", encoding="utf-8")
    cases = coverage.load(path)
    assert [(c.part, c.topic) for c in cases] == [("uncovered", None), ("covered", "faq/shipping_costs"),
                                                  ("no_meaning", None)]
    path.write_text("covered:\n- {text: 'wat kost verzenden'}\n", encoding="utf-8")
    with pytest.raises(coverage.CoverageFileError, match="needs a topic"):
        coverage.load(path)
    path.write_text("vragen:\n- {text: x}\n", encoding="utf-8")
    with pytest.raises(coverage.CoverageFileError):
        coverage.load(path)


def parse(intent: str, key: str | None = None, options: list[str] | None = None) -> dict:
    result = {"intent": {"name": intent, "confidence": 0.9}}
    if key:
        result["response_selector"] = {"faq": {"response": {"intent_response_key": key}}}
    if options:
        result["faq_options"] = options
    return result


@pytest.mark.parametrize("part, topic, parsed, escalation, expected", [
    ("uncovered", None, parse("faq", "faq/delivery_time"), None, "wrong"),  # a confident answer it does not have
    ("uncovered", None, parse("order_status"), None, "wrong"),  # an order-number question (P11)
    ("uncovered", None, parse("complain"), None, "wrong"),  # an apology for a complaint nobody made
    ("uncovered", None, parse("greet"), None, "wrong"),
    ("uncovered", None, parse("out_of_scope"), "handoff", "wrong"),  # handed over as frustration
    ("uncovered", None, parse("nlu_fallback", options=["faq/delivery_time"]), None, "honest"),
    ("uncovered", None, parse("out_of_scope"), None, "honest"),
    ("covered", "faq/invoice", parse("faq", "faq/invoice"), None, "right"),
    ("covered", "faq/invoice", parse("faq", "faq/refund_time"), None, "wrong"),
    ("covered", "faq/invoice", parse("nlu_fallback", options=["faq/invoice"]), None, "honest"),
    ("no_meaning", None, parse("nlu_fallback"), None, "right"),
    ("no_meaning", None, parse("faq", "faq/warranty"), None, "wrong"),
])
def test_coverage_verdicts(part, topic, parsed, escalation, expected):
    case = coverage.Case(part, "tekst", topic)
    assert coverage.verdict(case, coverage.outcome_of(parsed, escalation)) == expected


def test_a_statement_of_dutch_words_that_means_nothing_in_a_shop_is_not_understood():
    from bot import understanding
    from bot.config import ROOT
    from bot.nlu.files import parse as parse_files

    data = parse_files(ROOT / "data")
    everything = understanding.Vocabulary.from_texts([e.plain for e in data.examples] + [a.text for a in data.answers])
    shop = understanding.Vocabulary.from_texts([e.plain for e in data.examples if e.intent != "out_of_scope"]
                                               + [a.text for a in data.answers])
    for nonsense in ("de gieter fluit zachtjes over het kale plein", "mijn lamp droomt van paarse dinsdagen"):
        assert understanding.judge(nonsense, everything, shop) == "no_meaning"
        assert understanding.judge(nonsense, everything) is None  # without the shop's words: left to the classifier
    for meant in ("waar blijft mijn pakket van gisteren", "verkopen jullie tweedehands fietsen",
                  "ik ben verhuisd en wil het pakket op mijn nieuwe adres", "het product is kapot aangekomen",
                  "de jas past niet en ik wil hem terugsturen"):
        assert understanding.judge(meant, everything, shop) is None, meant


def test_small_talk_that_asks_something_is_not_understood():
    # "ligt dat ding nog ergens op stock" read as a goodbye: a goodbye never asks a shop question
    judgement = answer_gate.judge("goodbye", 0.93, CLEAR, text="ligt dat ding nog ergens op stock")
    assert not judgement.sure and judgement.why == "small_talk" and judgement.options == ("faq/delivery_time",)
    assert not answer_gate.judge("affirm", 0.48, CLEAR, text="is verzenden gratis").sure  # a weak yes
    # yes and no answer the bot's own questions, also when they start like a question
    assert answer_gate.judge("affirm", 0.99, CLEAR, text="is goed hoor, doe maar zo").sure
    assert answer_gate.judge("goodbye", 0.95, CLEAR, text="dank je, fijne dag nog").sure
    assert any(row["name"] == "small_talk" for row in answer_gate.describe())


# Written for this test (in neither data/nlu nor a coverage set): general questions about a product, the shop or
# how things usually go, which the classifier may read as an order, a return or a problem by their topic words.
GENERAL_QUESTIONS = ["is die rugzak waterdicht", "zit er een snoer bij de lamp", "wanneer wordt een pakket meestal bezorgd",
                     "mag een artikel uit de sale ook terug?", "werkt die oplader ook met een tablet",
                     "past het hoesje ook om een oudere telefoon"]
OWN_CASES = ["waar blijft mijn pakket", "is m'n bestelling al onderweg?", "ik wil die jas terugsturen",
             "de rits is stuk", "het scherm blijft zwart", "wanneer komt WS-100001?", "kunnen we het nog ruilen?"]


@pytest.mark.parametrize("text", GENERAL_QUESTIONS)
def test_a_general_question_read_as_a_flow_starts_no_flow(text):
    for intent in answer_gate.FLOW_INTENTS:
        judgement = answer_gate.judge(intent, 0.97, CLEAR, text=text)
        assert not judgement.sure and judgement.why == "own_case", (intent, text)
        assert judgement.options == ("faq/delivery_time",)  # the nearest topic is still offered


@pytest.mark.parametrize("text", OWN_CASES)
def test_a_customer_speaking_of_her_own_order_or_problem_starts_the_flow(text):
    for intent in answer_gate.FLOW_INTENTS:
        assert answer_gate.judge(intent, 0.97, CLEAR, text=text).sure, (intent, text)


def test_a_question_about_the_delivery_is_an_order_question_unless_it_is_put_generally():
    for text in ("is het pakket er morgen al", "wanneer komt de bezorger", "en die andere zending?"):
        assert answer_gate.judge("order_status", 0.97, CLEAR, text=text).sure, text
        assert not answer_gate.judge("product_issue", 0.97, CLEAR, text=text).sure, text  # no problem reported
    for text in ("wanneer komt een bestelling doorgaans aan", "hoe lang duurt het voor een pakket er is",
                 "wordt er normaal op zaterdag bezorgd"):
        assert answer_gate.judge("order_status", 0.97, CLEAR, text=text).why == "own_case", text


def test_a_statement_after_a_question_or_an_exclamation_speaks_of_her_own_case():
    assert answer_gate.judge("order_status", 0.97, CLEAR, text="wanneer komt het, het is voor een verjaardag").sure
    assert answer_gate.judge("complain", 0.97, CLEAR, text="wat een slordige verpakking").sure
    assert not answer_gate.judge("complain", 0.97, CLEAR, text="wat een mooie verpakking?").sure


def test_the_own_case_rule_can_be_switched_off_for_the_threshold_sweep():
    off = answer_gate.Thresholds(own_case=False)
    assert answer_gate.judge("product_issue", 0.97, CLEAR, off, text="is die rugzak waterdicht").sure
    assert "eigen bestelling" in {t["name"]: t for t in answer_gate.describe()}["flow"]["label"]


@pytest.mark.parametrize("intent", answer_gate.COMPLAINT_INTENTS)
@pytest.mark.parametrize("text", ["WAT EEN TOPWINKEL ZEG, SUPER SNEL!!!", "de jas zit perfect, ik ben er erg blij mee!",
                                  "geweldig geholpen, dank je wel"])
def test_praise_read_as_a_complaint_is_thanks_not_a_handoff(intent, text):
    judgement = answer_gate.judge(intent, 0.97, CLEAR, text=text)
    assert judgement.why == "praise"


@pytest.mark.parametrize("text", ["de rits van mijn jas is kapot", "ik ben er helemaal klaar mee",
                                  "slechte service, nooit meer", "er zit een kras op het scherm van mijn tablet",
                                  "de jas is mooi maar de rits is na een dag kapot, heel slecht"])
def test_a_real_complaint_keeps_its_flow(text):
    assert answer_gate.judge("complain", 0.97, CLEAR, text=text).why != "praise"


def test_praise_without_a_question_gets_no_faq_answer_but_a_question_with_praise_does():
    assert answer_gate.judge("faq", 0.95, CLEAR, text="ONTZETTEND BLIJ MET DE SNELLE LEVERING, TOPPERS").why == "praise"
    judgement = answer_gate.judge("faq", 0.95, CLEAR, text="Super blij met jullie, hoe lang duurt levering naar België?")
    assert judgement.sure
