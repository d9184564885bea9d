from odoo import fields, models, tools
from odoo.tools import SQL


class AftersalesRmaReport(models.Model):
    _name = "aftersales.rma.report"
    _description = "Return Rate Analysis"
    _auto = False
    _order = "date desc, product_id"
    _rec_name = "product_id"

    date = fields.Date(string="Month", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    branch_id = fields.Many2one("aftersales.branch", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product Template", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    delivered_qty = fields.Float(
        string="Delivered", digits="Product Unit of Measure", readonly=True, help="Done deliveries to customers."
    )
    returned_qty = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        readonly=True,
        help="Done receipts from customers that return a delivery or a return authorization.",
    )
    refunded_amount = fields.Float(
        string="Refunded (untaxed)",
        readonly=True,
        help="Untaxed amount, in the company currency, of the posted credit notes of return authorizations.",
    )
    return_rate = fields.Float(
        string="Return Rate (%)",
        aggregator="avg",
        readonly=True,
        help="Returned over delivered quantity of the row. Averaged when rows are grouped: compare the "
        "Returned and Delivered sums for the rate of a whole group.",
    )

    def _select_moves(self):
        """Done moves to and from customers, counted by what was done in the product's unit.

        The done quantity is converted from the unit of the move to the unit of the product with
        the units' factors: the demand would overcount a move done short whose backorder was
        cancelled.
        """
        return SQL(
            """
            SELECT sm.company_id,
                   wh.aftersales_branch_id AS branch_id,
                   sm.product_id,
                   date_trunc('month', sm.date)::date AS date,
                   CASE WHEN dest.usage = 'customer' THEN sm.quantity / move_uom.factor * product_uom.factor
                        ELSE 0 END AS delivered_qty,
                   CASE WHEN src.usage = 'customer' THEN sm.quantity / move_uom.factor * product_uom.factor
                        ELSE 0 END AS returned_qty,
                   0.0 AS refunded_amount
              FROM stock_move sm
              JOIN stock_location src ON src.id = sm.location_id
              JOIN stock_location dest ON dest.id = sm.location_dest_id
              JOIN uom_uom move_uom ON move_uom.id = sm.product_uom
              JOIN product_product move_product ON move_product.id = sm.product_id
              JOIN product_template move_template ON move_template.id = move_product.product_tmpl_id
              JOIN uom_uom product_uom ON product_uom.id = move_template.uom_id
              LEFT JOIN stock_picking_type spt ON spt.id = sm.picking_type_id
              LEFT JOIN stock_warehouse wh ON wh.id = spt.warehouse_id
             WHERE sm.state = 'done'
               AND ((dest.usage = 'customer' AND src.usage != 'customer' AND sm.origin_returned_move_id IS NULL)
                    OR (src.usage = 'customer' AND dest.usage != 'customer'
                        AND (sm.origin_returned_move_id IS NOT NULL OR sm.aftersales_rma_line_id IS NOT NULL)))
            """
        )

    def _select_refunds(self):
        return SQL(
            """
            SELECT aml.company_id,
                   rma.branch_id,
                   aml.product_id,
                   date_trunc('month', aml.date)::date AS date,
                   0.0 AS delivered_qty,
                   0.0 AS returned_qty,
                   aml.balance AS refunded_amount
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN aftersales_rma rma ON rma.id = am.aftersales_rma_id
             WHERE am.aftersales_rma_id IS NOT NULL
               AND am.move_type = 'out_refund'
               AND am.state = 'posted'
               AND aml.display_type = 'product'
               AND aml.product_id IS NOT NULL
            """
        )

    def _query(self):
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY rows.date, rows.product_id, rows.company_id, rows.branch_id) AS id,
                   rows.company_id,
                   rows.branch_id,
                   rows.product_id,
                   pp.product_tmpl_id,
                   pt.categ_id,
                   rows.date,
                   SUM(rows.delivered_qty) AS delivered_qty,
                   SUM(rows.returned_qty) AS returned_qty,
                   SUM(rows.refunded_amount) AS refunded_amount,
                   CASE WHEN SUM(rows.delivered_qty) > 0
                        THEN 100.0 * SUM(rows.returned_qty) / SUM(rows.delivered_qty)
                        ELSE 0 END AS return_rate
              FROM (%s UNION ALL %s) rows
              JOIN product_product pp ON pp.id = rows.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             GROUP BY rows.company_id, rows.branch_id, rows.product_id, pp.product_tmpl_id, pt.categ_id, rows.date
            """,
            self._select_moves(),
            self._select_refunds(),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
