from odoo import api, models


class ReportVisitSlip(models.AbstractModel):
    _name = "report.aftersales_service.report_visit_slip"
    _description = "Dispatch Slip of a Visit"

    @api.model
    def _get_report_values(self, docids, data=None):
        """Whoever may read the visits prints their slips; a technician, only their own visits."""
        visits = self.env["aftersales.visit"].browse(docids)
        visits.check_access("read")
        return {"doc_ids": visits.ids, "doc_model": visits._name, "docs": visits}
