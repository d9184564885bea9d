from odoo import fields, models
from odoo.tools import SQL

from ..models.aftersales_supplier_claim import CREDIT_STATES


class AftersalesSupplierSettlementReport(models.Model):
    _name = "aftersales.supplier.settlement.report"
    _description = "Manufacturer Settlement"
    _auto = False
    _order = "date desc, manufacturer_id"
    # what the view reads: flushed before it is searched
    _depends = {
        "aftersales.supplier.claim": [
            "date",
            "partner_id",
            "company_id",
            "ticket_id",
            "product_id",
            "manufacturer_job",
            "credit_state",
            "state",
            "amount_claimed",
            "amount_credited",
            "amount_due",
        ],
        "aftersales.ticket": [
            "request_date",
            "manufacturer_id",
            "job_origin",
            "company_id",
            "product_id",
        ],
    }

    date = fields.Date(readonly=True, help="The day of the claim, or the day the manufacturer's job came in.")
    manufacturer_id = fields.Many2one("res.partner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    ticket_id = fields.Many2one("aftersales.ticket", readonly=True)
    claim_id = fields.Many2one("aftersales.supplier.claim", string="Supplier Claim", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    manufacturer_job = fields.Boolean(readonly=True, help="A job dispatched by the manufacturer's call centre.")
    credit_state = fields.Selection(CREDIT_STATES, string="Credit Status", readonly=True)
    job_count = fields.Integer(string="Manufacturer Jobs", readonly=True)
    claim_count = fields.Integer(string="Claims", readonly=True)
    amount_claimed = fields.Monetary(readonly=True)
    amount_credited = fields.Monetary(readonly=True)
    amount_due = fields.Monetary(readonly=True)

    def _query(self):
        """One row per supplier claim (not cancelled) and one per job of a manufacturer's call centre."""
        return SQL(
            """
            SELECT claim.id * 2 AS id,
                   claim.date AS date,
                   claim.partner_id AS manufacturer_id,
                   claim.company_id AS company_id,
                   company.currency_id AS currency_id,
                   claim.ticket_id AS ticket_id,
                   claim.id AS claim_id,
                   claim.product_id AS product_id,
                   COALESCE(claim.manufacturer_job, FALSE) AS manufacturer_job,
                   claim.credit_state AS credit_state,
                   0 AS job_count,
                   1 AS claim_count,
                   COALESCE(claim.amount_claimed, 0) AS amount_claimed,
                   COALESCE(claim.amount_credited, 0) AS amount_credited,
                   COALESCE(claim.amount_due, 0) AS amount_due
              FROM aftersales_supplier_claim claim
              JOIN res_company company ON company.id = claim.company_id
             WHERE claim.state != 'cancelled'
            UNION ALL
            SELECT ticket.id * 2 + 1 AS id,
                   COALESCE(ticket.request_date, ticket.create_date)::date AS date,
                   ticket.manufacturer_id AS manufacturer_id,
                   ticket.company_id AS company_id,
                   company.currency_id AS currency_id,
                   ticket.id AS ticket_id,
                   NULL AS claim_id,
                   ticket.product_id AS product_id,
                   TRUE AS manufacturer_job,
                   NULL AS credit_state,
                   1 AS job_count,
                   0 AS claim_count,
                   0 AS amount_claimed,
                   0 AS amount_credited,
                   0 AS amount_due
              FROM aftersales_ticket ticket
              JOIN res_company company ON company.id = ticket.company_id
             WHERE ticket.job_origin = 'manufacturer'
               AND ticket.manufacturer_id IS NOT NULL
            """
        )

    @property
    def _table_query(self):
        return self._query()
