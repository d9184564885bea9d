from odoo import _, fields, models


class AftersalesVisitLine(models.Model):
    _inherit = "aftersales.visit.line"  # pylint: disable=consider-merging-classes-inherited

    coverage = fields.Selection(
        selection_add=[("repair_warranty", "Repair Warranty")], ondelete={"repair_warranty": "set null"}
    )
    coverage_override = fields.Selection(
        selection_add=[("repair_warranty", "Repair Warranty")], ondelete={"repair_warranty": "set null"}
    )

    def _coverage_sources(self, running=None):
        """A part replaced at the service centre is covered first by its own repair warranty, on the same
        unit, while it runs."""
        sources = super()._coverage_sources(running)
        ticket = self.visit_id.ticket_id
        if self.line_type != "part" or not self.product_id or not ticket.lot_id:
            return sources
        # sudo: the coverage of a fee is decided whoever records it
        part_warranty = (
            self.env["aftersales.part.warranty"]
            .sudo()
            .search(
                [
                    ("unit_lot_id", "=", ticket.lot_id.id),
                    ("product_id", "=", self.product_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                order="end_date desc, id desc",
                limit=1,
            )
        )
        return ([("repair_warranty", part_warranty)] if part_warranty else []) + sources

    def _coverage_label(self):
        if self.coverage == "repair_warranty":
            return _("Covered by the repair warranty on replaced parts")
        return super()._coverage_label()
