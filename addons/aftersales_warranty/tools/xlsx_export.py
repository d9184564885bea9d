"""The Excel writer lives in aftersales_service; this path stays for existing imports."""

from odoo.addons.aftersales_service.tools.xlsx_export import (  # noqa: F401
    XlsxColumn,
    XlsxReport,
    xlsx_download_action,
)
