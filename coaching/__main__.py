"""Command line: `python -m coaching evaluate FILE [--check]`, `bareme`, `validate-bank`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coaching.bank import BankError, load_bank
from coaching.constants import GRADED_PATH
from coaching.evaluation import GradedSetError, evaluate, load_graded
from coaching.scoring import rubric_text


def _evaluate(args: argparse.Namespace) -> int:
    """Run the evaluation of a graded set and print the figures."""
    try:
        graded = load_graded(args.file)
    except (GradedSetError, BankError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = evaluate(graded)
    for line in report.lines():
        print(line)
    if args.verbose:
        print("\nper technique:")
        for code, prf in report.per_technique.items():
            print(f"  {code:<16} P={prf.precision:.2f} R={prf.recall:.2f} F1={prf.f1:.2f}")
        print("per fault:")
        for code, prf in report.per_fault.items():
            print(f"  {code:<20} P={prf.precision:.2f} R={prf.recall:.2f} F1={prf.f1:.2f}")
        print("\nmismatches:")
        for row in report.mismatches:
            print(
                f"  {row['id']} grade={row['grade']:g} score={row['score']:g} "
                f"-T{row['missed_techniques']} +T{row['extra_techniques']} "
                f"-F{row['missed_faults']} +F{row['extra_faults']} | {row['answer'][:110]}"
            )
    print(report.summary())
    return 1 if args.check and not report.passed else 0


def _bareme(_: argparse.Namespace) -> int:
    """Print the rubric shown to trainees."""
    print(rubric_text())
    return 0


def _validate_bank(args: argparse.Namespace) -> int:
    """Validate an objection bank file."""
    try:
        bank = load_bank(args.file)
    except BankError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"OK: {len(bank)} objections in {bank.source}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    parser = argparse.ArgumentParser(prog="python -m coaching", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate_cmd = commands.add_parser("evaluate", help="score a graded set and report figures")
    evaluate_cmd.add_argument("file", nargs="?", default=str(GRADED_PATH))
    evaluate_cmd.add_argument("--check", action="store_true", help="exit 1 below the targets")
    evaluate_cmd.add_argument("--verbose", "-v", action="store_true", help="per-code details")
    evaluate_cmd.set_defaults(handler=_evaluate)
    bareme_cmd = commands.add_parser("bareme", help="print the scoring rubric (French)")
    bareme_cmd.set_defaults(handler=_bareme)
    bank_cmd = commands.add_parser("validate-bank", help="validate an objection bank file")
    bank_cmd.add_argument("file", nargs="?", default=None)
    bank_cmd.set_defaults(handler=_validate_bank)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
