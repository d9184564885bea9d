from odoo import api, models


class ReportTicket(models.AbstractModel):
    _name = "report.aftersales_service.report_ticket"
    _description = "Service Ticket Printout"

    @api.model
    def _get_report_values(self, docids, data=None):
        """Whoever may read the tickets prints them; the visits listed are those the user may read."""
        tickets = self.env["aftersales.ticket"].browse(docids)
        tickets.check_access("read")
        return {"doc_ids": tickets.ids, "doc_model": tickets._name, "docs": tickets}
