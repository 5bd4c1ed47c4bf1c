"""Evaluate the scoring engine against answers graded by trainers (rank correlation, P/R/F1)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from coaching.bank import ObjectionBank, load_bank
from coaching.constants import FAULTS, TECHNIQUES

TARGET_SPEARMAN = 0.75
TARGET_TECHNIQUE_F1 = 0.80
TARGET_FAULT_F1 = 0.75

Scorer = Callable[[str, str, str | None], dict[str, Any]]


class GradedSetError(ValueError):
    """A graded-answers file cannot be read."""


@dataclass(frozen=True, slots=True)
class GradedAnswer:
    """One answer graded and labelled by a trainer."""

    id: str
    objection: str
    category: str | None
    answer: str
    grade: float
    techniques: frozenset[str]
    faults: frozenset[str]


@dataclass(frozen=True, slots=True)
class PRF:
    """Micro precision, recall and F1 of a set of labels."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int


@dataclass(slots=True)
class EvaluationReport:
    """Figures of one evaluation run."""

    count: int
    spearman: float
    techniques: PRF
    faults: PRF
    per_technique: dict[str, PRF] = field(default_factory=dict)
    per_fault: dict[str, PRF] = field(default_factory=dict)
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Tell whether all targets are met."""
        return (
            self.spearman >= TARGET_SPEARMAN
            and self.techniques.f1 >= TARGET_TECHNIQUE_F1
            and self.faults.f1 >= TARGET_FAULT_F1
        )

    def summary(self) -> str:
        """Return the one-line summary."""
        verdict = "OK" if self.passed else "BELOW TARGET"
        return (
            f"{verdict}: n={self.count} spearman={self.spearman:.3f} "
            f"technique_f1={self.techniques.f1:.3f} fault_f1={self.faults.f1:.3f}"
        )

    def lines(self) -> list[str]:
        """Return the printable report, targets beside the figures."""
        rows = [
            f"answers evaluated        {self.count}",
            f"spearman rho             {self.spearman:.3f}   (target >= {TARGET_SPEARMAN:.2f})",
            _prf_line("techniques (micro)", self.techniques, TARGET_TECHNIQUE_F1),
            _prf_line("faults (micro)", self.faults, TARGET_FAULT_F1),
        ]
        return rows


def _prf_line(name: str, prf: PRF, target: float) -> str:
    """Format a P/R/F1 line."""
    return (
        f"{name:<24} P={prf.precision:.3f} R={prf.recall:.3f} F1={prf.f1:.3f}"
        f"   (target F1 >= {target:.2f})"
    )


def _as_codes(value: Any, allowed: Sequence[str], where: str) -> frozenset[str]:
    """Read a list of codes, rejecting unknown ones."""
    codes = frozenset(str(code) for code in value or ())
    unknown = codes - set(allowed)
    if unknown:
        raise GradedSetError(f"{where}: unknown code(s) {sorted(unknown)}")
    return codes


def _items(document: Any) -> list[dict[str, Any]]:
    """Return the list of graded items of a loaded document."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in ("answers", "items", "graded", "data"):
            if isinstance(document.get(key), list):
                return document[key]
    raise GradedSetError("expected a list of graded answers (or a mapping with 'answers')")


def _read(path: Path) -> Any:
    """Read a YAML, JSON or JSON-lines document."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in raw.splitlines() if line.strip()]
    if path.suffix == ".json":
        return json.loads(raw)
    return yaml.safe_load(raw)


def load_graded(path: str | Path, bank: ObjectionBank | None = None) -> list[GradedAnswer]:
    """Load a graded set (YAML/JSON/JSONL); objections may be given by bank id or by text."""
    bank = bank or load_bank()
    file_path = Path(path)
    try:
        document = _read(file_path)
    except (OSError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise GradedSetError(f"{file_path}: {exc}") from exc
    graded: list[GradedAnswer] = []
    for index, item in enumerate(_items(document), start=1):
        where = f"{file_path.name} item {index}"
        if not isinstance(item, dict):
            raise GradedSetError(f"{where}: expected a mapping")
        objection_text = item.get("objection") or item.get("objection_text")
        category = item.get("category")
        objection_id = item.get("objection_id")
        if objection_id:
            entry = bank.get(str(objection_id))
            if entry is None:
                raise GradedSetError(f"{where}: unknown objection_id {objection_id!r}")
            objection_text = objection_text or entry.text
            category = category or entry.category
        if not objection_text:
            raise GradedSetError(f"{where}: needs 'objection' text or 'objection_id'")
        grade = item.get("grade", item.get("score"))
        if not isinstance(grade, int | float):
            raise GradedSetError(f"{where}: 'grade' must be a number from 0 to 10")
        graded.append(
            GradedAnswer(
                id=str(item.get("id", index)),
                objection=str(objection_text),
                category=str(category) if category else None,
                answer=str(item.get("answer", "")),
                grade=float(grade),
                techniques=_as_codes(item.get("techniques"), TECHNIQUES, where),
                faults=_as_codes(item.get("faults"), FAULTS, where),
            )
        )
    return graded


def _rank(values: Sequence[float]) -> np.ndarray:
    """Return average ranks (ties share their mean rank)."""
    array = np.asarray(values, dtype=float)
    order = array.argsort(kind="mergesort")
    ranks = np.empty(len(array), dtype=float)
    sorted_values = array[order]
    start = 0
    while start < len(array):
        end = start
        while end + 1 < len(array) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2.0
        start = end + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Return Spearman's rank correlation (0.0 when undefined)."""
    if len(xs) < 2 or len(xs) != len(ys):
        return 0.0
    rx, ry = _rank(xs), _rank(ys)
    if rx.std() == 0 or ry.std() == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def micro_prf(gold: Iterable[frozenset[str]], predicted: Iterable[frozenset[str]]) -> PRF:
    """Return micro-averaged precision, recall and F1 over label sets."""
    tp = fp = fn = 0
    for expected, found in zip(gold, predicted, strict=True):
        tp += len(expected & found)
        fp += len(found - expected)
        fn += len(expected - found)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1, tp, fp, fn)


def evaluate(graded: Sequence[GradedAnswer], scorer: Scorer | None = None) -> EvaluationReport:
    """Score every graded answer and compare with the trainer's grades and labels."""
    if scorer is None:
        from coaching.scoring import score_answer

        scorer = score_answer
    results = [scorer(item.objection, item.answer, item.category) for item in graded]
    gold_t = [item.techniques for item in graded]
    gold_f = [item.faults for item in graded]
    pred_t = [frozenset(result["techniques"]) for result in results]
    pred_f = [frozenset(result["faults"]) for result in results]
    report = EvaluationReport(
        count=len(graded),
        spearman=spearman([r["score"] for r in results], [item.grade for item in graded]),
        techniques=micro_prf(gold_t, pred_t),
        faults=micro_prf(gold_f, pred_f),
    )
    for code in TECHNIQUES:
        report.per_technique[code] = micro_prf(
            [g & {code} for g in gold_t], [p & {code} for p in pred_t]
        )
    for code in FAULTS:
        report.per_fault[code] = micro_prf(
            [g & {code} for g in gold_f], [p & {code} for p in pred_f]
        )
    for item, result, gt, pt, gf, pf in zip(
        graded, results, gold_t, pred_t, gold_f, pred_f, strict=True
    ):
        if gt != pt or gf != pf or abs(result["score"] - item.grade) >= 3:
            report.mismatches.append(
                {
                    "id": item.id,
                    "grade": item.grade,
                    "score": result["score"],
                    "missed_techniques": sorted(gt - pt),
                    "extra_techniques": sorted(pt - gt),
                    "missed_faults": sorted(gf - pf),
                    "extra_faults": sorted(pf - gf),
                    "answer": item.answer,
                }
            )
    return report
