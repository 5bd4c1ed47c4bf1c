"""Journal export: rows, CSV for French Excel, XLSX and the manager's multi-sheet workbook."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from bot.services import Services
from db.models import Activity, Company, Contact, User
from journal import stats_texts as T
from journal.export import (
    ExportRow,
    export_rows,
    safe_sheet_title,
    to_csv,
    to_xlsx,
    to_xlsx_multi,
    totals,
)

HEADER = (
    "Date;Heure;Type;Statut;Entreprise;Ville;Contact;Fonction;Résultat;Montant (€);Km;"
    "Objections;Note;Message d'origine;Saisi le"
)


def _journal(session: Session) -> tuple[int, int]:
    """Two reps; the first has a visit, a call, a planned task and a deleted call."""
    rep = User(telegram_id=21, display_name="Julie Garnier", onboarded=True)
    other = User(telegram_id=22, display_name="Marc", onboarded=True)
    session.add_all([rep, other])
    session.flush()
    dupont = Company(owner_id=rep.id, name="Dupont SA", norm_name="dupont", city="Lyon")
    contact = Contact(company=dupont, name="Hélène Marchal", role_code="achats")
    session.add_all([dupont, contact])
    session.flush()
    session.add_all(
        [
            Activity(
                user_id=rep.id,
                kind="visit",
                status="done",
                day=date(2026, 3, 9),
                at_time=time(9, 30),
                outcome="devis",
                amount=Decimal("12500.50"),
                distance_km=Decimal("45.5"),
                objections="prix,concurrent",
                note="Budget; voté en septembre",
                raw_text="vu Hélène Marchal chez Dupont SA, devis 12,5k€",
                company_id=dupont.id,
                contact_id=contact.id,
                created_at=datetime(2026, 3, 9, 8, 45),  # UTC → 09:45 in Paris
            ),
            Activity(
                user_id=rep.id,
                kind="call",
                status="done",
                day=date(2026, 3, 9),
                at_time=time(8, 15),
                outcome="injoignable",
                city="Bron",
                note="=1+1",
                company_id=dupont.id,
            ),
            Activity(
                user_id=rep.id,
                kind="task",
                status="planned",
                day=date(2026, 3, 12),
                note="Relancer Dupont",
            ),
            Activity(
                user_id=rep.id,
                kind="call",
                status="done",
                day=date(2026, 3, 10),
                outcome="rdv",
                deleted_at=datetime(2026, 3, 10, 12, 0),
            ),
            Activity(
                user_id=other.id,
                kind="visit",
                status="done",
                day=date(2026, 3, 10),
                outcome="commande",
                amount=Decimal("7000"),
                distance_km=Decimal("10"),
            ),
        ]
    )
    session.flush()
    return rep.id, other.id


@pytest.fixture
def reps(services: Services) -> tuple[Services, int, int]:
    """Services with the export journal committed."""
    with services.session() as session:
        rep, other = _journal(session)
    return services, rep, other


def test_export_rows_order_filters_and_exclusions(reps: tuple[Services, int, int]) -> None:
    services, rep, _ = reps
    with services.session() as session:
        rows = export_rows(session, rep)
        week = export_rows(session, rep, date(2026, 3, 10), date(2026, 3, 15))
        done = export_rows(session, rep, include_planned=False)
    assert [(r.day, r.kind) for r in rows] == [
        (date(2026, 3, 9), "call"),  # 08:15 before 09:30
        (date(2026, 3, 9), "visit"),
        (date(2026, 3, 12), "task"),
    ]  # deleted call and other rep's visit excluded
    assert [r.kind for r in week] == ["task"]
    assert [r.kind for r in done] == ["call", "visit"]
    call, visit = rows[0], rows[1]
    assert call.city == "Bron"  # the activity's own city wins
    assert visit.city == "Lyon"  # else the company's
    assert visit.contact == "Hélène Marchal" and visit.contact_role == "achats"
    assert visit.amount == Decimal("12500.50") and visit.km == Decimal("45.5")
    assert visit.created_at == datetime(2026, 3, 9, 9, 45)


def test_csv_for_french_excel(reps: tuple[Services, int, int]) -> None:
    services, rep, _ = reps
    with services.session() as session:
        data = to_csv(export_rows(session, rep))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == HEADER
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert parsed[0] == list(T.EXPORT_HEADERS)
    call, visit, task = parsed[1], parsed[2], parsed[3]
    assert visit == [
        "09/03/2026",
        "09:30",
        "Visite",
        "Fait",
        "Dupont SA",
        "Lyon",
        "Hélène Marchal",
        "Achats",
        "Devis",
        "12500,50",
        "45,5",
        "Prix, Concurrent en place",
        "Budget; voté en septembre",  # quoted by the CSV writer, not split
        "vu Hélène Marchal chez Dupont SA, devis 12,5k€",
        "09/03/2026 09:45",
    ]
    assert call[2:4] == ["Appel", "Fait"] and call[8] == "Injoignable"
    assert call[12] == "'=1+1"  # never run as a formula by Excel
    assert task[:4] == ["12/03/2026", "", "Tâche", "Prévu"]
    assert len(parsed) == 4


def test_csv_of_nothing_has_the_header_only() -> None:
    assert to_csv([]).decode("utf-8-sig") == HEADER + "\r\n"


def test_xlsx_opens_back(reps: tuple[Services, int, int]) -> None:
    services, rep, _ = reps
    with services.session() as session:
        data = to_xlsx(export_rows(session, rep))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Journal"]
    sheet = book["Journal"]
    assert [c.value for c in sheet[1]] == list(T.EXPORT_HEADERS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width >= 20
    visit = sheet[3]
    assert visit[0].value == datetime(2026, 3, 9) and visit[0].number_format == "DD/MM/YYYY"
    assert visit[1].value == time(9, 30)
    assert [c.value for c in visit[2:9]] == [
        "Visite",
        "Fait",
        "Dupont SA",
        "Lyon",
        "Hélène Marchal",
        "Achats",
        "Devis",
    ]
    assert visit[9].value == pytest.approx(12500.5) and "€" in visit[9].number_format
    assert visit[10].value == pytest.approx(45.5)
    assert visit[14].value == datetime(2026, 3, 9, 9, 45)
    assert sheet[2][12].value == "=1+1" and sheet[2][12].data_type == "s"
    assert sheet.max_row == 4


def test_xlsx_multi_sheets_and_totals(reps: tuple[Services, int, int]) -> None:
    services, rep, other = reps
    with services.session() as session:
        sheets = {
            "Julie Garnier": export_rows(session, rep),
            "Marc": export_rows(session, other),
            "Marc ": export_rows(session, other),  # same name once cleaned: made unique
            "Équipe [Nord]/Sud": [],
        }
    book = load_workbook(io.BytesIO(to_xlsx_multi(sheets)))
    assert book.sheetnames == ["Totaux", "Julie Garnier", "Marc", "Marc (2)", "Équipe Nord Sud"]
    summary = book["Totaux"]
    assert [c.value for c in summary[1]] == list(T.TOTALS_HEADERS)
    assert [c.value for c in summary[2]] == ["Julie Garnier", 1, 0, 0, 1, 1, 0, 0, 45.5]
    assert [c.value for c in summary[3]] == ["Marc", 0, 0, 0, 1, 0, 1, 7000, 10]
    team = [c.value for c in summary[6]]
    assert team == ["Total équipe", 1, 0, 0, 3, 1, 2, 14000, 65.5]
    assert summary[6][0].font.bold
    assert book["Julie Garnier"].max_row == 4
    assert book["Julie Garnier"]["C2"].value == "Appel"


def test_sheet_titles_are_valid() -> None:
    long = "Jean-Christophe de la Fontaine-Beaumarchais"
    assert len(safe_sheet_title(long)) == 31
    assert safe_sheet_title("a:b?c") == "a b c"
    assert safe_sheet_title("Totaux", ["totaux"]) == "Totaux (2)"
    assert safe_sheet_title("") == "Feuille"


def test_totals_match_stats_definitions() -> None:
    def row(kind: str, outcome: str | None, status: str = "done", amount: str | None = None):  # type: ignore[no-untyped-def]
        return ExportRow(
            date(2026, 3, 9), None, kind, status, None, None, None, None, outcome,
            Decimal(amount) if amount else None, None, None, None, None, None,
        )  # fmt: skip

    rows = [
        row("call", None),
        row("call", "injoignable"),
        row("visit", "rdv"),
        row("visit", "commande", amount="100.50"),
        row("visit", "commande", status="planned", amount="999"),
    ]
    result = totals(rows)
    assert (result.calls, result.calls_reached, result.appointments, result.visits) == (2, 1, 1, 2)
    assert (result.orders, result.revenue) == (1, Decimal("100.50"))
