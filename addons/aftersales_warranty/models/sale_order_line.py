from dateutil.relativedelta import relativedelta

from odoo import Command, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _aftersales_prepare_contract_vals(self):
        """Values of the service contract sold by this line (extension point).

        The order line pays the first term, so the contract invoices nothing until its renewal;
        it covers the serials already delivered on the order, more can be added by hand.
        """
        self.ensure_one()
        order = self.order_id
        template = self.product_id.product_tmpl_id
        start = fields.Date.context_today(self, order.date_order)
        months = template.aftersales_contract_months or 12
        end = start + relativedelta(months=months, days=-1)
        policy = template.aftersales_contract_sla_policy_id.filtered(lambda p: p.company_id == order.company_id)
        lots = order.picking_ids.filtered(lambda p: p.state == "done").move_line_ids.lot_id
        return {
            "partner_id": order.partner_id.id,
            "company_id": order.company_id.id,
            "sale_line_id": self.id,
            "product_id": self.product_id.id,
            "pricelist_id": order.pricelist_id.id,
            "currency_id": order.currency_id.id,
            "start_date": start,
            "term_months": months,
            "end_date": end,
            "visits_per_year": template.aftersales_contract_visits_per_year,
            "invoicing_period": template.aftersales_contract_invoicing or "yearly",
            "recurring_amount": 0.0,
            "renewal_amount": template.aftersales_contract_price,
            "sla_policy_id": policy.id,
            "lot_ids": [Command.set(lots.ids)],
            "site_partner_ids": [Command.set(order.partner_shipping_id.ids)],
            "next_invoice_date": end + relativedelta(days=1),
        }
