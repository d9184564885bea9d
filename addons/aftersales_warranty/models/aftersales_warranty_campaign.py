# The campaign a customer's unit waits for, shown on the customer portal.
from odoo import api, fields, models


class AftersalesWarranty(models.Model):
    _inherit = "aftersales.warranty"  # pylint: disable=consider-merging-classes-inherited

    open_campaign_id = fields.Many2one(
        "aftersales.campaign",
        compute="_compute_open_campaign_id",
        compute_sudo=True,
        help="A running recall or service campaign still waiting for this unit, addressed to its owner.",
    )

    @api.depends("lot_id", "partner_id")
    def _compute_open_campaign_id(self):
        # sudo (compute_sudo): the customer sees the campaigns of their own units only, never the others'
        lines = self.env["aftersales.campaign.line"].search_fetch(
            [
                ("lot_id", "in", self.lot_id.ids),
                ("campaign_state", "=", "running"),
                ("state", "in", ("to_do", "notified", "unreachable")),
            ],
            ["lot_id", "campaign_id", "partner_id"],
            order="id desc",
        )
        for warranty in self:
            owner = warranty.partner_id.commercial_partner_id
            line = lines.filtered(
                lambda line, w=warranty, owner=owner: (
                    line.lot_id == w.lot_id and line.partner_id.commercial_partner_id == owner
                )
            )[:1]
            warranty.open_campaign_id = line.campaign_id
