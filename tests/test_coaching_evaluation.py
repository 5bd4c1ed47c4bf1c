"""Evaluation against graded answers: metrics, file formats and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coaching.__main__ import main
from coaching.constants import GRADED_PATH
from coaching.evaluation import GradedSetError, evaluate, load_graded, micro_prf, spearman


def test_spearman_and_micro_prf() -> None:
    """Rank correlation handles ties; micro P/R/F1 count label by label."""
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 2], [1, 2, 3]) == pytest.approx(0.866, abs=0.001)
    assert spearman([1, 1], [1, 2]) == 0.0
    prf = micro_prf([frozenset({"a", "b"}), frozenset()], [frozenset({"a"}), frozenset({"c"})])
    assert (prf.true_positives, prf.false_positives, prf.false_negatives) == (1, 1, 1)
    assert prf.f1 == pytest.approx(0.5)


def test_graded_set_is_large_and_spread() -> None:
    """At least 80 graded answers over the whole 0-10 range."""
    graded = load_graded(GRADED_PATH)
    assert len(graded) >= 80
    grades = [item.grade for item in graded]
    assert min(grades) <= 1 and max(grades) >= 9
    assert sum(1 for grade in grades if 3 <= grade <= 6) >= 20


def test_own_graded_set_meets_targets() -> None:
    """The engine meets the targets on its own graded set."""
    report = evaluate(load_graded(GRADED_PATH))
    assert report.passed, report.summary()


def test_loads_objection_text_and_json(tmp_path: Path) -> None:
    """A set may give the objection as text, in JSON or JSON lines."""
    items = [
        {
            "objection": "C'est trop cher.",
            "category": "prix",
            "answer": "Je comprends. Par rapport à quoi ?",
            "grade": 6,
            "techniques": ["ecoute", "question"],
            "faults": [],
        },
        {"objection_id": "prix-02", "answer": "ok", "score": 0, "faults": ["trop_court"]},
    ]
    as_json = tmp_path / "set.json"
    as_json.write_text(json.dumps({"answers": items}), encoding="utf-8")
    as_lines = tmp_path / "set.jsonl"
    as_lines.write_text("\n".join(json.dumps(item) for item in items), encoding="utf-8")
    for path in (as_json, as_lines):
        graded = load_graded(path)
        assert [item.grade for item in graded] == [6.0, 0.0]
        assert graded[1].category == "prix"
        report = evaluate(graded)
        assert report.count == 2


def test_bad_graded_files(tmp_path: Path) -> None:
    """Unknown codes, unknown ids and missing grades are reported."""
    path = tmp_path / "bad.yml"
    path.write_text("- {objection_id: prix-01, answer: x, grade: 3, techniques: [magie]}\n")
    with pytest.raises(GradedSetError, match="magie"):
        load_graded(path)
    path.write_text("- {objection_id: nope-99, answer: x, grade: 3}\n")
    with pytest.raises(GradedSetError, match="nope-99"):
        load_graded(path)
    path.write_text("- {objection_id: prix-01, answer: x}\n")
    with pytest.raises(GradedSetError, match="grade"):
        load_graded(path)


def test_cli_evaluate_check_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`evaluate --check` prints the figures and exits 0 above target, 1 below."""
    assert main(["evaluate", str(GRADED_PATH), "--check"]) == 0
    output = capsys.readouterr().out
    assert "spearman" in output and "techniques (micro)" in output and "faults (micro)" in output
    assert output.strip().splitlines()[-1].startswith("OK")
    wrong = tmp_path / "wrong.yml"
    wrong.write_text(
        "- {objection_id: prix-01, answer: 'Ok.', grade: 10, techniques: [preuve], faults: []}\n"
        "- {objection_id: prix-02, answer: 'Je comprends, combien de couverts faites-vous ? "
        "Je vous propose un essai.', grade: 0, techniques: [], faults: [denigrement]}\n"
    )
    assert main(["evaluate", str(wrong), "--check"]) == 1
    assert main(["evaluate", str(wrong)]) == 0
    assert main(["evaluate", str(tmp_path / "absent.yml")]) == 2


def test_cli_bareme_and_validate_bank(capsys: pytest.CaptureFixture[str]) -> None:
    """`bareme` prints the rubric; `validate-bank` checks the packaged bank."""
    assert main(["bareme"]) == 0
    assert "Barème" in capsys.readouterr().out
    assert main(["validate-bank"]) == 0
    assert "objections" in capsys.readouterr().out
