# The campaigns of a ticket's unit: the ticket a campaign opened, and the warning at intake.
from odoo import api, fields, models

# who reads the campaigns: the service staff and the accountants, never the customers
READERS = (
    "aftersales_service.aftersales_service_group_technician,aftersales_service.aftersales_service_group_accountant"
)


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    channel = fields.Selection(selection_add=[("campaign", "Campaign")], ondelete={"campaign": "set default"})
    campaign_id = fields.Many2one(
        "aftersales.campaign",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The recall or service campaign that opened this ticket.",
    )
    open_campaign_ids = fields.Many2many(
        "aftersales.campaign",
        string="Open Campaigns",
        compute="_compute_open_campaign_ids",
        help="The running campaigns that still wait for this unit.",
        groups=READERS,
    )
    campaign_notice = fields.Html(
        compute="_compute_open_campaign_ids",
        sanitize=False,
        groups=READERS,
    )

    @api.depends("lot_id")
    def _compute_open_campaign_ids(self):
        open_campaigns = self.lot_id._aftersales_open_campaigns()
        for ticket in self:
            campaigns = open_campaigns.get(ticket.lot_id.id, self.env["aftersales.campaign"])
            ticket.open_campaign_ids = campaigns
            ticket.campaign_notice = campaigns._notice_html()

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"campaign_id"}
