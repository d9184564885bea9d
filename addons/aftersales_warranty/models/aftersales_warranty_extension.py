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
    {
        "state",
        "warranty_id",
        "lot_id",
        "sale_line_id",
        "appliance_line_id",
        "months",
        "covers_parts",
        "covers_labour",
        "covers_travel",
    }
)


class AftersalesWarrantyExtension(models.Model):
    _name = "aftersales.warranty.extension"
    _description = "Warranty Extension"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        check_company=True,
        help="Empty while the unit sold on the same order is not delivered: its serial is known at the delivery.",
    )
    appliance_line_id = fields.Many2one(
        "sale.order.line",
        string="Sold With",
        index="btree_not_null",
        readonly=True,
        help="The line of the appliance sold on the same order: the extension goes to the warranty of the unit "
        "delivered for it.",
    )
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

    @api.depends("lot_id", "months", "appliance_line_id")
    def _compute_display_name(self):
        for extension in self:
            extension.display_name = _(
                "%(serial)s: +%(months)s months",
                serial=extension.lot_id.name or extension.appliance_line_id.product_id.display_name or "",
                months=extension.months,
            )

    @api.constrains("lot_id", "appliance_line_id", "sale_line_id")
    def _check_unit(self):
        """An extension goes to one unit of the buyer: a serial number the customer owns, or the
        appliance sold on the same order; the unit is of a product the extended warranty is sold for."""
        for extension in self:
            if not extension.lot_id and not extension.appliance_line_id:
                raise ValidationError(_("A warranty extension needs the serial number of the unit it extends."))
            line = extension.sale_line_id
            if not line:
                continue
            appliance = extension.appliance_line_id
            if appliance and appliance.order_id != line.order_id:
                raise ValidationError(
                    _(
                        "The extended warranty of %(order)s can only extend an appliance of the same order.",
                        order=line.order_id.name,
                    )
                )
            unit_product = extension.lot_id.product_id or appliance.product_id
            categories = line.product_id.product_tmpl_id.aftersales_extension_categ_ids
            category = unit_product.categ_id
            if categories and not any(category.parent_path.startswith(categ.parent_path) for categ in categories):
                raise ValidationError(
                    _(
                        "%(extension)s extends the warranty of %(categories)s only, not of %(product)s "
                        "(serial number %(serial)s).",
                        extension=line.product_id.display_name,
                        categories=", ".join(categories.mapped("display_name")),
                        product=unit_product.display_name,
                        serial=extension.lot_id.name or "-",
                    )
                )
            if extension.lot_id and not appliance:
                extension._check_unit_owner()

    def _check_unit_owner(self):
        """The serial number sold on its own is the buyer's: its running warranty is the order's customer's."""
        self.ensure_one()
        customer = self.sale_line_id.order_id.partner_id.commercial_partner_id
        warranty = self.warranty_id or self.env["aftersales.warranty"].sudo().search(
            [("lot_id", "=", self.lot_id.id), ("state", "in", ("draft", "active"))], limit=1
        )
        if warranty and warranty.commercial_partner_id != customer:
            raise ValidationError(
                _(
                    "Serial number %(serial)s is under warranty for another customer than %(customer)s: "
                    "its warranty cannot be extended on %(order)s.",
                    serial=self.lot_id.name,
                    customer=customer.display_name,
                    order=self.sale_line_id.order_id.name,
                )
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
    def _attach(self, warranties):
        """Attach the pending extensions of the units of ``warranties``, just registered.

        An extension waits for its unit either by serial number (sold for a unit not delivered
        yet) or by the appliance line of its order (sold with the appliance): the warranty of
        each unit delivered for that line takes one. The extended end is written in the audit
        log. Called by ``aftersales.warranty.create``; any other code that gives a unit its
        warranty later can call it too.
        """
        warranties = warranties.filtered(lambda w: w.lot_id and w.state in ("draft", "active"))
        if not warranties:
            return self.browse()
        pending = self.search(
            [
                ("state", "=", "pending"),
                "|",
                ("lot_id", "in", warranties.lot_id.ids),
                "&",
                ("lot_id", "=", False),
                ("appliance_line_id", "in", warranties.sale_line_id.ids),
            ],
            order="id",
        )
        if not pending:
            return pending
        before = {warranty.id: warranty.end_date for warranty in warranties}
        attached_all = self.browse()
        for warranty in warranties:
            attached = pending.filtered(lambda e, lot=warranty.lot_id: e.lot_id == lot)
            if not attached and warranty.sale_line_id:
                attached = pending.filtered(
                    lambda e, line=warranty.sale_line_id: not e.lot_id and e.appliance_line_id == line
                )[:1]
            pending -= attached
            with attached._unguard("warranty_id", "state", "lot_id"):
                # the unit sold with the extension is known now: its serial number
                attached.filtered(lambda e: not e.lot_id).write({"lot_id": warranty.lot_id.id})
                attached.write({"warranty_id": warranty.id, "state": "active"})
            attached_all |= attached
        attached_all._log_added(before)
        return attached_all

    def _log_added(self, before):
        """Write in the audit log the end of the warranties these extensions lengthen: ``before``
        maps warranty ids to their end before, the end set by hand by a manager included."""
        extended = self.warranty_id
        if not extended:
            return
        self.env["aftersales.audit.log"]._audit_many(
            [
                {
                    "action": "warranty_extension_added",
                    "record": warranty,
                    "reason": ", ".join(
                        self.filtered(lambda e, w=warranty: e.warranty_id == w).sale_order_id.mapped("name")
                    ),
                    "old": self._end_label(warranty, before.get(warranty.id)),
                    "new": self._end_label(warranty, warranty.end_date),
                    "require_reason": False,
                }
                for warranty in extended
            ]
        )

    @api.model
    def _end_label(self, warranty, end):
        if warranty.manual_end_date:
            return _("%(end)s (end set by hand: %(manual)s)", end=end or "", manual=warranty.manual_end_date)
        return str(end or "")

    def _cancel(self):
        """Cancel the extensions: their warranties end when they did without them."""
        running = self.filtered(lambda e: e.state != "cancelled")
        with running._unguard("state"):
            running.write({"state": "cancelled"})
