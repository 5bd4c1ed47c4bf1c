"""Amounts (euros) and distances (km) of the rule layer: every written form, non-amounts, fuzzing."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.normalize import find_amounts, find_distances, parse_amount

NBSP = "\u00a0"
NNBSP = "\u202f"

AMOUNTS = [
    ("12k€", 12000),
    ("12 k€", 12000),
    ("12K", 12000),
    ("12k", 12000),
    ("12 K euros", 12000),
    ("12keur", 12000),
    ("12000€", 12000),
    ("12000 €", 12000),
    ("12 000 €", 12000),
    (f"12{NBSP}000{NBSP}€", 12000),
    (f"12{NNBSP}000{NNBSP}€", 12000),
    ("1 200 000 €", 1200000),
    ("3.500€", 3500),
    ("3 500 euros", 3500),
    ("3500 euro", 3500),
    ("2500 eur", 2500),
    ("2500 EUR", 2500),
    ("1,5 M€", 1500000),
    ("1.5M€", 1500000),
    ("2M", 2000000),
    ("2 M€", 2000000),
    ("1 million", 1000000),
    ("3 millions d'euros", 3000000),
    ("1,2 million d’euros", 1200000),
    ("800 balles", 800),
    ("douze mille euros", 12000),
    ("deux cent cinquante euros", 250),
    ("cinq cents euros", 500),
    ("vingt et un euros", 21),
    ("quatre-vingt-dix euros", 90),
    ("un million d'euros", 1000000),
    ("cent balles", 100),
    ("12 mille euros", 12000),
    ("12,50 €", 12.5),
    ("0,5k€", 500),
    ("3.5k", 3500),
    ("2,5k€", 2500),
]


@pytest.mark.parametrize(("text", "value"), AMOUNTS)
def test_amount_forms(text: str, value: int | float) -> None:
    """Every written form gives its value in euros, and the span is the whole figure."""
    message = f"devis de {text} pour Dupont"
    spans = find_amounts(message)
    assert [(s.text, s.value) for s in spans] == [(text, value)]
    assert type(spans[0].value) is type(value)
    assert spans[0].entity == "amount"
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("devis 15k HT", "15k", 15000),
        ("devis 12k€ HT", "12k€", 12000),
        ("devis 12k€ TTC", "12k€", 12000),
        ("devis 12 000 € HT/mois", "12 000 €", 12000),
        ("devis 15 000 HT", "15 000 HT", 15000),
        ("devis 15000 TTC", "15000 TTC", 15000),
        ("commande de 12 mille", "12 mille", 12000),
        ("CA 2025 : 1,2M€", "1,2M€", 1200000),
        ("entre 10 et 15k€", "15k€", 15000),
        ("10-12k€", "12k€", 12000),
        ("500€/mois", "500€", 500),
        ("1.500 k€", "1.500 k€", 1500000),
    ],
)
def test_amount_markers(text: str, span: str, value: int) -> None:
    """HT/TTC count as a money marker; ranges keep the figure with the unit."""
    assert [(s.text, s.value) for s in find_amounts(text)] == [(span, value)]


def test_several_amounts_and_offsets() -> None:
    """Offsets slice back to each amount, in order."""
    text = "vu Dupont SA hier, devis 12k€, remise 800 balles, CA 1,5 M€"
    spans = find_amounts(text)
    assert [(s.start, s.end, s.value) for s in spans] == [
        (25, 29, 12000),
        (38, 48, 800),
        (53, 59, 1500000),
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


NOT_AMOUNTS = [
    "tél 06 12 34 56 78",
    "06.12.34.56.78",
    "rdv le 12/03",
    "rdv à 14h",
    "14h30",
    "fait 45 km",
    "fait 45km",
    "remise de 20 %",
    "20%",
    "3 visites",
    "12000",
    "12 000",
    "2026",
    "12 kg",
    "12m",
    "12 m2",
    "douze mille",
    "deux visites",
    "un rdv",
    "x2",
    "R2 jeudi",
    "",
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_amounts(text: str) -> None:
    """Phones, dates, times, km, percentages and bare numbers are not amounts."""
    assert find_amounts(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12000", 12000),
        ("12 000", 12000),
        ("1,5", 1.5),
        ("douze mille", 12000),
        ("  800 ", 800),
        ("le devis fait 12k€", 12000),
        ("abc", None),
        ("", None),
        ("12/03", None),
    ],
)
def test_parse_amount_is_lenient_with_bare_numbers(text: str, value: int | float | None) -> None:
    """parse_amount also reads a bare number (a reply to "quel montant ?")."""
    assert parse_amount(text) == value


DISTANCES = [
    ("45 km", 45),
    ("120km", 120),
    ("80 kms", 80),
    ("80 KM", 80),
    ("80 bornes", 80),
    ("12,5 km", 12.5),
    ("1 200 km", 1200),
    ("350 kilomètres", 350),
    ("quarante kilomètres", 40),
    ("cent bornes", 100),
]


@pytest.mark.parametrize(("text", "value"), DISTANCES)
def test_distance_forms(text: str, value: int | float) -> None:
    """Distances give km."""
    spans = find_distances(f"j'ai fait {text} aujourd'hui")
    assert [(s.entity, s.text, s.value) for s in spans] == [("distance", text, value)]


@pytest.mark.parametrize(
    "text", ["roule à 130 km/h", "3 kilos", "12k€", "45", "kilomètre", "le 12/03", ""]
)
def test_not_distances(text: str) -> None:
    """Speeds, weights, money and bare numbers are not distances."""
    assert find_distances(text) == []


def test_amounts_and_distances_do_not_mix() -> None:
    """One message with both keeps each in its entity."""
    text = "fait 80 bornes pour un devis de 3 500 € HT"
    assert [(s.text, s.value) for s in find_distances(text)] == [("80 bornes", 80)]
    assert [(s.text, s.value) for s in find_amounts(text)] == [("3 500 €", 3500)]


# --------------------------------------------------------------------------- robustness

VOCAB = (
    "12", "000", "3.500", "1,5", "0", "999999999999999999", "k", "K", "k€", "€", "M", "M€",
    "euros", "eur", "balles", "HT", "TTC", "mille", "million", "millions", "d'euros", "douze",
    "deux", "cent", "cinquante", "vingt", "et", "un", "zéro", "zero", "km", "bornes", "kms",
    "%", "/", ":", ".", ",", "-", "h", "devis", "\u00a0", "\u202f", "\u200b", "\u202e", "😀",
    "\x00", "İ", "’",
)  # fmt: skip
messages = st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=3)), max_size=20).flatmap(
    lambda words: st.sampled_from(["", " "]).map(lambda sep: sep.join(words))
)
any_text = st.one_of(st.text(max_size=200), messages)


def check_number(value: object) -> None:
    """Assert a value is a finite, non-negative int or non-integral float."""
    assert type(value) in (int, float)
    assert isinstance(value, int | float)
    assert value >= 0
    if isinstance(value, float):
        assert math.isfinite(value)
        assert not value.is_integer()


@settings(max_examples=400, deadline=None)
@given(text=any_text)
def test_amounts_never_raise_and_spans_are_exact(text: str) -> None:
    """Any text: no exception, numeric values, offsets that slice back, no overlaps."""
    last_end = 0
    for span in find_amounts(text):
        assert span.entity == "amount"
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.start >= last_end
        last_end = span.end
        check_number(span.value)
    value = parse_amount(text)
    if value is not None:
        check_number(value)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_distances_never_raise_and_spans_are_exact(text: str) -> None:
    """Any text: no exception, numeric km, offsets that slice back."""
    for span in find_distances(text):
        assert span.entity == "distance"
        assert text[span.start : span.end] == span.text
        check_number(span.value)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=1, max_value=999_999))
def test_plain_euro_amounts_round_trip(n: int) -> None:
    """Any integer written "N €", "N euros" or with thousands spaces reads back as N."""
    spaced = f"{n:,}".replace(",", " ")
    for text in (f"{n} €", f"{n}€", f"{n} euros", f"{spaced} €", f"{spaced}{NNBSP}€"):
        assert parse_amount(text) == n, text


def test_non_string_input_is_harmless() -> None:
    """Wrong types give nothing instead of raising."""
    assert find_amounts(None) == []  # type: ignore[arg-type]
    assert find_distances(12) == []  # type: ignore[arg-type]
    assert parse_amount(None) is None  # type: ignore[arg-type]


def test_long_hostile_message_is_fast() -> None:
    """A 4,096-character message full of numbers is handled in a few milliseconds."""
    text = ("devis 12k€ HT, 06 12 34 56 78, 3 500 €, 45 km, 12/03 14h 20 % " * 80)[:4096]
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        find_amounts(text)
        find_distances(text)
        parse_amount(text)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.05  # generous: the budget is ~2 ms per call on an idle machine
