from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

EXTENSION_STATES = [
    ("pending", "Waiting for the Warranty"),
    ("active", "Active"),
    ("cancelled", "Cancelled"),
]
# what moves the end of a warranty: set by the sale that sells the extension, attached to the
# warranty and cancelled by the actions (delivery, refund, cancelled order)
GUARDED_FIELDS = frozenset(
    {"state", "warranty_id", "lot_id", "sale_line_id", "months", "covers_parts", "covers_labour", "covers_travel"}
)


class AftersalesWarrantyExtension(models.Model):
    _name = "aftersales.warranty.extension"
    _description = "Warranty Extension"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", required=True, index=True, check_company=True)
    warranty_id = fields.Many2one(
        "aftersales.warranty",
        index="btree_not_null",
        check_company=True,
        help="Empty while the unit has no warranty yet (not delivered): it is attached when the warranty is created.",
    )
    sale_line_id = fields.Many2one("sale.order.line", string="Sale Order Line", index=True, readonly=True)
    sale_order_id = fields.Many2one(related="sale_line_id.order_id", store=True, index="btree_not_null")
    product_id = fields.Many2one(related="sale_line_id.product_id", string="Extension Product")
    months = fields.Integer(required=True, help="Months added to the end of the warranty.")
    covers_parts = fields.Boolean(string="Parts", help="The extension adds parts to what the warranty covers.")
    covers_labour = fields.Boolean(string="Labour", help="The extension adds labour to what the warranty covers.")
    covers_travel = fields.Boolean(string="Travel", help="The extension adds travel to what the warranty covers.")
    state = fields.Selection(EXTENSION_STATES, required=True, default="pending", index=True, readonly=True)

    @api.depends("lot_id", "months")
    def _compute_display_name(self):
        for extension in self:
            extension.display_name = _(
                "%(serial)s: +%(months)s months", serial=extension.lot_id.name or "", months=extension.months
            )

    @api.constrains("warranty_id", "state", "months")
    def _check_warranty_runs(self):
        for extension in self:
            if extension.months <= 0:
                raise ValidationError(
                    _(
                        "The extension of serial number %(serial)s must add at least one month.",
                        serial=extension.lot_id.name,
                    )
                )
            if extension.state != "cancelled" and extension.warranty_id.state in ("void", "expired"):
                raise ValidationError(
                    _(
                        "Warranty %(warranty)s of serial number %(serial)s is %(state)s: it cannot be extended.",
                        warranty=extension.warranty_id.name,
                        serial=extension.lot_id.name,
                        state=dict(extension.warranty_id._fields["state"]._description_selection(self.env)).get(
                            extension.warranty_id.state
                        ),
                    )
                )
            if extension.warranty_id and extension.warranty_id.lot_id != extension.lot_id:
                raise ValidationError(
                    _(
                        "Warranty %(warranty)s is not the warranty of serial number %(serial)s.",
                        warranty=extension.warranty_id.name,
                        serial=extension.lot_id.name,
                    )
                )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | GUARDED_FIELDS

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sold(self):
        if any(extension.sale_line_id and extension.state != "cancelled" for extension in self):
            raise UserError(_("Cancel the sale order or refund its invoice to cancel a sold warranty extension."))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------

    @api.model
    def _aftersales_attach(self, warranties):
        """Attach the pending extensions of the serial numbers of ``warranties``, just registered.

        Called by ``aftersales.warranty.create``; any other code that gives a unit its
        warranty later can call it too.
        """
        warranties = warranties.filtered(lambda w: w.lot_id and w.state in ("draft", "active"))
        if not warranties:
            return self.browse()
        pending = self.search([("lot_id", "in", warranties.lot_id.ids), ("state", "=", "pending")])
        for warranty in warranties:
            attached = pending.filtered(lambda e, lot=warranty.lot_id: e.lot_id == lot)
            with attached._unguard("warranty_id", "state"):
                attached.write({"warranty_id": warranty.id, "state": "active"})
        return pending

    def _aftersales_cancel(self):
        """Cancel the extensions: their warranties end when they did without them."""
        running = self.filtered(lambda e: e.state != "cancelled")
        with running._unguard("state"):
            running.write({"state": "cancelled"})
