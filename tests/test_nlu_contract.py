"""The NLU contract: call, result shape, the contract's examples, bad input, data and evaluate."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.evaluate import evaluate, write_reports
from nlu.training_data import TrainingDataError, load_training_data

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
DATA = Path(__file__).resolve().parent.parent / "nlu" / "data"
INTENTS = {
    "log_visit", "log_call", "plan_activity", "show_agenda", "ask_stats", "start_drill",
    "start_checklist", "greet", "goodbye", "affirm", "deny", "help", "out_of_scope",
}  # fmt: skip
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$")
CODES = {
    "role": {"direction", "achats", "technique", "finance", "commercial", "assistant"},
    "outcome": {"rdv", "devis", "commande", "refus", "rappel", "injoignable", "interesse"},
    "objection": {"prix", "concurrent", "timing", "besoin", "confiance", "decision"},
}


def check_shape(result: dict, text: str) -> None:
    """Assert the contract's result shape and value formats."""
    assert result["text"] == text
    assert result["intent"]["name"] in INTENTS
    assert 0.0 <= result["intent"]["confidence"] <= 1.0
    assert result["intent_ranking"][0]["name"] == result["intent"]["name"]
    for entity in result["entities"]:
        assert 0 <= entity["start"] < entity["end"] <= len(text)
        name, value = entity["entity"], entity["value"]
        if name in ("when", "followup"):
            assert DATE_RE.match(value), value
        elif name in ("amount", "distance"):
            assert isinstance(value, int | float) and value >= 0
        elif name in CODES:
            assert value in CODES[name]
        else:
            assert isinstance(value, str) and value


def values(result: dict) -> dict[str, object]:
    """Map entity type to value (first of each)."""
    out: dict[str, object] = {}
    for entity in result["entities"]:
        out.setdefault(entity["entity"], entity["value"])
    return out


def test_contract_example(nlu_interpreter) -> None:  # type: ignore[no-untyped-def]
    text = "vu Dupont SA hier, devis 12k€, relance jeudi"
    result = nlu_interpreter.parse(text, now=NOW)
    check_shape(result, text)
    assert result["intent"]["name"] == "log_visit"
    assert values(result) == {
        "company": "Dupont SA",
        "when": "2026-03-09",
        "outcome": "devis",
        "amount": 12000,
        "followup": "2026-03-12",
    }
    company = next(e for e in result["entities"] if e["entity"] == "company")
    assert (company["start"], company["end"]) == (3, 12)


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("je sors de chez Leroy, commande signée", "log_visit", {"company": "Leroy", "outcome": "commande"}),
        ("appelé Garnier, messagerie", "log_call", {"outcome": "injoignable"}),
        ("demain 10h RDV chez Bricoman à Lyon", "plan_activity",
         {"when": "2026-03-11T10:00", "company": "Bricoman", "city": "Lyon"}),
        ("j'ai quoi demain ?", "show_agenda", {"when": "2026-03-11"}),
        ("mes stats de la semaine", "ask_stats", {}),
        ("entraîne-moi sur les objections prix", "start_drill", {"objection": "prix"}),
        ("aide-moi à préparer ma visite chez Dupont", "start_checklist", {"company": "Dupont"}),
        ("salut", "greet", {}),
        ("merci à plus", "goodbye", {}),
        ("oui", "affirm", {}),
        ("non", "deny", {}),
        ("tu sais faire quoi ?", "help", {}),
        ("quel temps demain à Paris ?", "out_of_scope", {}),
    ],
)  # fmt: skip
def test_contract_intents(nlu_interpreter, text: str, intent: str, expected: dict) -> None:  # type: ignore[no-untyped-def]
    result = nlu_interpreter.parse(text, now=NOW)
    check_shape(result, text)
    assert result["intent"]["name"] == intent
    found = values(result)
    for key, value in expected.items():
        assert found.get(key) == value, (key, found)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("vu Martin SARL jeudi, commande", "when", "2026-03-05"),
        ("RDV Martin SARL jeudi", "when", "2026-03-12"),
        ("appelé Martin SARL, rappeler dans 15 jours", "followup", "2026-03-25"),
        ("visite Martin SARL la semaine prochaine", "when", "2026-03-16"),
        ("vu Martin SARL la semaine dernière, devis", "when", "2026-03-02"),
        ("vu Martin SARL avant-hier, devis", "when", "2026-03-08"),
        ("rdv chez Martin SARL après-demain 14h30", "when", "2026-03-12T14:30"),
        ("visite Martin SARL le 12 mars à 9h", "when", "2026-03-12T09:00"),
        ("appelé Martin SARL, relance dans un mois", "followup", "2026-04-10"),
        ("vu Martin SARL, devis 3 500 €", "amount", 3500),
        ("vu Martin SARL, commande 1,5 M€", "amount", 1500000),
        ("vu Martin SARL, commande douze mille euros", "amount", 12000),
        ("vu Martin SARL à Bron, 45 km", "distance", 45),
        ("vu le DAF de Martin SARL, trop cher", "role", "finance"),
        ("vu le DAF de Martin SARL, trop cher", "objection", "prix"),
    ],
)
def test_date_amount_and_code_rules(nlu_interpreter, text: str, key: str, value: object) -> None:  # type: ignore[no-untyped-def]
    result = nlu_interpreter.parse(text, now=NOW)
    check_shape(result, text)
    assert values(result).get(key) == value, result["entities"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "😀😀😀",
        "\x00\x01 \x1b[0m",
        "\u200b\u202e\u200f",
        "Hello, I met John yesterday about pricing",
        "x" * 4096,
        "vu Dupont SA hier, devis 12k€ " * 200,
    ],
)
def test_bad_input_gives_a_valid_result(nlu_interpreter, text: str) -> None:  # type: ignore[no-untyped-def]
    result = nlu_interpreter.parse(text, now=NOW)
    check_shape(result, text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises(nlu_interpreter, text: str) -> None:  # type: ignore[no-untyped-def]
    check_shape(nlu_interpreter.parse(text, now=NOW), text)


def test_same_text_same_now_same_result(nlu_interpreter) -> None:  # type: ignore[no-untyped-def]
    text = "vu Dupont SA hier, devis 12k€, relance jeudi"
    assert nlu_interpreter.parse(text, now=NOW) == nlu_interpreter.parse(text, now=NOW)


def test_training_and_test_files_are_valid_and_disjoint() -> None:
    train = load_training_data(DATA / "nlu.yml")
    test = load_training_data(DATA / "test_nlu.yml")
    counts = {i: sum(e.intent == i for e in train.examples) for i in INTENTS}
    for intent in ("log_visit", "log_call", "plan_activity", "show_agenda", "ask_stats",
                   "start_drill", "start_checklist"):  # fmt: skip
        assert counts[intent] >= 40
    for intent in ("greet", "goodbye", "affirm", "deny", "help", "out_of_scope"):
        assert counts[intent] >= 15
    assert len(test.examples) >= 150
    # Short stock phrases ("bonjour", "mes stats") occur in both, written independently;
    # no real message of the test file is in the training file.
    shared = {e.text.lower() for e in train.examples} & {e.text.lower() for e in test.examples}
    assert all(len(text.split()) <= 4 for text in shared), shared


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("nlu:\n- intent: greet\n  examples: |\n    - salut\n  extra: 1\n", "structure invalide"),
        (
            'nlu:\n- intent: greet\n  examples: |\n    - [x]{"entity": "bogus"}\n',
            "entité inconnue",
        ),
        ("nlu:\n- intent: nope\n  examples: |\n    - salut\n", "intent inconnu"),
        ("nlu:\n- intent: greet\n  examples: |\n    - [x]{entity: company}\n", "annotation JSON"),
        ("nlu: [\n", "YAML invalide"),
    ],
)
def test_invalid_training_data_says_file_line_and_fix(
    tmp_path: Path, content: str, needle: str
) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrainingDataError) as info:
        load_training_data(path)
    assert needle in str(info.value) and "bad.yml" in str(info.value)


def test_evaluate_writes_rasa_style_reports(nlu_interpreter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "mini.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n- intent: log_visit\n  examples: |\n'
        '    - vu [Dupont SA]{"entity": "company", "value": "Dupont SA"} '
        '[hier]{"entity": "when", "value": "2026-03-09"}, [devis]{"entity": "outcome", "value": "devis"}\n'
        "- intent: greet\n  examples: |\n    - bonjour\n",
        encoding="utf-8",
    )
    result = evaluate(nlu_interpreter, data, NOW)
    assert result.intent_accuracy == 1.0 and result.entity_f1 == 1.0
    files = {p.name for p in write_reports(result, tmp_path / "out")}
    assert {"intent_report.json", "entity_report.json", "intent_errors.json",
            "intent_confusion_matrix.png"} <= files  # fmt: skip
    report = json.loads((tmp_path / "out" / "intent_report.json").read_text())
    assert report["log_visit"]["f1-score"] == 1.0
    assert "summary" not in report and result.summary("spacy").startswith("nlu evaluate")


def test_model_cache_retrains_when_data_changes(tmp_path: Path) -> None:
    from nlu.embedded import EmbeddedInterpreter

    data = tmp_path / "nlu.yml"
    lines = ['version: "3.1"', "nlu:"]
    for intent, words in (
        ("greet", ["bonjour", "salut", "coucou"]),
        ("goodbye", ["au revoir", "bye", "ciao"]),
    ):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {w}" for w in words]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    EmbeddedInterpreter.load_or_train(tmp_path / "models", data)
    first = {p.name for p in (tmp_path / "models").iterdir()}
    EmbeddedInterpreter.load_or_train(tmp_path / "models", data)
    assert {p.name for p in (tmp_path / "models").iterdir()} == first
    data.write_text(data.read_text() + "    - à plus\n", encoding="utf-8")
    EmbeddedInterpreter.load_or_train(tmp_path / "models", data)
    assert len(list((tmp_path / "models").iterdir())) == 2


def test_fast_intent_inference_equals_scikit_learn(nlu_interpreter) -> None:  # type: ignore[no-untyped-def]
    """The per-message arithmetic gives predict_proba's probabilities, to rounding."""
    model = nlu_interpreter.intent_model
    root = Path(__file__).resolve().parent.parent / "nlu" / "data"
    texts = [e.text for e in load_training_data(root / "test_nlu.yml").examples]
    texts += ["", " ", "😀", "x" * 4096, "\u200b\u200f", "'; DROP TABLE users; --", "???"]
    for text in texts:
        fast, reference = model.rank(text), model.rank_reference(text)
        assert [name for name, _ in fast][:1] == [name for name, _ in reference][:1], text
        reference_probs = dict(reference)
        for name, prob in fast:
            assert prob == pytest.approx(reference_probs[name], abs=1e-9), text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_fast_intent_inference_fuzzed(nlu_interpreter, text: str) -> None:  # type: ignore[no-untyped-def]
    model = nlu_interpreter.intent_model
    fast = dict(model.rank(text))
    for name, prob in model.rank_reference(text):
        assert fast[name] == pytest.approx(prob, abs=1e-9)
