# The campaigns a serial number is part of, and those still waiting for it.
from collections import defaultdict

from odoo import api, fields, models

OPEN_LINE_STATES = ("to_do", "notified", "unreachable")


class StockLot(models.Model):
    _inherit = "stock.lot"  # pylint: disable=consider-merging-classes-inherited

    aftersales_campaign_line_ids = fields.One2many(
        "aftersales.campaign.line",
        "lot_id",
        string="Campaigns",
        groups="aftersales_service.aftersales_service_group_technician",
    )
    aftersales_campaign_notice = fields.Html(
        string="Campaign Notice",
        compute="_compute_aftersales_campaign_notice",
        sanitize=False,
        groups="aftersales_service.aftersales_service_group_technician",
    )

    @api.depends("aftersales_campaign_line_ids.state")
    def _compute_aftersales_campaign_notice(self):
        open_campaigns = self._aftersales_open_campaigns()
        for lot in self:
            lot.aftersales_campaign_notice = open_campaigns.get(lot.id, self.env["aftersales.campaign"])._notice_html()

    def _aftersales_open_campaigns(self):
        """The running campaigns still waiting for each unit, by lot id, as the user may read them."""
        if not self.ids:
            return {}
        lines = self.env["aftersales.campaign.line"].search_fetch(
            [("lot_id", "in", self.ids), ("campaign_state", "=", "running"), ("state", "in", OPEN_LINE_STATES)],
            ["lot_id", "campaign_id"],
        )
        result = defaultdict(lambda: self.env["aftersales.campaign"])
        for line in lines:
            result[line.lot_id.id] |= line.campaign_id
        return result
