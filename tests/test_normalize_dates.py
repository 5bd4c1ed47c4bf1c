"""Dates and times of the rule layer: every contract rule, both directions, odd `now`s, fuzzing."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.normalize import Span, find_dates, resolve_date

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)  # Tuesday, the annotation guide's reference
END_OF_JANUARY = datetime(2026, 1, 31, 10, 0, tzinfo=PARIS)  # Saturday
SUNDAY = datetime(2026, 3, 15, 18, 0, tzinfo=PARIS)
NEW_YEARS_EVE = datetime(2025, 12, 31, 23, 30, tzinfo=PARIS)  # Wednesday
LEAP_DAY = datetime(2028, 2, 29, 12, 0, tzinfo=PARIS)
DST_SPRING = datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)  # clocks jump at 02:00
DST_AUTUMN = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS)  # the repeated hour

VALUE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$")


def pairs(text: str, intent: str | None, now: datetime = NOW) -> list[tuple[str, str]]:
    """Return (entity, value) of every date span."""
    return [(s.entity, str(s.value)) for s in find_dates(text, now, intent)]


# --------------------------------------------------------------------------- find_dates

CONTRACT_EXAMPLES = [
    (
        "vu Dupont SA hier, devis 12k€, relance jeudi",
        "log_visit",
        [("when", "2026-03-09"), ("followup", "2026-03-12")],
    ),
    ("demain 10h RDV chez Bricoman à Lyon", "plan_activity", [("when", "2026-03-11T10:00")]),
    ("j'ai quoi demain ?", "show_agenda", [("when", "2026-03-11")]),
    ("appelé Garnier, messagerie", "log_call", []),
]


@pytest.mark.parametrize(("text", "intent", "expected"), CONTRACT_EXAMPLES)
def test_contract_examples(text: str, intent: str, expected: list[tuple[str, str]]) -> None:
    """The contract's own examples give its values."""
    assert pairs(text, intent) == expected


def test_contract_example_offsets() -> None:
    """The contract example's offsets are the contract's offsets."""
    spans = find_dates("vu Dupont SA hier, devis 12k€, relance jeudi", NOW, "log_visit")
    assert [(s.start, s.end, s.text) for s in spans] == [(13, 17, "hier"), (39, 44, "jeudi")]


TODAY_WORDS = [
    "aujourd'hui",
    "aujourd’hui",
    "auj",
    "ce matin",
    "cet aprem",
    "cet aprèm",
    "cet après-midi",
    "cet apres midi",
    "ce soir",
    "ce midi",
    "tout à l'heure",
    "tt à l'heure",
]


@pytest.mark.parametrize("word", TODAY_WORDS)
@pytest.mark.parametrize("intent", ["log_visit", "log_call", "plan_activity", None])
def test_today_words_mean_today_without_time(word: str, intent: str | None) -> None:
    """The guide's "today" words give today's date, no time."""
    assert pairs(f"vu Dupont {word}", intent) == [("when", "2026-03-10")]


RELATIVE_DAYS = [
    ("hier", "log_visit", "2026-03-09"),
    ("Hier", "log_call", "2026-03-09"),
    ("avant-hier", "log_visit", "2026-03-08"),
    ("avant hier", "log_visit", "2026-03-08"),
    ("demain", "plan_activity", "2026-03-11"),
    ("après-demain", "plan_activity", "2026-03-12"),
    ("apres demain", "plan_activity", "2026-03-12"),
    ("apr dem", "plan_activity", "2026-03-12"),
    ("hier soir", "log_call", "2026-03-09"),
    ("hier midi", "log_visit", "2026-03-09"),
    ("demain matin", "plan_activity", "2026-03-11"),
    ("demain en fin de journée", "plan_activity", "2026-03-11"),
]


@pytest.mark.parametrize(("text", "intent", "value"), RELATIVE_DAYS)
def test_relative_days(text: str, intent: str, value: str) -> None:
    """hier / avant-hier / demain / après-demain move by one or two days."""
    spans = find_dates(text, NOW, intent)
    assert [(s.entity, s.value, s.text) for s in spans] == [("when", value, text)]


WEEKDAYS = [
    # word, report value (most recent strictly before), plan value (next strictly after)
    ("lundi", "2026-03-09", "2026-03-16"),
    ("mardi", "2026-03-03", "2026-03-17"),
    ("mercredi", "2026-03-04", "2026-03-11"),
    ("jeudi", "2026-03-05", "2026-03-12"),
    ("vendredi", "2026-03-06", "2026-03-13"),
    ("samedi", "2026-03-07", "2026-03-14"),
    ("dimanche", "2026-03-08", "2026-03-15"),
    ("Jeudi", "2026-03-05", "2026-03-12"),
]


@pytest.mark.parametrize(("word", "past", "future"), WEEKDAYS)
def test_bare_weekday_both_directions(word: str, past: str, future: str) -> None:
    """A bare weekday: past in reports, future in plans and follow-ups."""
    assert pairs(f"vu Dupont {word}", "log_visit") == [("when", past)]
    assert pairs(f"appelé Dupont {word}", "log_call") == [("when", past)]
    assert pairs(f"rdv Dupont {word}", "plan_activity") == [("when", future)]
    assert pairs(f"{word} ?", "show_agenda") == [("when", future)]
    assert pairs(f"vu Dupont hier, relance {word}", "log_visit") == [
        ("when", "2026-03-09"),
        ("followup", future),
    ]


WEEKDAY_FORMS = [
    ("jeu 14h chez Leroy", "plan_activity", "jeu 14h", "2026-03-12T14:00"),
    ("ven. 9h visite Martin", "plan_activity", "ven. 9h", "2026-03-13T09:00"),
    ("mar 17h30 appel", "plan_activity", "mar 17h30", "2026-03-17T17:30"),
    ("lun 16 rdv", "plan_activity", "lun 16", "2026-03-16"),
    ("jeudi prochain", "plan_activity", "jeudi prochain", "2026-03-12"),
    ("jeudi dernier", "plan_activity", "jeudi dernier", "2026-03-05"),
    ("vu Leroy lundi dernier", "log_visit", "lundi dernier", "2026-03-09"),
    (
        "jeudi de la semaine prochaine",
        "plan_activity",
        "jeudi de la semaine prochaine",
        "2026-03-19",
    ),
    ("jeudi en huit", "plan_activity", "jeudi en huit", "2026-03-19"),
    ("ce vendredi", "plan_activity", "ce vendredi", "2026-03-13"),
    ("jeudi matin", "plan_activity", "jeudi matin", "2026-03-12"),
    ("jeudi midi", "plan_activity", "jeudi midi", "2026-03-12"),
    ("jeudi à midi", "plan_activity", "jeudi à midi", "2026-03-12T12:00"),
]


@pytest.mark.parametrize(("text", "intent", "span", "value"), WEEKDAY_FORMS)
def test_weekday_forms(text: str, intent: str, span: str, value: str) -> None:
    """Abbreviations, prochain/dernier, "de la semaine prochaine", "en huit"."""
    spans = find_dates(text, NOW, intent)
    assert [(s.text, s.value) for s in spans] == [(span, value)]


@pytest.mark.parametrize("text", ["le jeu de la concurrence", "mer calme", "sam est là", "dim"])
def test_ambiguous_abbreviations_are_not_dates(text: str) -> None:
    """ "jeu", "mer", "sam" alone are words, not days."""
    assert find_dates(text, NOW, "log_visit") == []


SPANS_OF_TIME = [
    ("dans 15 jours", "2026-03-25"),
    ("dans quinze jours", "2026-03-25"),
    ("dans 8 jours", "2026-03-18"),
    ("dans huit jours", "2026-03-18"),
    ("dans 3 jours", "2026-03-13"),
    ("dans 15j", "2026-03-25"),
    ("dans une semaine", "2026-03-17"),
    ("dans 2 semaines", "2026-03-24"),
    ("dans deux semaines", "2026-03-24"),
    ("dans un mois", "2026-04-10"),
    ("dans 3 mois", "2026-06-10"),
    ("dans un an", "2027-03-10"),
    ("sous 8 jours", "2026-03-18"),
    ("sous huitaine", "2026-03-18"),
    ("dans une quinzaine", "2026-03-25"),
    ("d'ici une semaine", "2026-03-17"),
    ("d’ici 10 jours", "2026-03-20"),
]


@pytest.mark.parametrize(("text", "value"), SPANS_OF_TIME)
@pytest.mark.parametrize("intent", ["plan_activity", None])
def test_spans_of_time_forward(text: str, value: str, intent: str | None) -> None:
    """ "dans N jours/semaines/mois" add to today (a month is the same day next month)."""
    spans = find_dates(text, NOW, intent)
    assert [(s.entity, s.value, s.text) for s in spans] == [("when", value, text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("il y a 3 jours", "2026-03-07"),
        ("il y a une semaine", "2026-03-03"),
        ("y a 2 mois", "2026-01-10"),
    ],
)
def test_spans_of_time_backward(text: str, value: str) -> None:
    """ "il y a N jours" subtracts."""
    assert pairs(f"vu Dupont {text}", "log_visit") == [("when", value)]


WEEKS = [
    ("la semaine prochaine", "plan_activity", "2026-03-16"),
    ("semaine prochaine", "plan_activity", "2026-03-16"),
    ("la semaine pro", "plan_activity", "2026-03-16"),
    ("la semaine dernière", "log_visit", "2026-03-02"),
    ("la semaine passée", "log_visit", "2026-03-02"),
]


@pytest.mark.parametrize(("text", "intent", "value"), WEEKS)
def test_weeks(text: str, intent: str, value: str) -> None:
    """Next/last week is that week's Monday."""
    assert pairs(text, intent) == [("when", value)]


CALENDAR = [
    # text, report value (past, today included), plan value (future, today included)
    ("le 12 mars", "2025-03-12", "2026-03-12"),
    ("12 mars", "2025-03-12", "2026-03-12"),
    ("le 1er avril", "2025-04-01", "2026-04-01"),
    ("1er avril", "2025-04-01", "2026-04-01"),
    ("le 2 mars", "2026-03-02", "2027-03-02"),
    ("le 10 mars", "2026-03-10", "2026-03-10"),
    ("12 sept.", "2025-09-12", "2026-09-12"),
    ("3 févr", "2026-02-03", "2027-02-03"),
    ("le 12/03", "2025-03-12", "2026-03-12"),
    ("12/03", "2025-03-12", "2026-03-12"),
    ("12/3", "2025-03-12", "2026-03-12"),
    ("12-03", "2025-03-12", "2026-03-12"),
    ("le 5/3", "2026-03-05", "2027-03-05"),
    ("le 20", "2026-02-20", "2026-03-20"),
    ("le 5", "2026-03-05", "2026-04-05"),
    ("le 10", "2026-03-10", "2026-03-10"),
    ("le 31", "2026-01-31", "2026-03-31"),
    ("le 30", "2026-01-30", "2026-03-30"),
    ("jeudi 12", "2026-02-12", "2026-03-12"),
    ("lundi 16 mars", "2025-03-16", "2026-03-16"),
]


@pytest.mark.parametrize(("text", "past", "future"), CALENDAR)
def test_calendar_dates_both_directions(text: str, past: str, future: str) -> None:
    """A day without year is the nearest such day in the direction, today included."""
    assert pairs(f"vu Dupont {text}", "log_visit") == [("when", past)]
    assert pairs(f"rdv Dupont {text}", "plan_activity") == [("when", future)]
    assert resolve_date(text, NOW, "past") == past
    assert resolve_date(text, NOW, "future") == future


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12 mars 2026", "2026-03-12"),
        ("le 12 mars 2025", "2025-03-12"),
        ("12/03/2026", "2026-03-12"),
        ("12/3/26", "2026-03-12"),
        ("12-03-2027", "2027-03-12"),
        ("12.03.2026", "2026-03-12"),
        ("le 29/02/2028", "2028-02-29"),
    ],
)
@pytest.mark.parametrize("intent", ["log_visit", "plan_activity"])
def test_calendar_dates_with_year(text: str, value: str, intent: str) -> None:
    """A written year wins over the direction."""
    assert pairs(text, intent) == [("when", value)]


TIMES = [
    ("à 14h", "14h", "2026-03-10T14:00"),
    ("14h30", "14h30", "2026-03-10T14:30"),
    ("10h", "10h", "2026-03-10T10:00"),
    ("14:30", "14:30", "2026-03-10T14:30"),
    ("9h15", "9h15", "2026-03-10T09:15"),
    ("14 h 30", "14 h 30", "2026-03-10T14:30"),
    ("17 heures", "17 heures", "2026-03-10T17:00"),
    ("à midi", "midi", "2026-03-10T12:00"),
    ("8h du mat", "8h du mat", "2026-03-10T08:00"),
    ("8h du matin", "8h du matin", "2026-03-10T08:00"),
    ("8h du soir", "8h du soir", "2026-03-10T20:00"),
    ("2h de l'aprem", "2h de l'aprem", "2026-03-10T14:00"),
    ("vers 2h", "2h", "2026-03-10T14:00"),
    ("de 14h à 16h", "14h à 16h", "2026-03-10T14:00"),
    ("14h-16h", "14h-16h", "2026-03-10T14:00"),
]


@pytest.mark.parametrize(("text", "span", "value"), TIMES)
@pytest.mark.parametrize("intent", ["plan_activity", "log_visit"])
def test_time_alone_means_today(text: str, span: str, value: str, intent: str) -> None:
    """A time with no date is today at that time ("2h" alone is the afternoon)."""
    spans = find_dates(f"rdv Dupont {text}", NOW, intent)
    assert [(s.text, s.value) for s in spans] == [(span, value)]


DATE_AND_TIME = [
    ("jeudi 14h", "plan_activity", "2026-03-12T14:00"),
    ("jeudi à 14h", "plan_activity", "2026-03-12T14:00"),
    ("demain à 10h30", "plan_activity", "2026-03-11T10:30"),
    ("demain matin à 10h30", "plan_activity", "2026-03-11T10:30"),
    ("le 12/03 à 9h", "plan_activity", "2026-03-12T09:00"),
    ("le 12/03 vers 9h", "plan_activity", "2026-03-12T09:00"),
    ("lundi 16 mars à 10h", "plan_activity", "2026-03-16T10:00"),
    ("vendredi 13 à 15h30", "plan_activity", "2026-03-13T15:30"),
    ("14h demain", "plan_activity", "2026-03-11T14:00"),
    ("hier à 16h", "log_call", "2026-03-09T16:00"),
    ("jeudi dernier 11h", "log_visit", "2026-03-05T11:00"),
    ("jeudi de 14h à 16h", "plan_activity", "2026-03-12T14:00"),
]


@pytest.mark.parametrize(("text", "intent", "value"), DATE_AND_TIME)
def test_date_and_time_form_one_span(text: str, intent: str, value: str) -> None:
    """An adjacent date and time are one span with "THH:MM"."""
    spans = find_dates(f"Dupont {text} ok", NOW, intent)
    assert [(s.text, s.value) for s in spans] == [(text, value)]


FOLLOWUPS = [
    ("vu Dupont hier, relance jeudi", "log_visit", "2026-03-12"),
    ("vu Dupont hier, relancer jeudi", "log_visit", "2026-03-12"),
    ("vu Dupont hier, rel. jeudi", "log_visit", "2026-03-12"),
    ("vu Dupont hier, relance ven", "log_visit", "2026-03-13"),
    ("vu Dupont hier, rappeler lundi", "log_visit", "2026-03-16"),
    ("vu Dupont hier, rappel le 20", "log_visit", "2026-03-20"),
    ("vu Dupont hier, recontacter dans 15 jours", "log_visit", "2026-03-25"),
    ("vu Dupont hier, à revoir le 12", "log_visit", "2026-03-12"),
    ("vu Dupont hier, prochain rdv jeudi 14h", "log_visit", "2026-03-12T14:00"),
    ("vu Dupont hier, rdv pris pour le 20 à 9h15", "log_visit", "2026-03-20T09:15"),
    ("vu Dupont hier, rdv calé mardi prochain 10h", "log_visit", "2026-03-17T10:00"),
    ("vu Dupont hier, on se revoit le 24", "log_visit", "2026-03-24"),
    ("vu Dupont hier, point prévu lundi", "log_visit", "2026-03-16"),
    ("vu Dupont hier, devis à envoyer avant vendredi", "log_visit", "2026-03-13"),
    ("vu Dupont hier, il me rappelle lundi", "log_visit", "2026-03-16"),
    ("vu Dupont hier, je le rappelle lundi", "log_visit", "2026-03-16"),
    ("vu Dupont hier, il me recontacte vendredi", "log_visit", "2026-03-13"),
    ("vu Dupont hier, relance Martin et le DG jeudi", "log_visit", "2026-03-12"),
    ("vu Dupont hier. Relance, jeudi", "log_visit", "2026-03-12"),
    ("vu Dupont hier, rdv avec le maire le 19 mars", "log_visit", "2026-03-19"),
    ("vu Dupont hier, le PDG me reçoit le 17/03 à 11h", "log_visit", "2026-03-17T11:00"),
    ("vu Dupont hier, je repasse jeudi", "log_visit", "2026-03-12"),
    ("vu Dupont hier, messagerie, re-tenter vendredi", "log_visit", "2026-03-13"),
]


@pytest.mark.parametrize(("text", "intent", "value"), FOLLOWUPS)
def test_next_step_cues_make_followups(text: str, intent: str, value: str) -> None:
    """A date introduced by a next-step cue is a future `followup`."""
    assert pairs(text, intent) == [("when", "2026-03-09"), ("followup", value)]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("appelé Garnier, rdv jeudi", "log_call", [("followup", "2026-03-12")]),
        ("vu Dupont, rdv jeudi avec le DG", "log_visit", [("followup", "2026-03-12")]),
        ("rdv chez Dupont jeudi, très intéressé", "log_visit", [("when", "2026-03-05")]),
        ("rdv obtenu pour jeudi", "log_call", [("followup", "2026-03-12")]),
        ("à rappeler jeudi vers 16h", "log_call", [("followup", "2026-03-12T16:00")]),
        ("relancer dans 15 jours", "log_call", [("followup", "2026-03-25")]),
        ("vu Dupont, demain je lui envoie le devis", "log_visit", [("followup", "2026-03-11")]),
        ("j'ai relancé Dupont jeudi", "log_call", [("when", "2026-03-05")]),
        ("recontacté Dupont vendredi", "log_call", [("when", "2026-03-06")]),
        ("démo faite ce matin chez Dupont", "log_visit", [("when", "2026-03-10")]),
        ("Dupont visité ce matin : commande", "log_visit", [("when", "2026-03-10")]),
        ("relancé hier", "log_call", [("when", "2026-03-09")]),
        (
            "vu Dupont le 3, on se revoit le 24 à 14h",
            "log_visit",
            [("when", "2026-03-03"), ("followup", "2026-03-24T14:00")],
        ),
    ],
)
def test_when_or_followup_in_reports(
    text: str, intent: str, expected: list[tuple[str, str]]
) -> None:
    """Reports: the contact's date is `when`, the next step's is `followup`."""
    assert pairs(text, intent) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rappeler Dupont jeudi 14h", [("when", "2026-03-12T14:00")]),
        ("relance Martin lundi", [("when", "2026-03-16")]),
        (
            "RDV Dupont lundi 9h, rdv pris pour le 20",
            [("when", "2026-03-16T09:00"), ("followup", "2026-03-20")],
        ),
        ("visite Leroy mardi puis jeudi", [("when", "2026-03-17"), ("when", "2026-03-12")]),
    ],
)
def test_plan_first_date_is_when(text: str, expected: list[tuple[str, str]]) -> None:
    """In a plan the first date is the activity's, even after "rappeler"."""
    assert pairs(text, "plan_activity") == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("j'ai quoi lundi ?", "show_agenda", [("when", "2026-03-16")]),
        ("mes relances de jeudi", "show_agenda", [("when", "2026-03-12")]),
        ("prépare ma visite de jeudi chez Dupont", "start_checklist", [("when", "2026-03-12")]),
        ("mes stats de la semaine dernière", "ask_stats", [("when", "2026-03-02")]),
        ("mes stats de lundi", "ask_stats", [("when", "2026-03-09")]),
        ("jeudi", None, [("when", "2026-03-05")]),
        ("prévoir jeudi", None, [("when", "2026-03-12")]),
        ("jeudi prochain", None, [("when", "2026-03-12")]),
        ("relance jeudi", None, [("followup", "2026-03-12")]),
        ("quel temps demain ?", "out_of_scope", [("when", "2026-03-11")]),
        ("jeu de rôle sur « rappelez-moi dans six mois »", "start_drill", []),
    ],
)
def test_other_intents_and_no_intent(
    text: str, intent: str | None, expected: list[tuple[str, str]]
) -> None:
    """Agenda/checklist look ahead, stats look back; no intent looks back unless told."""
    assert pairs(text, intent) == expected


NOT_DATES = [
    "fait 2h de route",
    "pendant 2h",
    "rdv de 2h",
    "24h/24",
    "dans 48h",
    "tél 06 12 34 56 78",
    "06.12.34.56.78",
    "3 visites, 12k€, 45 km",
    "remise de 20 %",
    "le 20 %",
    "le 12 000 €",
    "le 3 visites",
    "devis 10-12k€",
    "prix 12.50",
    "31/02",
    "le 45",
    "25h",
    "matin",
    "1/2/3/4",
    "le mois prochain",
    "mes stats du mois dernier",
    "",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(text: str) -> None:
    """Durations, phone numbers, amounts, percentages and impossible dates are not dates."""
    assert find_dates(text, NOW, "log_visit") == []


# --------------------------------------------------------------------------- other `now`s


OTHER_NOWS = [
    (END_OF_JANUARY, "dans un mois", "future", "2026-02-28"),
    (END_OF_JANUARY, "demain", "future", "2026-02-01"),
    (END_OF_JANUARY, "le 31", "future", "2026-01-31"),
    (END_OF_JANUARY, "le 30", "future", "2026-03-30"),
    (END_OF_JANUARY, "le 30", "past", "2026-01-30"),
    (END_OF_JANUARY, "samedi", "future", "2026-02-07"),
    (END_OF_JANUARY, "samedi", "past", "2026-01-24"),
    (SUNDAY, "lundi", "future", "2026-03-16"),
    (SUNDAY, "lundi", "past", "2026-03-09"),
    (SUNDAY, "dimanche", "future", "2026-03-22"),
    (SUNDAY, "dimanche", "past", "2026-03-08"),
    (SUNDAY, "la semaine prochaine", "future", "2026-03-16"),
    (SUNDAY, "la semaine dernière", "past", "2026-03-02"),
    (NEW_YEARS_EVE, "demain", "future", "2026-01-01"),
    (NEW_YEARS_EVE, "le 2 janvier", "future", "2026-01-02"),
    (NEW_YEARS_EVE, "le 2 janvier", "past", "2025-01-02"),
    (NEW_YEARS_EVE, "12/03", "future", "2026-03-12"),
    (NEW_YEARS_EVE, "12/03", "past", "2025-03-12"),
    (NEW_YEARS_EVE, "le 5", "future", "2026-01-05"),
    (NEW_YEARS_EVE, "la semaine prochaine", "future", "2026-01-05"),
    (NEW_YEARS_EVE, "dans un mois", "future", "2026-01-31"),
    (NEW_YEARS_EVE, "à 23h45", "future", "2025-12-31T23:45"),
    (LEAP_DAY, "dans un an", "future", "2029-02-28"),
    (LEAP_DAY, "le 29/02", "past", "2028-02-29"),
    (LEAP_DAY, "le 29 février", "future", "2028-02-29"),
    (datetime(2027, 3, 1, tzinfo=PARIS), "le 29/02", "past", "2024-02-29"),
    (datetime(2027, 3, 1, tzinfo=PARIS), "le 29/02", "future", "2028-02-29"),
    (DST_SPRING, "demain", "future", "2026-03-30"),
    (DST_SPRING, "hier", "past", "2026-03-28"),
    (DST_SPRING, "dans 15 jours", "future", "2026-04-13"),
    (DST_SPRING, "à 2h30", "future", "2026-03-29T14:30"),
    (DST_AUTUMN, "demain", "future", "2026-10-26"),
    (DST_AUTUMN, "la semaine dernière", "past", "2026-10-12"),
]


@pytest.mark.parametrize(("now", "text", "direction", "value"), OTHER_NOWS)
def test_other_nows(now: datetime, text: str, direction: str, value: str) -> None:
    """Month ends, Sundays, year ends, leap days and DST switches resolve by calendar days."""
    assert resolve_date(text, now, direction) == value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 3, 10, 9, 0),  # naive
        datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 23, 59, tzinfo=ZoneInfo("America/Martinique")),
        datetime(2026, 3, 10, 0, 1, tzinfo=ZoneInfo("Pacific/Noumea")),
    ],
)
def test_today_is_the_day_of_now_in_its_own_zone(now: datetime) -> None:
    """`now`'s own calendar day is today, whatever its timezone (or none)."""
    assert resolve_date("demain", now, "future") == "2026-03-11"
    assert resolve_date("jeudi", now, "past") == "2026-03-05"


# --------------------------------------------------------------------------- resolve_date


RESOLVE = [
    ("jeudi", "past", "2026-03-05"),
    ("jeudi", "future", "2026-03-12"),
    ("relance jeudi", "future", "2026-03-12"),
    ("jeudi 14h", "past", "2026-03-05T14:00"),
    ("hier", "future", "2026-03-09"),
    ("demain", "past", "2026-03-11"),
    ("le 12 mars", "past", "2025-03-12"),
    ("le 12 mars", "future", "2026-03-12"),
    ("à 14h", "past", "2026-03-10T14:00"),
    ("dans 15 jours", "past", "2026-03-25"),
    ("sans date", "future", None),
    ("", "future", None),
]


@pytest.mark.parametrize(("text", "direction", "value"), RESOLVE)
def test_resolve_date(text: str, direction: str, value: str | None) -> None:
    """resolve_date reads the first date of a span text in the given direction."""
    assert resolve_date(text, NOW, direction) == value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("demain", "2026-03-11T09:00"),
        ("ce matin", "2026-03-10T09:00"),
        ("ce soir", "2026-03-10T18:00"),
        ("cet aprèm", "2026-03-10T14:00"),
        ("demain aprem", "2026-03-11T14:00"),
        ("jeudi soir", "2026-03-12T18:00"),
        ("ce midi", "2026-03-10T12:00"),
        ("jeudi 16h", "2026-03-12T16:00"),
    ],
)
def test_resolve_date_default_time(text: str, value: str) -> None:
    """default_time adds 09:00, or the part of the day's usual hour, when none is written."""
    assert resolve_date(text, NOW, "future", default_time=True) == value


def test_span_type() -> None:
    """Span is a frozen dataclass that converts to the contract's entity shape."""
    span = find_dates("relance jeudi", NOW, "log_call")[0]
    assert isinstance(span, Span)
    assert span.as_entity() == {"entity": "followup", "start": 8, "end": 13, "value": "2026-03-12"}
    with pytest.raises(AttributeError):
        span.value = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------- robustness

VOCAB = (
    "vu", "appelé", "chez", "Dupont", "hier", "avant-hier", "demain", "après-demain",
    "aujourd'hui", "ce", "matin", "cet", "aprèm", "soir", "midi", "à", "vers", "le", "la", "du",
    "au", "de", "dans", "il y a", "sous", "d'ici", "jours", "semaine", "mois", "prochaine",
    "prochain", "dernière", "dernier", "en huit", "lundi", "jeudi", "dimanche", "lun", "jeu",
    "ven.", "mars", "février", "1er", "12", "31", "29", "02", "2026", "26", "14h", "14h30",
    "9h15", "8h du mat", "14:30", "24h", "2h", "12/03", "12/03/2026", "31/02", "12-03",
    "12.03.2026", "relance", "relancé", "rel.", "rappeler", "rdv pris pour", "quinze", "une",
    "99999", "06 12 34 56 78", "\u00a0", "\u202f", "\u200b", "\u202e", "\u200f", "\x00",
    "\x1b", "😀", "İ", "ﬁ", "’", "-", "/", ":", ".", ",", "!", "\n",
)  # fmt: skip
french_messages = st.lists(
    st.one_of(st.sampled_from(VOCAB), st.text(max_size=3)), max_size=20
).map(" ".join)
any_text = st.one_of(st.text(max_size=200), french_messages)
intents = st.sampled_from(
    [None, "log_visit", "log_call", "plan_activity", "show_agenda", "ask_stats", "greet", ""]
)
nows = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(PARIS)
)


def check_value(value: object) -> None:
    """Assert a date value has the contract format and is a real date/time."""
    assert isinstance(value, str)
    assert VALUE_RE.match(value), value
    datetime.fromisoformat(value)


@settings(max_examples=300, deadline=None)
@given(text=any_text, intent=intents, now=nows)
def test_find_dates_never_raises_and_spans_are_exact(
    text: str, intent: str | None, now: datetime
) -> None:
    """Any text: no exception, contract values, offsets that slice back to the span text."""
    spans = find_dates(text, now, intent)
    last_end = 0
    for span in spans:
        assert span.entity in ("when", "followup")
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.start >= last_end  # ordered, no overlap
        last_end = span.end
        check_value(span.value)


@settings(max_examples=300, deadline=None)
@given(
    text=any_text,
    now=nows,
    direction=st.sampled_from(["past", "future"]),
    default_time=st.booleans(),
)
def test_resolve_date_never_raises(
    text: str, now: datetime, direction: str, default_time: bool
) -> None:
    """Any text: None or a contract value."""
    value = resolve_date(text, now, direction, default_time=default_time)  # type: ignore[arg-type]
    if value is not None:
        check_value(value)
        if default_time:
            assert "T" in value


@settings(max_examples=100, deadline=None)
@given(word=st.sampled_from(["lundi", "mercredi", "vendredi", "dimanche"]), now=nows)
def test_weekday_directions_are_strict(word: str, now: datetime) -> None:
    """A bare weekday is never today and always within the next/previous seven days."""
    today = now.date()
    future = date.fromisoformat(resolve_date(word, now, "future") or "")
    past = date.fromisoformat(resolve_date(word, now, "past") or "")
    assert today < future <= today + timedelta(days=7)
    assert today - timedelta(days=7) <= past < today
    assert future.weekday() == past.weekday()


def test_non_string_input_is_harmless() -> None:
    """Wrong types give nothing instead of raising."""
    assert find_dates(None, NOW, None) == []  # type: ignore[arg-type]
    assert resolve_date(b"demain", NOW, "future") is None  # type: ignore[arg-type]
    assert find_dates("demain", None, None) == []  # type: ignore[arg-type]
    assert resolve_date("demain", "2026-03-10", "future") is None  # type: ignore[arg-type]
    assert find_dates("relance jeudi", NOW, {"x"})[0].entity == "followup"  # type: ignore[arg-type]


def test_long_hostile_message_is_fast() -> None:
    """A 4,096-character message is handled in a few milliseconds."""
    sentence = "vu Dupont hier à 14h, devis 12k€, relance jeudi 10h, le 12/03 ou dans 15 jours. "
    noise = "\u200b\u202e😀\x00 " * 20
    text = ((sentence + noise) * 60)[:4096]
    find_dates(text, NOW, "log_visit")
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        find_dates(text, NOW, "log_visit")
        resolve_date(text, NOW, "future")
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.05  # generous: the budget is ~2 ms on an idle machine
