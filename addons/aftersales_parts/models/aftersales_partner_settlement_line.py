from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AftersalesPartnerSettlementLine(models.Model):
    _inherit = "aftersales.partner.settlement.line"

    line_type = fields.Selection(selection_add=[("part", "Part")], ondelete={"part": "cascade"})
    visit_part_id = fields.Many2one(
        "aftersales.visit.part", string="Part Supplied", index="btree_not_null", ondelete="restrict"
    )
    product_id = fields.Many2one(related="visit_part_id.product_id", string="Part")

    def init(self):
        result = super().init()
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS aftersales_partner_settlement_line_part_once
                ON aftersales_partner_settlement_line (visit_part_id)
             WHERE visit_part_id IS NOT NULL AND state != 'cancel'
            """
        )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        part_ids = [vals["visit_part_id"] for vals in vals_list if vals.get("visit_part_id")]
        if part_ids:
            settled = self.search([("visit_part_id", "in", part_ids), ("state", "!=", "cancel")])
            if settled or len(set(part_ids)) < len(part_ids):
                raise ValidationError(
                    _(
                        "A part supplied is settled only once: %(parts)s already are on %(settlements)s.",
                        parts=", ".join(settled.visit_part_id.product_id.mapped("display_name")) or _("a part"),
                        settlements=", ".join(settled.settlement_id.mapped("name")) or _("this settlement"),
                    )
                )
        return super().create(vals_list)

    @api.constrains("visit_part_id", "visit_id")
    def _check_visit_part(self):
        for line in self.filtered("visit_part_id"):
            if line.visit_part_id.visit_id != line.visit_id or not line.visit_part_id.partner_supplied:
                raise ValidationError(
                    _(
                        "Only the parts the partner supplied on %(visit)s are settled with it.",
                        visit=line.visit_id.name,
                    )
                )
