"""The one Excel writer of the after-sales addons (the warranty and parts addons import it).

Every export writes its sheets the same way::

    with XlsxReport(self.env.user.tz) as report:
        report.write_sheet(_("Tickets"), columns, rows, title=_("Service Tickets"), total_label=_("Total"))
        return report.download_action(self.env, "tickets.xlsx")

``columns`` are ``XlsxColumn``: a header and a kind (text, integer, float, monetary,
percent, date, datetime, boolean) that gives the number format and width; the
columns marked ``total`` get a totals row (a ``SUBTOTAL`` formula, its value cached
for readers that do not compute) when ``total_label`` is given. ``rows`` is any
iterable, a generator reading the records by chunks for instance: the workbook
is written with xlsxwriter's ``constant_memory`` mode, each row flushed to a
temporary file as soon as the next one starts, so the memory used does not grow
with the number of rows.
"""

import os
import tempfile
from datetime import date, datetime

import xlsxwriter
from pytz import timezone, utc

EXPORT_MODEL = "aftersales.report.export"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_MAX = 31
FORBIDDEN_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))

# kind: (number format, default width)
COLUMN_KINDS = {
    "text": (None, 20),
    "integer": ("#,##0", 10),
    "float": ("#,##0.00", 12),
    "monetary": ("#,##0.00", 14),
    "percent": ("0.0", 10),
    "date": ("yyyy-mm-dd", 12),
    "datetime": ("yyyy-mm-dd hh:mm", 17),
    "boolean": (None, 8),
}


class XlsxColumn:
    """A column of a sheet: its header, kind, width and whether it is totalled."""

    __slots__ = ("kind", "title", "total", "width")

    def __init__(self, title, kind="text", width=None, total=False):
        if kind not in COLUMN_KINDS:
            raise ValueError(f"Unknown column kind {kind!r}")
        self.title = title
        self.kind = kind
        self.width = width or max(COLUMN_KINDS[kind][1], min(len(title) + 2, 40))
        self.total = total


class XlsxReport:
    """A workbook written in constant memory to a temporary file.

    Use it as a context manager; ``write_sheet`` writes a whole sheet, ``read_bytes``
    gives the bytes of the closed workbook and ``download_action`` the action that
    downloads it.
    """

    def __init__(self, tz_name=None):
        handle, self.path = tempfile.mkstemp(prefix="aftersales-", suffix=".xlsx")
        os.close(handle)
        self.tz = timezone(tz_name) if tz_name else None
        self.workbook = xlsxwriter.Workbook(
            self.path,
            {"constant_memory": True, "remove_timezone": True, "strings_to_formulas": False},
        )
        self.header_format = self.workbook.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.title_format = self.workbook.add_format({"bold": True, "font_size": 13})
        self.formats = {
            kind: self.workbook.add_format({"num_format": num_format}) if num_format else None
            for kind, (num_format, _width) in COLUMN_KINDS.items()
        }
        self.total_formats = {
            kind: self.workbook.add_format({"bold": True, "top": 1, **({"num_format": fmt} if fmt else {})})
            for kind, (fmt, _width) in COLUMN_KINDS.items()
        }
        self.sheet = None
        self.columns = []
        self.row = 0
        self.first_data_row = 0
        self.totals = []
        self.sheet_names = set()
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------

    def write_sheet(self, name, columns, rows, title=None, total_label=None):
        """Write the sheet ``name``: the ``columns`` (``XlsxColumn``) headers, under an optional
        ``title`` line, then each row of ``rows`` (values in the order of the columns; None or
        False is an empty cell, except for booleans), then, when ``total_label`` is given, a
        totals row of the columns marked ``total``. ``total_label`` is a text, or a function
        giving it from the number of rows written. Returns that number."""
        self._add_sheet(name, columns, title=title)
        count = 0
        for row in rows:
            self._write_row(row)
            count += 1
        if total_label is not None:
            self._write_totals(total_label(count) if callable(total_label) else total_label)
        return count

    def _add_sheet(self, name, columns, title=None):
        """Start a sheet of ``columns`` (``XlsxColumn``), with an optional title line above the headers."""
        name = (name or "Sheet").translate(FORBIDDEN_SHEET_CHARS)[:SHEET_NAME_MAX]
        base, index = name, 2
        while name.lower() in self.sheet_names:
            suffix = f" ({index})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
            index += 1
        self.sheet_names.add(name.lower())
        self.sheet = self.workbook.add_worksheet(name)
        self.columns = list(columns)
        self.totals = [0.0 for _column in self.columns]
        self.row = 0
        for index, column in enumerate(self.columns):
            self.sheet.set_column(index, index, column.width)
        if title:
            self.sheet.write_string(self.row, 0, title, self.title_format)
            self.row += 2
        for index, column in enumerate(self.columns):
            self.sheet.write_string(self.row, index, column.title, self.header_format)
        self.sheet.freeze_panes(self.row + 1, 0)
        self.row += 1
        self.first_data_row = self.row

    def _write_row(self, values):
        """Append one row; ``values`` follow the columns (None or False: an empty cell, except booleans)."""
        sheet, row = self.sheet, self.row
        for index, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            self._write_cell(sheet, row, index, column, value)
            if column.total and isinstance(value, int | float) and not isinstance(value, bool):
                self.totals[index] += value
        self.row += 1

    def _write_totals(self, label):
        """A totals row under the data: a SUBTOTAL of each totalled column, its value cached."""
        sheet, row = self.sheet, self.row
        sheet.write_string(row, 0, label, self.total_formats["text"])
        for index, column in enumerate(self.columns):
            if not column.total or index == 0:
                continue
            value = self.totals[index]
            if row > self.first_data_row:
                cell_range = xlsxwriter.utility.xl_range(self.first_data_row, index, row - 1, index)
                sheet.write_formula(row, index, f"=SUBTOTAL(9,{cell_range})", self.total_formats[column.kind], value)
            else:
                sheet.write_number(row, index, 0, self.total_formats[column.kind])
        if row > self.first_data_row:
            sheet.autofilter(self.first_data_row - 1, 0, row - 1, len(self.columns) - 1)
        self.row += 1

    def _write_cell(self, sheet, row, index, column, value):
        kind, cell_format = column.kind, self.formats[column.kind]
        if kind == "boolean":
            sheet.write_boolean(row, index, bool(value))
        elif value is None or (value is False and kind != "boolean"):
            return  # constant memory mode: a skipped cell stays empty
        elif kind in ("date", "datetime"):
            if isinstance(value, datetime) and kind == "datetime" and self.tz:
                value = utc.localize(value).astimezone(self.tz).replace(tzinfo=None)
            elif isinstance(value, datetime) and kind == "date":
                value = value.date()
            if not isinstance(value, date):
                raise ValueError(f"Column {column.title!r} expects a date, got {value!r}")
            sheet.write_datetime(row, index, value, cell_format)
        elif kind in ("integer", "float", "monetary", "percent"):
            sheet.write_number(row, index, value, cell_format)
        else:
            sheet.write_string(row, index, str(value))

    # ------------------------------------------------------------------
    # Result
    # ------------------------------------------------------------------

    def read_bytes(self):
        """Close the workbook and return its bytes."""
        if not self.closed:
            self.workbook.close()
            self.closed = True
        with open(self.path, "rb") as workbook_file:
            return workbook_file.read()

    def cleanup(self):
        if not self.closed:
            self.workbook.close()
            self.closed = True
        if os.path.exists(self.path):
            os.unlink(self.path)

    def download_action(self, env, file_name):
        """Store the workbook as an attachment and return the action that downloads it."""
        # filed under the export wizard, whose daily clean-up removes the files once downloaded
        attachment = env["ir.attachment"].create(
            {"name": file_name, "raw": self.read_bytes(), "mimetype": XLSX_MIMETYPE, "res_model": EXPORT_MODEL}
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }
