from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # the supplier's warranty agreement, per company: what a claim on it is worth
    aftersales_claim_labour_rate = fields.Float(
        string="Claim Labour Rate",
        company_dependent=True,
        digits="Product Price",
        help="What this supplier pays per hour worked on a repair claimed under its warranty.",
    )
    aftersales_claim_travel_fee = fields.Float(
        string="Claim Travel Fee",
        company_dependent=True,
        digits="Product Price",
        help="The flat amount this supplier pays for the travel of a repair claimed under its warranty.",
    )
    aftersales_claim_parts_at_cost = fields.Boolean(
        string="Claim Parts at Cost",
        company_dependent=True,
        help="This supplier pays back the parts fitted on a repair claimed under its warranty, at their cost.",
    )

    def _aftersales_lot_candidates(self):
        """The units registered by the partner's company (approved registrations of units bought
        elsewhere) or transferred to it also may be theirs."""
        lots = super()._aftersales_lot_candidates()
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", self.commercial_partner_id.id),
                    ("lot_id", "!=", False),
                    ("state", "!=", "void"),
                ]
            )
        )
        return lots | warranties.lot_id
