"""Evaluate a backend on a Rasa-format file: Rasa-style reports, latency and a summary line."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nlu.interpreter import Interpreter
from nlu.training_data import load_training_data


def _norm_value(value: Any) -> Any:
    """Compare numbers as numbers and text case-insensitively."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return round(float(value), 2)
    return " ".join(str(value).lower().split())


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1-score": f1, "support": tp + fn}


@dataclass
class Evaluation:
    """Figures of one evaluation run."""

    intent_accuracy: float
    intent_macro_f1: float
    entity_f1: float
    entity_precision: float
    entity_recall: float
    latency_p50_ms: float
    latency_p99_ms: float
    examples: int
    intent_report: dict[str, Any]
    entity_report: dict[str, Any]
    intent_errors: list[dict[str, Any]]
    entity_errors: list[dict[str, Any]]
    confusion: dict[str, dict[str, int]]

    def summary(self, backend: str) -> str:
        """One line for humans and CI logs."""
        return (
            f"nlu evaluate [{backend}] {self.examples} examples: intent accuracy "
            f"{self.intent_accuracy:.3f}, macro F1 {self.intent_macro_f1:.3f}, entity F1 "
            f"{self.entity_f1:.3f} (P {self.entity_precision:.3f} R {self.entity_recall:.3f}), "
            f"parse p50 {self.latency_p50_ms:.1f} ms p99 {self.latency_p99_ms:.1f} ms"
        )


def evaluate(interpreter: Interpreter, data_path: str | Path, now: datetime) -> Evaluation:
    """Parse every example and score intents and entities against the annotations."""
    data = load_training_data(data_path)
    latencies: list[float] = []
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    intent_errors: list[dict[str, Any]] = []
    entity_errors: list[dict[str, Any]] = []
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for example in data.examples:
        started = time.perf_counter()
        result = interpreter.parse(example.text, now=now)
        latencies.append((time.perf_counter() - started) * 1000)
        predicted = result["intent"]["name"]
        confusion[example.intent][predicted] += 1
        if predicted != example.intent:
            intent_errors.append(
                {
                    "text": example.text,
                    "intent": example.intent,
                    "intent_prediction": result["intent"],
                }
            )
        gold = Counter((e["entity"], _norm_value(e["value"])) for e in example.entities)
        found = Counter((e["entity"], _norm_value(e["value"])) for e in result["entities"])
        for key in gold | found:
            tp = min(gold[key], found[key])
            counts[key[0]][0] += tp
            counts[key[0]][1] += found[key] - tp
            counts[key[0]][2] += gold[key] - tp
        if gold != found:
            entity_errors.append(
                {
                    "text": example.text,
                    "missing": [list(k) for k in (gold - found).elements()],
                    "unexpected": [list(k) for k in (found - gold).elements()],
                }
            )
    labels = sorted(set(confusion) | {p for row in confusion.values() for p in row})
    intent_report: dict[str, Any] = {}
    for label in labels:
        tp = confusion[label][label]
        fp = sum(confusion[g][label] for g in labels if g != label)
        fn = sum(confusion[label].values()) - tp
        intent_report[label] = _prf(tp, fp, fn)
    gold_labels = [label for label in labels if intent_report[label]["support"]]
    total = len(data.examples)
    accuracy = sum(confusion[label][label] for label in labels) / total if total else 0.0
    macro = (
        statistics.mean(intent_report[label]["f1-score"] for label in gold_labels)
        if gold_labels
        else 0.0
    )
    intent_report["accuracy"] = accuracy
    intent_report["macro avg"] = {
        key: statistics.mean(intent_report[label][key] for label in gold_labels)
        for key in ("precision", "recall", "f1-score")
    } | {"support": total}
    entity_report: dict[str, Any] = {name: _prf(*c) for name, c in sorted(counts.items())}
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    micro = _prf(tp, fp, fn)
    entity_report["micro avg"] = micro
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] if ordered else 0.0
    return Evaluation(
        intent_accuracy=accuracy,
        intent_macro_f1=macro,
        entity_f1=micro["f1-score"],
        entity_precision=micro["precision"],
        entity_recall=micro["recall"],
        latency_p50_ms=statistics.median(ordered) if ordered else 0.0,
        latency_p99_ms=p99,
        examples=total,
        intent_report=intent_report,
        entity_report=entity_report,
        intent_errors=intent_errors,
        entity_errors=entity_errors,
        confusion={g: dict(row) for g, row in confusion.items()},
    )


def write_reports(evaluation: Evaluation, out: str | Path) -> list[Path]:
    """Write Rasa-style report files and the confusion-matrix PNG."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "intent_report.json": evaluation.intent_report,
        "intent_errors.json": evaluation.intent_errors,
        "entity_report.json": evaluation.entity_report,
        "entity_errors.json": evaluation.entity_errors,
        "latency.json": {
            "p50_ms": evaluation.latency_p50_ms,
            "p99_ms": evaluation.latency_p99_ms,
        },
    }
    written = []
    for name, payload in files.items():
        path = out / name
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(path)
    written.append(_confusion_png(evaluation.confusion, out / "intent_confusion_matrix.png"))
    return written


def _confusion_png(confusion: dict[str, dict[str, int]], path: Path) -> Path:
    """Draw the intent confusion matrix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted(set(confusion) | {p for row in confusion.values() for p in row})
    matrix = np.array([[confusion.get(g, {}).get(p, 0) for p in labels] for g in labels])
    fig, ax = plt.subplots(figsize=(9, 8))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7)
    ax.set_xlabel("intent prédit")
    ax.set_ylabel("intent attendu")
    ax.set_title("Matrice de confusion des intents")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
