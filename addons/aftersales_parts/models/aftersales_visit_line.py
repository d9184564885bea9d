from odoo import fields, models


class AftersalesVisitLine(models.Model):
    _inherit = "aftersales.visit.line"

    line_type = fields.Selection(selection_add=[("part", "Part")], ondelete={"part": "cascade"})
    part_ids = fields.One2many("aftersales.visit.part", "visit_line_id", string="Parts Used", readonly=True)

    def _coverage_kind(self):
        if self.line_type == "part":
            return "parts"
        return super()._coverage_kind()
