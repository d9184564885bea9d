# A unit's history tells the campaigns it was part of: when its owner was told, on its ticket.
from odoo import api, fields, models
from odoo.tools import SQL


class AftersalesUnitEvent(models.Model):
    _inherit = "aftersales.unit.event"  # pylint: disable=consider-merging-classes-inherited
    _depends = {
        "aftersales.campaign": ["reference", "name", "company_id"],
        "aftersales.campaign.line": ["campaign_id", "lot_id", "ticket_id", "partner_id", "notified_date"],
    }

    kind = fields.Selection(
        selection_add=[("ticket_open",), ("campaign_notice", "Campaign Notice")],
        ondelete={"campaign_notice": "cascade"},
    )

    @api.model
    def _event_queries(self):
        queries = super()._event_queries()
        queries.append(
            (
                25,
                "campaign_notice",
                SQL(
                    """
                    SELECT l.id, COALESCE(l.notified_date, t.request_date), l.lot_id,
                           c.reference || ' - ' || c.name, %(ticket)s, t.id, l.partner_id, c.company_id
                      FROM aftersales_campaign_line l
                      JOIN aftersales_campaign c ON c.id = l.campaign_id
                      JOIN aftersales_ticket t ON t.id = l.ticket_id
                    """,
                    ticket="aftersales.ticket",
                ),
            )
        )
        return queries
