"""Export of a rep's journal to CSV (French Excel) and XLSX, and of a team to one workbook."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Activity, Company, Contact
from journal import stats_texts as T

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

DATE_FORMAT = "DD/MM/YYYY"
TIME_FORMAT = "HH:MM"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
EURO_FORMAT = '#,##0.00" €"'
KM_FORMAT = "#,##0.0"
COLUMN_WIDTHS = (11, 7, 8, 8, 28, 16, 20, 12, 13, 13, 8, 20, 40, 50, 16)
MAX_SHEET_TITLE = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRow:
    """One activity of the journal, with codes kept raw (translated when written)."""

    day: date
    at_time: time | None
    kind: str
    status: str
    company: str | None
    city: str | None
    contact: str | None
    contact_role: str | None
    outcome: str | None
    amount: Decimal | None
    km: Decimal | None
    objections: str | None
    note: str | None
    raw_text: str | None
    created_at: datetime | None

    def cells(self) -> list[object]:
        """The row's values in column order, enumerations translated to French."""
        return [
            self.day,
            self.at_time,
            T.KIND_LABELS.get(self.kind, self.kind),
            T.STATUS_LABELS.get(self.status, self.status),
            self.company,
            self.city,
            self.contact,
            _label(T.ROLE_LABELS, self.contact_role),
            _label(T.OUTCOME_LABELS, self.outcome),
            self.amount,
            self.km,
            _objections(self.objections),
            self.note,
            self.raw_text,
            self.created_at,
        ]


def _label(table: Mapping[str, str], code: str | None) -> str | None:
    """Translate a code, keeping unknown codes as they are."""
    return None if code is None else table.get(code, code)


def _objections(raw: str | None) -> str | None:
    """Objection codes ("prix,concurrent") to French labels ("Prix, Concurrent en place")."""
    if not raw:
        return None
    codes = [c for c in re.split(r"[,;|]+", raw) if c.strip()]
    return ", ".join(T.OBJECTION_LABELS.get(c.strip(), c.strip()) for c in codes)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Naive UTC timestamp (as the database writes it) to naive local time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).replace(tzinfo=None)


def export_rows(
    session: Session,
    user_id: int,
    start: date | None = None,
    end: date | None = None,
    tz: str = "Europe/Paris",
    include_planned: bool = True,
) -> list[ExportRow]:
    """The rep's non-deleted activities between start and end (inclusive), oldest first.

    ``created_at`` is stored as naive UTC; it is given back in the rep's timezone ``tz``.
    """
    zone = ZoneInfo(tz)
    stmt = (
        select(
            Activity.day,
            Activity.at_time,
            Activity.kind,
            Activity.status,
            Company.name,
            Activity.city,
            Company.city,
            Contact.name,
            Contact.role_code,
            Activity.outcome,
            Activity.amount,
            Activity.distance_km,
            Activity.objections,
            Activity.note,
            Activity.raw_text,
            Activity.created_at,
        )
        .outerjoin(Company, Company.id == Activity.company_id)
        .outerjoin(Contact, Contact.id == Activity.contact_id)
        .where(Activity.user_id == user_id, Activity.deleted_at.is_(None))
        .order_by(Activity.day, Activity.at_time.is_(None), Activity.at_time, Activity.id)
    )
    if start is not None:
        stmt = stmt.where(Activity.day >= start)
    if end is not None:
        stmt = stmt.where(Activity.day <= end)
    if not include_planned:
        stmt = stmt.where(Activity.status == "done")
    rows = []
    for r in session.execute(stmt):
        rows.append(
            ExportRow(
                day=r[0],
                at_time=r[1],
                kind=r[2],
                status=r[3],
                company=r[4],
                city=r[5] or r[6],
                contact=r[7],
                contact_role=r[8],
                outcome=r[9],
                amount=None if r[10] is None else Decimal(str(r[10])).quantize(Decimal("0.01")),
                km=None if r[11] is None else Decimal(str(r[11])).quantize(Decimal("0.1")),
                objections=r[12],
                note=r[13],
                raw_text=r[14],
                created_at=_local(r[15], zone),
            )
        )
    return rows


# --- CSV ----------------------------------------------------------------------------------


def _csv_text(value: str) -> str:
    """Neutralise a text Excel would run as a formula (=, +, -, @) with a leading quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(value: object) -> str:
    """Format one cell as French Excel reads it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal | float | int):
        return str(value).replace(".", ",")
    return _csv_text(str(value))


def to_csv(rows: Iterable[ExportRow]) -> bytes:
    """CSV for French Excel: UTF-8 with BOM, ';' separator, dd/mm/yyyy, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(T.EXPORT_HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row.cells()])
    return buffer.getvalue().encode("utf-8-sig")


# --- XLSX ---------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NUMBER_FORMATS = {0: DATE_FORMAT, 1: TIME_FORMAT, 9: EURO_FORMAT, 10: KM_FORMAT}


def _xlsx_cell(
    sheet: WriteOnlyWorksheet, value: object, number_format: str | None = None
) -> object:
    """A value openpyxl stores safely: no control characters, "=…" kept as text, formatted."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, datetime):
        number_format = DATETIME_FORMAT
    if value is None or (number_format is None and not str(value).startswith("=")):
        return value
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"  # a note starting with "=" stays text, never a formula
    if number_format:
        cell.number_format = number_format
    return cell


def _write_header(
    sheet: WriteOnlyWorksheet, headers: Sequence[str], widths: Sequence[int], n_rows: int
) -> None:
    """Column widths, frozen bold header row and an auto-filter over n_rows data rows."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if n_rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n_rows + 1}"
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def _fill_journal(sheet: WriteOnlyWorksheet, rows: Sequence[ExportRow]) -> None:
    """Write the journal rows into a sheet, with French date and euro formats."""
    _write_header(sheet, T.EXPORT_HEADERS, COLUMN_WIDTHS, len(rows))
    for row in rows:
        sheet.append(
            [_xlsx_cell(sheet, v, _NUMBER_FORMATS.get(col)) for col, v in enumerate(row.cells())]
        )


def _save(workbook: Workbook) -> bytes:
    """Serialise a workbook."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def safe_sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet title (31 characters, no []:*?/\\)."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", name).split()).strip("'") or "Feuille"
    base = base[:MAX_SHEET_TITLE]
    used = {t.lower() for t in taken}
    title, number = base, 2
    while title.lower() in used:
        suffix = f" ({number})"
        title = base[: MAX_SHEET_TITLE - len(suffix)] + suffix
        number += 1
    return title


def to_xlsx(rows: Iterable[ExportRow], sheet_title: str = "Journal") -> bytes:
    """One-sheet workbook of the journal: bold header, dd/mm/yyyy dates, euro amounts."""
    workbook = Workbook(write_only=True)
    _fill_journal(workbook.create_sheet(safe_sheet_title(sheet_title)), list(rows))
    return _save(workbook)


@dataclass(frozen=True)
class Totals:
    """Done-activity totals of one rep's export rows (for the manager's totals sheet)."""

    calls: int = 0
    calls_reached: int = 0
    appointments: int = 0
    visits: int = 0
    quotes: int = 0
    orders: int = 0
    revenue: Decimal = Decimal("0.00")
    km: Decimal = Decimal("0.0")

    def cells(self) -> list[object]:
        """Values in the order of the totals sheet's columns (after the rep's name)."""
        return [
            self.calls,
            self.calls_reached,
            self.appointments,
            self.visits,
            self.quotes,
            self.orders,
            self.revenue,
            self.km,
        ]

    def __add__(self, other: Totals) -> Totals:
        """Sum two totals."""
        return Totals(*(a + b for a, b in zip(self.cells(), other.cells(), strict=True)))  # type: ignore[operator]


def totals(rows: Iterable[ExportRow]) -> Totals:
    """Totals of done activities, with the definitions of journal.stats."""
    calls = reached = rdv = visits = quotes = orders = 0
    revenue, km = Decimal("0.00"), Decimal("0.0")
    for row in rows:
        if row.status != "done":
            continue
        calls += row.kind == "call"
        reached += row.kind == "call" and row.outcome != "injoignable"
        rdv += row.kind in ("call", "visit") and row.outcome == "rdv"
        visits += row.kind == "visit"
        quotes += row.outcome == "devis"
        orders += row.outcome == "commande"
        if row.outcome == "commande" and row.amount is not None:
            revenue += row.amount
        km += row.km or 0
    return Totals(calls, reached, rdv, visits, quotes, orders, revenue, km)


def to_xlsx_multi(sheets: Mapping[str, Iterable[ExportRow]]) -> bytes:
    """Team workbook: a "Totaux" sheet first (one line per rep and a team line), then one
    journal sheet per rep, titled with the rep's name (made valid and unique)."""
    reps = [(name, list(rows)) for name, rows in sheets.items()]
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(T.TOTALS_SHEET)
    _write_header(summary, T.TOTALS_HEADERS, (24, 9, 14, 12, 9, 9, 11, 15, 10), len(reps) + 1)
    formats = {6: EURO_FORMAT, 7: KM_FORMAT}
    team = Totals()
    for name, rows in reps:
        rep = totals(rows)
        team = team + rep
        values = [_xlsx_cell(summary, v, formats.get(i)) for i, v in enumerate(rep.cells())]
        summary.append([_xlsx_cell(summary, name, "@"), *values])
    last = []
    for i, value in enumerate([T.TOTALS_ALL, *team.cells()]):
        cell = WriteOnlyCell(summary, float(value) if isinstance(value, Decimal) else value)
        cell.font = _HEADER_FONT
        if i - 1 in formats:
            cell.number_format = formats[i - 1]
        last.append(cell)
    summary.append(last)
    taken = [T.TOTALS_SHEET]
    for name, rows in reps:
        title = safe_sheet_title(name, taken)
        taken.append(title)
        _fill_journal(workbook.create_sheet(title), rows)
    return _save(workbook)
