from odoo import _, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    aftersales_warranty_count = fields.Integer(
        string="Warranty Count",
        compute="_compute_aftersales_warranty_count",
        groups="aftersales_service.aftersales_service_group_user",
    )

    aftersales_contract_ids = fields.One2many(
        "aftersales.contract",
        "sale_order_id",
        string="Service Contracts",
        groups="aftersales_service.aftersales_service_group_user",
    )
    aftersales_contract_count = fields.Integer(
        string="Contract Count",
        compute="_compute_aftersales_contract_count",
        groups="aftersales_service.aftersales_service_group_user",
    )

    def _compute_aftersales_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_warranty_count = counts.get(order, 0)

    def action_view_aftersales_warranties(self):
        self.ensure_one()
        return self.env["aftersales.warranty"]._action_for(
            [("sale_order_id", "=", self.id)], _("Warranties of %(order)s", order=self.name)
        )

    def _action_confirm(self):
        result = super()._action_confirm()
        self.order_line._aftersales_create_extensions()
        self._aftersales_create_contracts()
        self.order_line._aftersales_renew_contracts()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.order_line.aftersales_extension_ids.sudo()._cancel()
        return result

    def _compute_aftersales_contract_count(self):
        counts = dict(
            self.env["aftersales.contract"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_contract_count = counts.get(order, 0)

    def action_view_aftersales_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_warranty.aftersales_contract_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        action["name"] = _("Contracts of %(order)s", order=self.name)
        return action

    def _aftersales_create_contracts(self):
        """Open a service contract per order line selling a contract product; lines that have one are skipped."""
        lines = self.order_line.filtered(
            lambda line: line.product_id.aftersales_contract_template and not line.sudo().aftersales_renewed_contract_id
        )
        if not lines:
            return self.env["aftersales.contract"]
        Contract = self.env["aftersales.contract"].sudo()
        existing = Contract.with_context(active_test=False).search([("sale_line_id", "in", lines.ids)])
        lines -= existing.sale_line_id
        if not lines:
            return self.env["aftersales.contract"]
        contracts = Contract.create([line._aftersales_prepare_contract_vals() for line in lines])
        contracts.action_start()
        for order in lines.order_id:
            created = contracts.filtered(lambda c, o=order: c.sale_line_id.order_id == o)
            order.message_post(
                body=_("Service contracts opened: %(contracts)s.", contracts=", ".join(created.mapped("name")))
            )
        return contracts

    def _aftersales_units_sold(self):
        """Whether this order sells units tracked by serial number (what a contract sold with them covers)."""
        self.ensure_one()
        return any(line.product_id.type == "consu" and line.product_id.tracking == "serial" for line in self.order_line)

    def _aftersales_contract_lots(self):
        """The serials delivered on this order and not returned: what its service contracts cover."""
        self.ensure_one()
        done = self.sudo().picking_ids.filtered(lambda p: p.state == "done")
        delivered = done.filtered(lambda p: p.picking_type_code == "outgoing").move_line_ids
        returned = done.filtered(lambda p: p.picking_type_code == "incoming").move_line_ids
        return (
            delivered.filtered(lambda ml: ml.quantity > 0).lot_id - returned.filtered(lambda ml: ml.quantity > 0).lot_id
        )
