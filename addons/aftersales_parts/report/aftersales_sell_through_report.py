from odoo import _, fields, models, tools
from odoo.tools import SQL

from odoo.addons.aftersales_service.tools.xlsx_export import XlsxColumn, XlsxReport


class AftersalesSellThroughReport(models.Model):
    """What each dealer received of our products, sold and holds, per product and month: from the validated
    stock reports of the dealers, and from our stock moves for the dealers holding our products in
    consignment."""

    _name = "aftersales.sell.through.report"
    _description = "Dealer Sell-Through Analysis"
    _auto = False
    _order = "month desc, partner_id, product_id"
    _rec_name = "product_id"

    month = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Dealer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product Template", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    source = fields.Selection(
        [("report", "Stock Report"), ("consignment", "Consignment")],
        readonly=True,
        help="Stock Report: the dealer's validated monthly report. Consignment: our stock moves to, at and from "
        "the dealer's consignment location.",
    )
    opening_qty = fields.Float(string="Opening", digits="Product Unit of Measure", readonly=True)
    received_qty = fields.Float(string="Received", digits="Product Unit of Measure", readonly=True)
    sold_qty = fields.Float(string="Sold", digits="Product Unit of Measure", readonly=True)
    on_hand_qty = fields.Float(string="On Hand", digits="Product Unit of Measure", readonly=True)
    sell_through_rate = fields.Float(
        string="Sell-Through (%)",
        aggregator="avg",
        readonly=True,
        help="Sold over opening + received. For a group of rows, the sums of the group are divided.",
    )

    def _select_reports(self):
        return SQL(
            """
            SELECT report.company_id,
                   report.partner_id,
                   line.product_id,
                   report.month,
                   'report' AS source,
                   line.opening_qty,
                   line.received_qty,
                   line.sold_qty,
                   line.on_hand_qty
              FROM aftersales_dealer_stock_report_line line
              JOIN aftersales_dealer_stock_report report ON report.id = line.report_id
             WHERE report.state = 'validated'
            """
        )

    def _select_consignment(self):
        """Done moves across the border of each dealer's consignment location, counted in the product's unit
        and by the month of the company's time zone; on hand is the running total of the months."""
        return SQL(
            """
            SELECT moves.company_id,
                   moves.partner_id,
                   moves.product_id,
                   moves.month,
                   'consignment' AS source,
                   SUM(SUM(moves.received - moves.sold)) OVER w - SUM(moves.received - moves.sold) AS opening_qty,
                   SUM(moves.received) AS received_qty,
                   SUM(moves.sold) AS sold_qty,
                   SUM(SUM(moves.received - moves.sold)) OVER w AS on_hand_qty
              FROM (
                SELECT dealer.id AS partner_id,
                       sm.company_id,
                       sm.product_id,
                       date_trunc(
                           'month', (sm.date AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(company_partner.tz, 'UTC')
                       )::date AS month,
                       CASE WHEN starts_with(dest.parent_path, cl.parent_path) THEN 1 ELSE -1 END
                           * CASE WHEN COALESCE(src.usage, '') = 'customer' OR dest.usage = 'customer' THEN 0 ELSE 1 END
                           * sm.quantity / move_uom.factor * product_uom.factor AS received,
                       CASE WHEN starts_with(dest.parent_path, cl.parent_path) THEN -1 ELSE 1 END
                           * CASE WHEN src.usage = 'customer' OR dest.usage = 'customer' THEN 1 ELSE 0 END
                           * sm.quantity / move_uom.factor * product_uom.factor AS sold
                  FROM res_partner dealer
                  JOIN stock_location cl ON cl.id = dealer.aftersales_consignment_location_id
                  JOIN stock_move sm ON sm.state = 'done'
                  JOIN stock_location src ON src.id = sm.location_id
                  JOIN stock_location dest ON dest.id = sm.location_dest_id
                  JOIN res_company company ON company.id = sm.company_id
                  JOIN res_partner company_partner ON company_partner.id = company.partner_id
                  JOIN uom_uom move_uom ON move_uom.id = sm.product_uom
                  JOIN product_product move_product ON move_product.id = sm.product_id
                  JOIN product_template move_template ON move_template.id = move_product.product_tmpl_id
                  JOIN uom_uom product_uom ON product_uom.id = move_template.uom_id
                 WHERE dealer.aftersales_dealer
                   AND (starts_with(src.parent_path, cl.parent_path))
                       != (starts_with(dest.parent_path, cl.parent_path))
              ) moves
             GROUP BY moves.company_id, moves.partner_id, moves.product_id, moves.month
            WINDOW w AS (PARTITION BY moves.company_id, moves.partner_id, moves.product_id ORDER BY moves.month)
            """
        )

    def _query(self):
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY rows.month, rows.partner_id, rows.product_id, rows.source) AS id,
                   rows.company_id,
                   rows.partner_id,
                   rows.product_id,
                   pp.product_tmpl_id,
                   pt.categ_id,
                   rows.month,
                   rows.source,
                   rows.opening_qty,
                   rows.received_qty,
                   rows.sold_qty,
                   rows.on_hand_qty,
                   CASE WHEN rows.opening_qty + rows.received_qty > 0
                        THEN 100.0 * rows.sold_qty / (rows.opening_qty + rows.received_qty)
                        ELSE 0 END AS sell_through_rate
              FROM ((%s) UNION ALL (%s)) rows
              JOIN product_product pp ON pp.id = rows.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
            """,
            self._select_reports(),
            self._select_consignment(),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _read_group_select(self, aggregate_spec, query):
        # the rate of a group is that of its sums, not the average of its rows' rates
        if aggregate_spec.startswith("sell_through_rate:"):
            opening, received, sold = (
                self._field_to_sql(self._table, name, query) for name in ("opening_qty", "received_qty", "sold_qty")
            )
            return SQL(
                "CASE WHEN SUM(%s + %s) > 0 THEN 100.0 * SUM(%s) / SUM(%s + %s) ELSE 0 END",
                opening,
                received,
                sold,
                opening,
                received,
            )
        return super()._read_group_select(aggregate_spec, query)

    def action_export_xlsx(self):
        """The selected rows in an Excel sheet."""
        sources = dict(self._fields["source"]._description_selection(self.env))
        columns = [
            XlsxColumn(_("Month"), "date"),
            XlsxColumn(_("Dealer"), width=30),
            XlsxColumn(_("Product"), width=30),
            XlsxColumn(_("Source")),
            XlsxColumn(_("Opening"), "float", total=True),
            XlsxColumn(_("Received"), "float", total=True),
            XlsxColumn(_("Sold"), "float", total=True),
            XlsxColumn(_("On Hand"), "float", total=True),
            XlsxColumn(_("Sell-Through (%)"), "percent"),
        ]
        rows = (
            [
                row.month,
                row.partner_id.display_name,
                row.product_id.display_name,
                sources.get(row.source),
                row.opening_qty,
                row.received_qty,
                row.sold_qty,
                row.on_hand_qty,
                row.sell_through_rate,
            ]
            for row in self
        )
        with XlsxReport(self.env.user.tz or "UTC") as report:
            report.write_sheet(_("Sell-Through"), columns, rows, title=_("Dealer Sell-Through"), total_label=_("Total"))
            return report.download_action(self.env, "sell-through.xlsx")
