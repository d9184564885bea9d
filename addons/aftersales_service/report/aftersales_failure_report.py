from odoo import fields, models
from odoo.tools import SQL, drop_view_if_exists


class AftersalesFailureReport(models.Model):
    """One row per failure: an active ticket diagnosed with a fault code.

    The batch of a unit is the manufacturing batch written on its serial number
    (``aftersales_batch``); a lot-tracked product's lot is its own batch.
    """

    _name = "aftersales.failure.report"
    _description = "Failure Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "ticket_id"
    _depends = {
        "aftersales.ticket": [
            "request_date",
            "company_id",
            "product_id",
            "lot_id",
            "fault_code_id",
            "ticket_type_id",
            "team_id",
            "commercial_partner_id",
            "is_closed",
            "closed_date",
            "active",
        ],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id", "tracking"],
        "stock.lot": ["name", "aftersales_batch"],
        "res.company": ["aftersales_refail_days"],
    }

    ticket_id = fields.Many2one("aftersales.ticket", readonly=True)
    date = fields.Datetime(string="Reported on", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product Template", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True)
    batch = fields.Char(readonly=True, help="The manufacturing batch of the serial number, or the lot itself.")
    fault_code_id = fields.Many2one("aftersales.fault.code", readonly=True)
    ticket_type_id = fields.Many2one("aftersales.ticket.type", string="Type", readonly=True)
    team_id = fields.Many2one("aftersales.team", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    is_closed = fields.Boolean(string="Closed", readonly=True)
    is_repeat = fields.Boolean(
        string="Failed Again",
        readonly=True,
        help="The serial number failed again within the company's repeat-failure window after a repair "
        "ticket of it was closed.",
    )

    def _query(self):
        return SQL(
            """
            SELECT t.id AS id,
                   t.id AS ticket_id,
                   t.request_date AS date,
                   t.company_id AS company_id,
                   t.product_id AS product_id,
                   pp.product_tmpl_id AS product_tmpl_id,
                   pt.categ_id AS categ_id,
                   t.lot_id AS lot_id,
                   %(batch)s AS batch,
                   t.fault_code_id AS fault_code_id,
                   t.ticket_type_id AS ticket_type_id,
                   t.team_id AS team_id,
                   t.commercial_partner_id AS partner_id,
                   COALESCE(t.is_closed, FALSE) AS is_closed,
                   (pt.tracking = 'serial' AND EXISTS (
                        SELECT 1
                          FROM aftersales_ticket prev
                         WHERE prev.lot_id = t.lot_id
                           AND prev.id != t.id
                           AND prev.active
                           AND prev.fault_code_id IS NOT NULL
                           AND prev.is_closed
                           AND prev.closed_date <= t.request_date
                           AND prev.closed_date >= t.request_date
                               - make_interval(days => COALESCE(company.aftersales_refail_days, 0))
                   )) AS is_repeat
              FROM aftersales_ticket t
              JOIN res_company company ON company.id = t.company_id
              LEFT JOIN product_product pp ON pp.id = t.product_id
              LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN stock_lot lot ON lot.id = t.lot_id
             WHERE t.active AND t.fault_code_id IS NOT NULL
            """,
            batch=self._batch_sql("lot", "pt"),
        )

    def _batch_sql(self, lot_alias, template_alias):
        """The batch of a unit: the batch written on its serial, or a lot-tracked product's lot."""
        return SQL(
            "COALESCE(NULLIF(%(lot)s.aftersales_batch, ''), CASE WHEN %(tmpl)s.tracking = 'lot' THEN %(lot)s.name END)",
            lot=SQL.identifier(lot_alias),
            tmpl=SQL.identifier(template_alias),
        )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
