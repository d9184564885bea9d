import math

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    aftersales_is_extension = fields.Boolean(
        string="Is a Warranty Extension", compute="_compute_aftersales_is_extension"
    )
    aftersales_extended_lot_ids = fields.Many2many(
        "stock.lot",
        "sale_order_line_aftersales_extended_lot_rel",
        "sale_line_id",
        "lot_id",
        string="Extended Units",
        copy=False,
        help="The serial numbers whose warranty this extended warranty lengthens, one per unit sold.",
    )
    aftersales_extension_ids = fields.One2many(
        "aftersales.warranty.extension", "sale_line_id", string="Warranty Extensions", readonly=True
    )

    @api.depends("product_id")
    def _compute_aftersales_is_extension(self):
        for line in self:
            line.aftersales_is_extension = line.product_id.aftersales_extension_months > 0

    def _aftersales_create_extensions(self):
        """Extend the warranties of the units chosen on the extension lines (order confirmed)."""
        Extension = self.env["aftersales.warranty.extension"].sudo()
        Warranty = self.env["aftersales.warranty"].sudo()
        vals_list = []
        for line in self.filtered("aftersales_is_extension"):
            lots = line.aftersales_extended_lot_ids
            if not lots or len(lots) != line.product_uom_qty:
                raise UserError(
                    _(
                        "Choose one serial number per unit of %(product)s on %(order)s (%(count)s chosen for "
                        "a quantity of %(qty)s).",
                        product=line.product_id.display_name,
                        order=line.order_id.name,
                        count=len(lots),
                        qty=line.product_uom_qty,
                    )
                )
            done = line.aftersales_extension_ids.filtered(lambda e: e.state != "cancelled").lot_id
            warranties = Warranty.search([("lot_id", "in", lots.ids)], order="end_date desc, id desc")
            template = line.product_id.product_tmpl_id
            for lot in lots - done:
                lot_warranties = warranties.filtered(lambda w, lot=lot: w.lot_id == lot)
                running = lot_warranties.filtered(lambda w: w.state in ("draft", "active"))[:1]
                if lot_warranties and not running:
                    raise UserError(
                        _(
                            "The warranty of serial number %(serial)s is void or over: it cannot be extended.",
                            serial=lot.name,
                        )
                    )
                customer = line.order_id.partner_id.commercial_partner_id
                if running and running.commercial_partner_id != customer:
                    raise UserError(
                        _(
                            "Serial number %(serial)s is under warranty for another customer than %(customer)s: "
                            "its warranty cannot be extended on %(order)s.",
                            serial=lot.name,
                            customer=customer.display_name,
                            order=line.order_id.name,
                        )
                    )
                vals_list.append(
                    {
                        "company_id": line.company_id.id,
                        "lot_id": lot.id,
                        "warranty_id": running.id,
                        "sale_line_id": line.id,
                        "months": template.aftersales_extension_months,
                        "covers_parts": template.aftersales_extension_parts,
                        "covers_labour": template.aftersales_extension_labour,
                        "covers_travel": template.aftersales_extension_travel,
                        "state": "active" if running else "pending",
                    }
                )
        # sold with the order: the sale decides what the extensions add
        with Extension._unguard():
            return Extension.create(vals_list)

    def _aftersales_refund_extensions(self, quantity):
        """``quantity`` units of this extension line were refunded: cancel as many extensions."""
        self.ensure_one()
        running = self.aftersales_extension_ids.filtered(lambda e: e.state != "cancelled").sorted("id", reverse=True)
        running[: math.ceil(quantity)]._aftersales_cancel()

    def _aftersales_prepare_contract_vals(self):
        """Values of the service contract sold by this line (extension point).

        The order line pays the first term, so the contract invoices nothing until its renewal.
        Sold with units, it covers their serials: those delivered already, the others at delivery.
        Sold alone, it covers the delivery address.
        """
        self.ensure_one()
        order = self.order_id
        template = self.product_id.product_tmpl_id
        start = fields.Date.context_today(self, order.date_order)
        months = template.aftersales_contract_months or 12
        end = start + relativedelta(months=months, days=-1)
        policy = template.aftersales_contract_sla_policy_id.filtered(lambda p: p.company_id == order.company_id)
        lots = order._aftersales_contract_lots()
        # sold with units: the contract covers their serials (attached at delivery), not the whole address
        sites = order.partner_shipping_id if not order._aftersales_units_sold() else order.partner_shipping_id.browse()
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
            "site_partner_ids": [Command.set(sites.ids)],
            "next_invoice_date": end + relativedelta(days=1),
        }
