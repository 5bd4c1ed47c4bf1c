"""Coaching benchmark: scoring latency on the graded set (warm) and scoring quality.

Targets (issue: coaching drills): score_answer p50 ≤ 20 ms and p99 ≤ 80 ms (warm model);
Spearman ρ(score, trainer grade) ≥ 0.75, technique micro-F1 ≥ 0.80, fault micro-F1 ≥ 0.75.
Exits 1 when a target is missed.

    .venv/bin/python bench/coaching_bench.py [--file coaching/data/graded_answers.yml] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coaching.constants import GRADED_PATH  # noqa: E402
from coaching.evaluation import (  # noqa: E402
    TARGET_FAULT_F1,
    TARGET_SPEARMAN,
    TARGET_TECHNIQUE_F1,
    evaluate,
    load_graded,
)
from coaching.scoring import score_answer  # noqa: E402

TARGET_P50_MS = 20.0
TARGET_P99_MS = 80.0


def pct(values: Sequence[float], q: float) -> float:
    """Return the q-quantile of values (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(GRADED_PATH), help="graded set (YAML/JSON)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the set")
    args = parser.parse_args(argv)

    graded = load_graded(args.file)
    started = time.perf_counter()
    for item in graded:
        score_answer(item.objection, item.answer, item.category)
    warmup_s = time.perf_counter() - started

    timings: list[float] = []
    for _ in range(max(1, args.repeat)):
        for item in graded:
            begin = time.perf_counter()
            score_answer(item.objection, item.answer, item.category)
            timings.append((time.perf_counter() - begin) * 1000)
    p50, p99 = pct(timings, 0.50), pct(timings, 0.99)
    report = evaluate(graded)

    checks = [
        ("score p50 (ms)", p50, f"<= {TARGET_P50_MS:g}", p50 <= TARGET_P50_MS),
        ("score p99 (ms)", p99, f"<= {TARGET_P99_MS:g}", p99 <= TARGET_P99_MS),
        (
            "spearman rho",
            report.spearman,
            f">= {TARGET_SPEARMAN}",
            report.spearman >= TARGET_SPEARMAN,
        ),
        (
            "technique micro-F1",
            report.techniques.f1,
            f">= {TARGET_TECHNIQUE_F1}",
            report.techniques.f1 >= TARGET_TECHNIQUE_F1,
        ),
        (
            "fault micro-F1",
            report.faults.f1,
            f">= {TARGET_FAULT_F1}",
            report.faults.f1 >= TARGET_FAULT_F1,
        ),
    ]
    print(f"graded set: {args.file} ({len(graded)} answers, {len(timings)} timed calls)")
    print(f"warm-up pass (includes model load): {warmup_s:.2f} s")
    print(f"{'metric':<22}{'value':>10}   {'target':<10} result")
    for name, value, target, ok in checks:
        print(f"{name:<22}{value:>10.3f}   {target:<10} {'ok' if ok else 'MISSED'}")
    print(
        f"techniques P={report.techniques.precision:.3f} R={report.techniques.recall:.3f}; "
        f"faults P={report.faults.precision:.3f} R={report.faults.recall:.3f}"
    )
    passed = all(ok for *_, ok in checks)
    missed = [name for name, *_, ok in checks if not ok]
    print(
        f"{'PASS' if passed else 'FAIL'}: p50={p50:.1f}ms p99={p99:.1f}ms "
        f"rho={report.spearman:.3f} technique_f1={report.techniques.f1:.3f} "
        f"fault_f1={report.faults.f1:.3f}" + (f" missed={','.join(missed)}" if missed else "")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
