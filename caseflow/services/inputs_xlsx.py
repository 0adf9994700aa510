"""Excel (.xlsx) templates and reading for input imports (openpyxl)."""
from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from caseflow.errors import N_, CaseflowError
from caseflow.services.input_kinds import DEFAULT_CATALOGUE, InputKind
from caseflow.services.inputs import ImportRejected

MAX_ROWS = 20000


def template(kind: InputKind) -> bytes:
    """An empty workbook for ``kind``: a data sheet with the column names and a guide sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append([f.name for f in kind.fields])
    guide = book.create_sheet("guide")
    guide.append(["column", "meaning", "required", "allowed values"])
    for f in kind.fields:
        allowed = ", ".join(f.choices) if f.choices else {
            "year": "2000–2100", "quarter": "1–4", "date": "YYYY-MM-DD", "unit": "unit code, e.g. ZH0001",
            "item": "risk-point code or name from the catalogue of the unit's kind (sheet catalogue)",
        }.get(f.type, "")
        guide.append([f.name, f.label, "yes" if f.required else "no", allowed])
    if kind.key == "control_checks":
        cat = book.create_sheet("catalogue")
        cat.append(["unit kind", "code", "risk point"])
        for unit_kind, items in DEFAULT_CATALOGUE.items():
            for code, name in items:
                cat.append([unit_kind, code, name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date | int) or value is None:
        return value
    return str(value)


def read_rows(kind: InputKind, data: bytes) -> list[dict[str, Any]]:
    """The data rows of an uploaded workbook as dicts keyed by column name; blank rows are skipped."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, ValueError, KeyError) as exc:
        raise ImportRejected([(0, "file", CaseflowError(N_("This is not a readable .xlsx file.")))]) from exc
    sheet = book["data"] if "data" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    names = {f.name for f in kind.fields}
    missing = [f.name for f in kind.fields if f.required and f.name not in header]
    if missing:
        raise ImportRejected([(1, name, CaseflowError(N_("The column %(column)s is missing."), column=name))
                              for name in missing])
    out = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        row = {h: _cell(v) for h, v in zip(header, values, strict=False) if h in names}
        row["__row__"] = number
        out.append(row)
        if len(out) > MAX_ROWS:
            raise ImportRejected([(0, "file", CaseflowError(N_("At most %(n)s rows per file."), n=MAX_ROWS))])
    book.close()
    return out
