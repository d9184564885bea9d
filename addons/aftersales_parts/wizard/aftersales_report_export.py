from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.aftersales_service.tools.xlsx_export import XlsxColumn


class AftersalesReportExport(models.TransientModel):
    _inherit = "aftersales.report.export"

    report_kind = fields.Selection(selection_add=[("rmas", "Returns")], ondelete={"rmas": "set default"})

    def _rmas_domain(self):
        """The lines of the returns requested in the period."""
        return [
            ("rma_id.date", ">=", self.date_from),
            ("rma_id.date", "<=", self.date_to),
            *self._company_domain(),
        ]

    @api.model
    def _export_records(self, records):
        if records._name == "aftersales.rma":
            if not records:
                raise UserError(_("Select the records to export."))
            return self._write_report("rmas", [("rma_id", "in", records.ids)], "rmas.xlsx")
        return super()._export_records(records)

    def _export_rmas(self, report, domain):
        report.write_sheet(
            _("Returns"),
            [
                XlsxColumn(_("Return"), width=14),
                XlsxColumn(_("Request Date"), "date"),
                XlsxColumn(_("Customer"), width=28),
                XlsxColumn(_("Status"), width=12),
                XlsxColumn(_("Product"), width=26),
                XlsxColumn(_("Serial Number"), width=16),
                XlsxColumn(_("Reason"), width=18),
                XlsxColumn(_("Resolution"), width=14),
                XlsxColumn(_("Fault Code"), width=18),
                XlsxColumn(_("Quantity"), "float", total=True),
                XlsxColumn(_("Received"), "float", total=True),
                XlsxColumn(_("Refunded"), "float", total=True),
                XlsxColumn(_("Refunded Amount"), "monetary", total=True),
            ],
            self._rma_rows(domain),
            title=_("Returns"),
            total_label=_("Total"),
        )

    def _rma_rows(self, domain):
        states = self._selection_labels("aftersales.rma", "state")
        resolutions = self._selection_labels("aftersales.rma.line", "resolution")
        field_names = ["rma_id", "product_id", "lot_id", "reason_id", "resolution", "fault_code_id", "quantity"]
        field_names += ["qty_received", "qty_refunded"]
        for lines in self._iter_chunks("aftersales.rma.line", domain, field_names):
            lines.rma_id.fetch(["name", "date", "partner_id", "state"])
            for line in lines:
                rma = line.rma_id
                yield [
                    rma.name,
                    rma.date,
                    rma.partner_id.display_name,
                    states.get(rma.state),
                    line.product_id.display_name,
                    line.lot_id.name,
                    line.reason_id.name,
                    resolutions.get(line.resolution),
                    line.fault_code_id.display_name,
                    line.quantity,
                    line.qty_received,
                    line.qty_refunded,
                    line.amount_refunded,
                ]
