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
    aftersales_appliance_line_id = fields.Many2one(
        "sale.order.line",
        string="Extends",
        domain="[('order_id', '=', order_id), ('id', '!=', id)]",
        copy=False,
        help="The appliance of this order whose warranty the extended warranty lengthens, at its delivery "
        "(leave empty when the order sells one appliance, or when serial numbers are chosen).",
    )
    aftersales_appliance_extension_ids = fields.One2many(
        "aftersales.warranty.extension",
        "appliance_line_id",
        string="Extensions Sold With",
        readonly=True,
    )

    @api.depends("product_id")
    def _compute_aftersales_is_extension(self):
        for line in self:
            line.aftersales_is_extension = line.product_id.aftersales_extension_months > 0

    def _aftersales_create_extensions(self):
        """Extend the warranties of the units of the extension lines (order confirmed).

        The units are the serial numbers chosen on the line (units the customer already owns),
        else the appliance sold on the same order: the extensions then wait for its delivery.
        """
        Extension = self.env["aftersales.warranty.extension"].sudo()
        Warranty = self.env["aftersales.warranty"].sudo()
        vals_list = []
        before = {}
        for line in self.filtered("aftersales_is_extension"):
            done = line.aftersales_extension_ids.filtered(lambda e: e.state != "cancelled")
            lots = line.aftersales_extended_lot_ids
            if not lots:
                appliance = line._aftersales_appliance_line()
                count = int(line.product_uom_qty) - len(done)
                vals_list += [line._aftersales_prepare_extension_vals(appliance_line=appliance) for _i in range(count)]
                continue
            if len(lots) != line.product_uom_qty:
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
            warranties = Warranty.search([("lot_id", "in", lots.ids)], order="end_date desc, id desc")
            for lot in lots - done.lot_id:
                lot_warranties = warranties.filtered(lambda w, lot=lot: w.lot_id == lot)
                running = lot_warranties.filtered(lambda w: w.state in ("draft", "active"))[:1]
                if lot_warranties and not running:
                    raise UserError(
                        _(
                            "The warranty of serial number %(serial)s is void or over: it cannot be extended.",
                            serial=lot.name,
                        )
                    )
                before.setdefault(running.id, running.end_date)
                vals_list.append(line._aftersales_prepare_extension_vals(lot=lot, warranty=running))
        # sold with the order: the sale decides what the extensions add
        with Extension._unguard():
            extensions = Extension.create(vals_list)
        extensions.filtered("warranty_id")._log_added(before)
        return extensions

    def _aftersales_appliance_line(self):
        """The line of the appliance this extension line is sold with: the one chosen on the line, else
        the only line of the order selling a product with a warranty policy."""
        self.ensure_one()
        appliance = self.aftersales_appliance_line_id
        if not appliance:
            candidates = self.order_id.order_line.filtered(
                lambda line: (
                    line.product_id.type == "consu"
                    and not line.aftersales_is_extension
                    and line.product_id.sudo()._aftersales_warranty_policy()
                )
            )
            if len(candidates) == 1:
                appliance = candidates
            else:
                raise UserError(
                    _(
                        "Say which unit %(product)s on %(order)s extends: choose the serial numbers of units the "
                        "customer owns, or the appliance line of the order it is sold with.",
                        product=self.product_id.display_name,
                        order=self.order_id.name,
                    )
                )
        sold_with = appliance.aftersales_appliance_extension_ids.filtered(lambda e: e.state != "cancelled")
        if appliance.product_uom_qty < self.product_uom_qty + len(sold_with - self.aftersales_extension_ids):
            raise UserError(
                _(
                    "%(qty)s extended warranties %(product)s for %(units)s units of %(appliance)s on %(order)s: "
                    "one extension per unit.",
                    qty=self.product_uom_qty,
                    product=self.product_id.display_name,
                    units=appliance.product_uom_qty,
                    appliance=appliance.product_id.display_name,
                    order=self.order_id.name,
                )
            )
        return appliance

    def _aftersales_prepare_extension_vals(self, lot=None, warranty=None, appliance_line=None):
        """Values of the extension this line sells for ``lot`` (its running ``warranty``, if any), or for
        the unit of ``appliance_line`` still to deliver (extension point)."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        return {
            "company_id": self.company_id.id,
            "lot_id": lot.id if lot else False,
            "appliance_line_id": appliance_line.id if appliance_line else False,
            "warranty_id": warranty.id if warranty else False,
            "sale_line_id": self.id,
            "months": template.aftersales_extension_months,
            "covers_parts": template.aftersales_extension_parts,
            "covers_labour": template.aftersales_extension_labour,
            "covers_travel": template.aftersales_extension_travel,
            "state": "active" if warranty else "pending",
        }

    def _aftersales_refund_extensions(self, quantity):
        """``quantity`` units of this extension line were refunded: cancel as many extensions."""
        self.ensure_one()
        running = self.aftersales_extension_ids.filtered(lambda e: e.state != "cancelled").sorted("id", reverse=True)
        running[: math.ceil(quantity)]._cancel()

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
