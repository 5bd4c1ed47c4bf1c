"""Scoring engine: contract shape and codes, determinism, bad inputs, techniques and faults."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching import is_scorable, load_bank, rubric_text, score_answer
from coaching.constants import CATEGORIES, FAULTS, MOTIVES, TECHNIQUES
from coaching.texts import GENERIC_MODEL_ANSWERS

PRICE = "Votre solution est 20 % plus chère que celle de notre prestataire actuel."
RESULT_KEYS = {"score", "techniques", "motives", "faults", "feedback", "model_answer"}
GOOD = (
    "Je comprends. Si je reformule, c'est l'écart de prix qui vous freine ? Par rapport à quoi "
    "comparez-vous exactement ? Nos clients du secteur ont réduit leurs coûts de 30 %. Je vous "
    "propose un essai de deux semaines, on le démarre lundi ?"
)

TECHNIQUE_EXAMPLES = {
    "ecoute": "Je comprends tout à fait votre remarque, c'est une vraie question.",
    "reformulation": "Si je comprends bien, c'est le délai de livraison qui vous inquiète ?",
    "question": "Qu'est-ce qui vous fait dire que c'est trop cher ?",
    "boomerang": (
        "C'est justement parce que vos équipes sont débordées que notre outil vous fera gagner "
        "du temps."
    ),
    "compensation": (
        "Certes, notre prix est plus élevé ; en revanche, la maintenance est incluse pendant "
        "cinq ans."
    ),
    "preuve": "Nos clients du secteur ont réduit leurs pannes de 30 %, avec une garantie de trois ans.",
    "fractionnement": "Rapporté à vos vingt utilisateurs, cela représente moins de 2 € par jour.",
    "contrepartie": (
        "Je peux revoir le tarif si vous vous engagez sur trois ans et sur l'ensemble des sites."
    ),
    "report": "C'est un point important, j'y reviens dans un instant avec les chiffres.",
    "conclusion": "Je vous propose qu'on se voie jeudi pour regarder vos chiffres ensemble.",
}

FAULT_EXAMPLES = {
    "denigrement": "Leur produit, c'est de la camelote, ils ne sont pas sérieux.",
    "contradiction": "Vous avez tort, c'est faux, notre prix est parfaitement justifié.",
    "concession_gratuite": "Pas de problème, je vous fais 15 % de remise tout de suite.",
    "hors_sujet": "Il fait beau aujourd'hui, vous avez vu le match hier soir ?",
    "trop_court": "Ok.",
}


def _check_contract(result: dict) -> None:
    """Assert the contract's result shape and codes."""
    assert set(result) == RESULT_KEYS
    assert isinstance(result["score"], float)
    assert 0.0 <= result["score"] <= 10.0
    assert set(result["techniques"]) <= set(TECHNIQUES)
    assert set(result["motives"]) <= set(MOTIVES)
    assert set(result["faults"]) <= set(FAULTS)
    assert isinstance(result["feedback"], str) and result["feedback"]
    assert isinstance(result["model_answer"], str) and result["model_answer"]
    json.dumps(result)


def test_contract_shape_and_codes() -> None:
    """A good answer returns the contract's keys, known codes and a high score."""
    result = score_answer(PRICE, GOOD, category="prix")
    _check_contract(result)
    assert {"ecoute", "reformulation", "question", "preuve", "conclusion"} <= set(
        result["techniques"]
    )
    assert result["faults"] == []
    assert result["score"] >= 8


def test_codes_are_in_canonical_order() -> None:
    """Techniques and faults come back in the contract's table order."""
    result = score_answer(PRICE, GOOD, category="prix")
    assert result["techniques"] == [code for code in TECHNIQUES if code in result["techniques"]]


def test_deterministic() -> None:
    """The same inputs always give the same result."""
    first = score_answer(PRICE, GOOD, "prix")
    assert all(score_answer(PRICE, GOOD, "prix") == first for _ in range(3))


def test_category_is_optional_and_inferred() -> None:
    """Without a category the engine still scores (category from the bank or the text)."""
    with_category = score_answer(PRICE, GOOD, "prix")
    without = score_answer(PRICE, GOOD)
    assert without == with_category
    unknown = score_answer("Vos délais de livraison sont trop longs pour nous.", GOOD)
    _check_contract(unknown)


@pytest.mark.parametrize(("code", "answer"), TECHNIQUE_EXAMPLES.items())
def test_each_technique_detected(code: str, answer: str) -> None:
    """Each technique is found on a clear example."""
    result = score_answer(PRICE, answer, "prix")
    assert code in result["techniques"], result


@pytest.mark.parametrize(("code", "answer"), FAULT_EXAMPLES.items())
def test_each_fault_detected(code: str, answer: str) -> None:
    """Each fault is found on a clear example and costs points."""
    result = score_answer(PRICE, answer, "prix")
    assert code in result["faults"], result
    assert result["score"] <= 1.5


def test_negation_cancels_a_technique_or_a_fault() -> None:
    """'Je ne comprends pas' is not listening; 'je ne baisserai pas le prix' is no concession."""
    not_listening = score_answer(PRICE, "Je ne comprends pas pourquoi vous dites ça.", "prix")
    assert "ecoute" not in not_listening["techniques"]
    refusal = score_answer(
        PRICE, "Je ne vais pas baisser mon prix, en revanche la formation est incluse.", "prix"
    )
    assert "concession_gratuite" not in refusal["faults"]


def test_concession_against_counterpart_is_not_a_fault() -> None:
    """A discount traded for a commitment is 'contrepartie', the same discount alone a fault."""
    traded = score_answer(
        PRICE,
        "Si vous signez pour trois ans sur tous les sites, je peux faire 8 % de remise.",
        "prix",
    )
    assert "contrepartie" in traded["techniques"]
    assert "concession_gratuite" not in traded["faults"]
    free = score_answer(PRICE, "Si vous signez aujourd'hui, je vous fais 8 % de remise.", "prix")
    assert "concession_gratuite" in free["faults"]


def test_free_trial_is_proof_not_concession() -> None:
    """An offered trial is evidence, not a free concession."""
    result = score_answer(PRICE, "Je vous propose un essai gratuit de deux semaines sur un site.")
    assert "preuve" in result["techniques"]
    assert "concession_gratuite" not in result["faults"]


def test_polished_answer_that_handles_nothing_scores_low() -> None:
    """Buzzwords without handling the objection are off-topic."""
    result = score_answer(
        PRICE,
        "Notre entreprise, leader reconnu, place l'excellence et l'innovation au service de "
        "votre transformation, avec une approche centrée sur l'humain.",
        "prix",
    )
    assert "hors_sujet" in result["faults"]
    assert result["score"] <= 1


def test_short_excellent_answer_beats_long_empty_one() -> None:
    """A short probing answer scores better than a long irrelevant one."""
    short = score_answer(PRICE, "Je comprends. Trop cher par rapport à quoi ?", "prix")
    long = score_answer(
        PRICE,
        "Nous sommes une entreprise familiale fondée en 1982, nos bureaux sont à Lyon et notre "
        "équipe est passionnée par son métier depuis toujours.",
        "prix",
    )
    assert short["score"] > long["score"]
    assert "trop_court" not in short["faults"]


@pytest.mark.parametrize(
    ("answer", "fault"),
    [
        ("", "trop_court"),
        ("   \n\t ", "trop_court"),
        ("😀👍🔥", "trop_court"),
        ("/start", "trop_court"),
        ("I understand, but our product is better value for money.", "hors_sujet"),
    ],
)
def test_bad_inputs_give_a_valid_zero_result(answer: str, fault: str) -> None:
    """Empty, emoji-only, command or English answers score 0 with the fitting fault."""
    result = score_answer(PRICE, answer, "prix")
    _check_contract(result)
    assert result["score"] == 0.0
    assert result["faults"] == [fault]


def test_maximum_telegram_length() -> None:
    """A 4,096-character answer is scored without error."""
    answer = ("Je comprends votre remarque sur le prix. " * 120)[:4096]
    _check_contract(score_answer(PRICE, answer, "prix"))


def test_non_string_inputs_do_not_raise() -> None:
    """None and numbers are accepted; an unknown category is ignored."""
    _check_contract(score_answer(None, None, None))
    _check_contract(score_answer(12, 42, "pas-une-categorie"))  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objection=st.text(max_size=200), answer=st.text(max_size=400))
def test_never_raises_on_arbitrary_text(objection: str, answer: str) -> None:
    """Any text gives a valid result."""
    _check_contract(score_answer(objection, answer))


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("🙂🙂", "no_text"),
        ("/bareme", "command"),
        ("Hello, I think your price is right but we need to think about it.", "english"),
    ],
)
def test_is_scorable_refuses_with_a_french_reason(answer: str, code: str) -> None:
    """Unscorable answers get a code and a French reason."""
    verdict = is_scorable(answer)
    assert not verdict
    assert verdict.code == code
    assert verdict.reason


@pytest.mark.parametrize("answer", ["ok", "Non.", "Je comprends, par rapport à quoi ?", "bah si"])
def test_is_scorable_accepts_short_french(answer: str) -> None:
    """Short French answers are scorable (and then marked down)."""
    assert is_scorable(answer)


def test_model_answer_from_bank_or_generic() -> None:
    """A bank objection gets its own model answer; an unknown one a generic one."""
    entry = load_bank().get("prix-01")
    assert entry is not None
    assert score_answer(entry.text, "ok")["model_answer"] == entry.model_answer
    assert score_answer(entry.insist, "ok")["model_answer"] == entry.model_answer
    generic = score_answer("Franchement, vos tarifs sont bien trop élevés.", "ok", "prix")
    assert generic["model_answer"] == GENERIC_MODEL_ANSWERS["prix"]
    assert set(GENERIC_MODEL_ANSWERS) >= set(CATEGORIES)


def test_feedback_explains_the_points() -> None:
    """Feedback says what was good, what was missing, one tip and the detail of the points."""
    feedback = score_answer(PRICE, "Je comprends. Trop cher par rapport à quoi ?", "prix")[
        "feedback"
    ]
    assert "Points forts" in feedback
    assert "À travailler" in feedback
    assert feedback.count("Conseil") == 1
    assert "Explorer 3" in feedback
    assert "total" in feedback


def test_rubric_text_lists_criteria_and_faults() -> None:
    """The rubric for /bareme is French and lists every criterion and fault."""
    text = rubric_text()
    for word in ("Écouter", "Explorer", "Traiter", "Prouver", "Avancer", "Pertinence"):
        assert word in text
    for word in ("Dénigrer", "Contredire", "contrepartie", "plafonnée"):
        assert word in text


def test_bank_model_answers_score_as_strong() -> None:
    """The bank's model answers are strong answers for the engine too."""
    bank = load_bank()
    scores = [
        score_answer(entry.text, answer.text, entry.category)["score"]
        for entry in bank
        for answer in entry.model_answers[:1]
    ]
    assert min(scores) >= 7
