"""Rule-based entity layer shared by every NLU backend: dates, amounts, distances, codes."""

from nlu.normalize.amounts import find_amounts, find_distances, parse_amount
from nlu.normalize.codes import (
    find_codes,
    normalize_objection,
    normalize_outcome,
    normalize_role,
)
from nlu.normalize.common import Span
from nlu.normalize.company import clean_company
from nlu.normalize.dates import find_dates, resolve_date

__all__ = [
    "Span",
    "clean_company",
    "find_amounts",
    "find_codes",
    "find_dates",
    "find_distances",
    "normalize_objection",
    "normalize_outcome",
    "normalize_role",
    "parse_amount",
    "resolve_date",
]
