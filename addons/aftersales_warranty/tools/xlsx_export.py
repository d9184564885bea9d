import base64
import io
from datetime import date

import xlsxwriter


def xlsx_download_action(env, sheet_name, file_name, headers, rows):
    """Write ``rows`` under ``headers`` in a one-sheet workbook and return the action downloading it."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for column, header in enumerate(headers):
        sheet.write(0, column, header, bold)
        sheet.set_column(column, column, max(12, len(header) + 2))
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, bool):
                sheet.write_boolean(row_index, column, value)
            elif isinstance(value, date):
                sheet.write_datetime(row_index, column, value, date_format)
            elif value is None:
                sheet.write_blank(row_index, column, None)
            else:
                sheet.write(row_index, column, value)
    sheet.freeze_panes(1, 0)
    workbook.close()
    attachment = env["ir.attachment"].create(
        {
            "name": file_name,
            "datas": base64.b64encode(buffer.getvalue()),
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    )
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "download",
    }
