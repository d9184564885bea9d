from odoo import _, api, fields, models
from odoo.exceptions import UserError

# the stays that still hold the ticket's unit: a second reception waits for them to end
OPEN_STATES = ("draft", "received", "diagnosed", "waiting_approval", "in_repair", "ready")


class AftersalesCarryIn(models.Model):
    """The reception at the counter: the customer's unit enters the centre as the customer's stock,
    with a receipt the customer signs."""

    _inherit = "aftersales.carry.in"  # pylint: disable=consider-merging-classes-inherited

    lot_name = fields.Char(
        string="New Serial Number",
        copy=False,
        help="The serial number of a unit not yet known in the system: the reception records it.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        carry_ins = super().create(vals_list)
        carry_ins._check_ticket_free()
        return carry_ins

    def write(self, vals):
        if "lot_name" in vals:
            received = self.filtered(lambda ci: ci.state != "draft")
            if received:
                raise UserError(
                    _(
                        "%(carry_ins)s is received: its serial number is that of the reception.",
                        carry_ins=", ".join(received.mapped("name")),
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_receive(self):
        """Receive the units of ``self`` in the service centre, as their customers' stock."""
        self._check_counter_agent(_("Receiving a unit"))
        self._check_stage(("draft",), _("Receiving the unit"))
        for carry_in in self:
            carry_in._check_receivable()
        self._check_intake_done()
        for carry_in in self:
            lot = carry_in._reception_lot()
            picking = carry_in._create_reception_picking(lot)
            carry_in._set_stage(
                "received",
                lot_id=lot.id,
                lot_name=False,
                reception_picking_id=picking.id,
                received_date=fields.Datetime.now(),
                received_by_id=self.env.uid,
            )
            ticket = carry_in.ticket_id
            if lot and not ticket.lot_id and ticket.product_id == carry_in.product_id:
                # the serial number read at the counter is the one of the ticket's unit
                ticket.lot_id = lot
            carry_in._post_reception()
        self._after_receive()
        return True

    def action_sign_intake(self):
        return self._action_sign("intake")

    def action_sign_handover(self):
        return self._action_sign("handover")

    def action_print_receipt(self):
        self.check_access("read")
        self._check_stage(
            ("received", "diagnosed", "waiting_approval", "in_repair", "ready", "collected"), _("Printing the receipt")
        )
        return self.env.ref("aftersales_parts.action_report_carry_in_receipt").report_action(self)

    def _action_sign(self, phase):
        self.ensure_one()
        self.check_access("write")
        self._check_signable(phase)
        return {
            "type": "ir.actions.act_window",
            "name": _("Customer Signs"),
            "res_model": "aftersales.carry.in.sign",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_carry_in_id": self.id, "default_phase": phase},
        }

    # ------------------------------------------------------------------
    # Reception steps
    # ------------------------------------------------------------------

    def _check_ticket_free(self):
        """A ticket's unit is in the centre once at a time."""
        for carry_in in self:
            others = self.search(
                [("ticket_id", "=", carry_in.ticket_id.id), ("state", "in", OPEN_STATES), ("id", "!=", carry_in.id)],
                limit=1,
            )
            if others:
                raise UserError(
                    _(
                        "Ticket %(ticket)s already has a unit at the service centre (%(carry_in)s): hand it over "
                        "or cancel it before receiving another.",
                        ticket=carry_in.ticket_id.reference,
                        carry_in=others[0].name,
                    )
                )

    def _check_receivable(self):
        """Refuse a reception that stock could not record as the customer's unit."""
        self.ensure_one()
        product = self.product_id
        if not product:
            raise UserError(_("Set the unit of %(carry_in)s before receiving it.", carry_in=self.name))
        if not product.is_storable:
            raise UserError(
                _(
                    "%(product)s is not tracked in inventory: set it as tracked to keep the customer's unit "
                    "in the service centre.",
                    product=product.display_name,
                )
            )
        if product.tracking != "none":
            if not self.lot_id and not (self.lot_name or "").strip():
                raise UserError(
                    _(
                        "%(product)s is tracked by serial number: give the serial number of the unit (a new one "
                        "if it is not in the system yet) before receiving it.",
                        product=product.display_name,
                    )
                )
            if self.lot_id and self.lot_id.product_id != product:
                raise UserError(
                    _(
                        "Serial number %(serial)s is not one of %(product)s.",
                        serial=self.lot_id.name,
                        product=product.display_name,
                    )
                )
        if self.lot_id:
            inside = self.search(
                [("lot_id", "=", self.lot_id.id), ("state", "in", OPEN_STATES[1:]), ("id", "!=", self.id)], limit=1
            )
            if inside:
                raise UserError(
                    _(
                        "Unit %(serial)s is already in the service centre (%(carry_in)s).",
                        serial=self.lot_id.name,
                        carry_in=inside.name,
                    )
                )

    def _reception_lot(self):
        """The serial number of the unit: the one chosen, or the typed one, recorded on first sight."""
        self.ensure_one()
        if self.product_id.tracking == "none":
            return self.env["stock.lot"]
        if self.lot_id:
            return self.lot_id
        name = self.lot_name.strip()
        # sudo: agents record the serial number of a customer's unit, they have no inventory rights
        Lot = self.env["stock.lot"].sudo()
        domain = [("name", "=", name), ("product_id", "=", self.product_id.id)]
        lot = Lot.search(domain + [("company_id", "in", (self.company_id.id, False))], limit=1)
        return lot or Lot.create({"name": name, "product_id": self.product_id.id, "company_id": self.company_id.id})

    def _create_reception_picking(self, lot):
        """Receive the unit from the customer into the centre's carry-in location, owned by the customer."""
        self.ensure_one()
        if not self.warehouse_id.in_type_id:
            raise UserError(
                _("Service centre %(warehouse)s has no receipt operation.", warehouse=self.warehouse_id.name)
            )
        customers = self.env.ref("stock.stock_location_customers")
        # sudo: the counter agent receives the unit without inventory rights, the carry-in is checked above
        picking = self.sudo()._move_unit(self.warehouse_id.in_type_id, customers, self.location_id, lot)
        if not picking:
            raise UserError(_("The reception of %(carry_in)s could not be validated.", carry_in=self.name))
        return picking

    def _post_reception(self):
        self.ensure_one()
        values = {
            "carry_in": self.name,
            "product": self.product_id.display_name,
            "serial": self.lot_id.name or "-",
            "location": self.location_id.display_name,
        }
        self.message_post(
            body=_("Unit %(product)s (%(serial)s) received in %(location)s, as the customer's property.", **values)
        )
        self.ticket_id.message_post(
            body=_("Unit %(product)s (%(serial)s) received at the service centre: %(carry_in)s.", **values)
        )

    # ------------------------------------------------------------------
    # Signatures
    # ------------------------------------------------------------------

    def _check_signable(self, phase):
        self.ensure_one()
        self._check_counter_agent(_("Taking the customer's signature"))
        if phase == "intake":
            self._check_stage(("draft", "received"), _("Signing the intake"))
            if self.intake_signature:
                raise UserError(_("The customer already signed the intake of %(carry_in)s.", carry_in=self.name))
        elif phase == "handover":
            self._check_stage(("ready",), _("Signing the hand-over"))
            if self.handover_signature:
                raise UserError(_("The customer already signed the hand-over of %(carry_in)s.", carry_in=self.name))
        else:
            raise UserError(_("Unknown signature %(phase)s.", phase=phase))

    def _record_signature(self, phase, signature, name):
        """Record the customer's signature of the intake or of the hand-over of ``self``."""
        self.ensure_one()
        self.check_access("write")
        self._check_signable(phase)
        name = (name or "").strip()
        if not signature or not name:
            raise UserError(_("The customer signs and gives their name."))
        fields_map = {
            "intake": ("intake_signature", "intake_signed_by"),
            "handover": ("handover_signature", "handover_signed_by"),
        }
        signature_field, name_field = fields_map[phase]
        with self._unguard(signature_field, name_field):
            self.write({signature_field: signature, name_field: name})
        if phase == "intake":
            self.message_post(body=_("Intake signed by %(name)s.", name=name))
        else:
            self.message_post(body=_("Hand-over signed by %(name)s.", name=name))
        return True
