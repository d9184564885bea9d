"""Quotations before the work: the customer accepts the fees of a visit before it starts.

The fees the customer would pay are sent as an ordinary quotation (``sale.order``) with the
quotation e-mail of Odoo, and accepted (signed, paid) on Odoo's portal. The accepted order is
then the visit's service order: the fees billed when the visit is done go onto it.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

DISPATCHER_GROUP = "aftersales_service.aftersales_service_group_dispatcher"
QUOTATION_STATES = [
    ("sent", "Waiting for the Customer"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
]
# a quotation is sent before the work only
QUOTABLE_STATES = ("draft", "scheduled", "confirmed")
# the bookkeeping of the quotation: set by its actions only
QUOTATION_FIELDS = frozenset(
    {
        "quotation_id",
        "quotation_state",
        "quotation_name",
        "quotation_waived_reason",
        "installation_sale_line_id",
        "installation_sold_on",
    }
)


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    quotation_id = fields.Many2one(
        "sale.order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="sales_team.group_sale_salesman",
        help="The quotation of the fees sent to the customer before the work. Once accepted, it is the "
        "order the fees of the visit are billed on.",
    )
    quotation_state = fields.Selection(
        QUOTATION_STATES,
        compute="_compute_quotation_state",
        store=True,
        help="Where the customer is with the quotation of the fees: the visit starts once it is accepted.",
    )
    quotation_name = fields.Char(
        string="Quotation Reference", compute="_compute_quotation_state", store=True, help="The quotation's number."
    )
    quotation_waived_reason = fields.Char(
        string="Started Without Quotation",
        readonly=True,
        copy=False,
        help="Why a dispatcher let the visit start although its quotation was declined.",
    )
    installation_sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Installation Sold On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="sales_team.group_sale_salesman",
        help="The line of the customer's order that sold this installation: its fee is not billed again.",
    )
    installation_sold_on = fields.Char(
        string="Installation Fee Paid On",
        compute="_compute_installation_sold_on",
        store=True,
        help="The customer's order on which the installation fee was sold with the unit.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("quotation_id.state")
    def _compute_quotation_state(self):
        for visit in self:
            order = visit.quotation_id
            visit.quotation_name = order.name or False
            if not order:
                visit.quotation_state = False
            elif order.state == "sale":
                visit.quotation_state = "accepted"
            elif order.state == "cancel":
                visit.quotation_state = "declined"
            else:
                visit.quotation_state = "sent"

    @api.depends("installation_sale_line_id")
    def _compute_installation_sold_on(self):
        for visit in self:
            visit.installation_sold_on = visit.installation_sale_line_id.order_id.name or False

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        """The quotation and the installation sold are bookkeeping: set by their actions only."""
        return super()._guarded_fields() | QUOTATION_FIELDS

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        visits = super().create(vals_list)
        visits._link_sold_installation()
        return visits

    def write(self, vals):
        result = super().write(vals)
        if "visit_type_id" in vals:
            self._link_sold_installation()
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_send_quotation(self):
        """Send the customer a quotation of the fees they would pay, before the work.

        The agents send it for any visit they may change, a technician for their own visits. The
        order is created and sent with Odoo's quotation e-mail by the action itself, once these
        checks are passed: a technician has no rights on sale orders.
        """
        self.ensure_one()
        self._check_can_send_quotation()
        lines = self.line_ids._quotable()
        # the checks are passed: the order is written with the rights of the sales team
        order = self.env["sale.order"].sudo().create(self._prepare_quotation_vals())
        self.env["sale.order.line"].sudo().create([line.sudo()._prepare_sale_line_vals(order) for line in lines])
        with self._unguard("quotation_id", "quotation_waived_reason"):
            self.sudo().write({"quotation_id": order.id, "quotation_waived_reason": False})
        order._aftersales_send_quotation()
        self.message_post(
            body=_(
                "Quotation %(order)s of %(amount)s sent to %(customer)s.",
                order=order.name,
                amount=format_amount(self.env, order.amount_total, order.currency_id),
                customer=order.partner_id.display_name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_view_quotation(self):
        self.ensure_one()
        order = self.quotation_id
        order.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_start_without_quotation(self):
        """Let the visit start although the customer declined its quotation; a dispatcher's
        decision, with the reason given in the reason window."""
        return self.env["aftersales.audit.reason"]._action(self, "_waive_quotation", _("Start Without the Quotation"))

    def _waive_quotation(self, reason):
        """Let the visits start without their declined quotation, ``reason`` written in the audit log."""
        if not self.env.user.has_group(DISPATCHER_GROUP):
            raise AccessError(_("Only dispatchers let a visit start without its quotation."))
        self.check_access("write")
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the visit starts without the quotation."))
        wrong = self.filtered(lambda visit: visit.quotation_state != "declined")
        if wrong:
            raise UserError(
                _(
                    "Only a visit whose quotation was declined starts without it: %(visits)s.",
                    visits=", ".join(wrong.mapped("name")),
                )
            )
        with self._unguard("quotation_waived_reason"):
            self.write({"quotation_waived_reason": reason})
        self.env["aftersales.audit.log"]._audit(
            "quotation_waived", self, reason, old=_("Quotation declined"), new=_("Starts without the quotation")
        )
        for visit in self:
            visit.message_post(
                body=_(
                    "%(user)s lets the visit start without its declined quotation: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_cancel(self):
        """A visit whose quotation the customer accepted is not cancelled while its order stands:
        nobody is invoiced for work that is not done. A quotation still waiting goes with the visit."""
        accepted = self.filtered(lambda visit: visit.quotation_state == "accepted")
        if accepted:
            raise UserError(
                _(
                    "The customer accepted quotation %(orders)s for %(visits)s: cancel the order in Sales "
                    "first, so that nobody is invoiced for work that is not done.",
                    orders=", ".join(accepted.mapped("quotation_name")),
                    visits=", ".join(accepted.mapped("name")),
                )
            )
        waiting = self.filtered(lambda visit: visit.quotation_state == "sent")
        result = super().action_cancel()
        # sudo: the visit's cancellation is checked above; its offer can no longer be accepted
        waiting.sudo().quotation_id._action_cancel()
        return result

    def action_start(self):
        self._check_quotation_accepted()
        return super().action_start()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _check_can_send_quotation(self):
        """The user may change the visit (a technician: their own), the visit is not started, no
        quotation is pending or accepted, and the customer pays something."""
        self.ensure_one()
        self.check_access("write")
        if self.state not in QUOTABLE_STATES:
            raise UserError(
                _("A quotation is sent before the work: %(visit)s is already started or closed.", visit=self.name)
            )
        if self.quotation_state in ("sent", "accepted"):
            raise UserError(
                _(
                    "The quotation %(order)s of %(visit)s is already sent to the customer.",
                    order=self.quotation_name,
                    visit=self.name,
                )
            )
        if not self.ticket_id.partner_id:
            raise UserError(_("Set the customer of ticket %(ticket)s first.", ticket=self.ticket_id.reference))
        if not self.line_ids._quotable():
            raise UserError(
                _(
                    "The customer has nothing to pay for the fees of %(visit)s: there is no quotation to send.",
                    visit=self.name,
                )
            )

    def _check_quotation_accepted(self):
        waiting = self.filtered(lambda visit: visit.quotation_state == "sent")
        if waiting:
            raise UserError(
                _(
                    "The customer has not accepted the quotation of %(visits)s yet: the work starts once "
                    "it is signed on the portal.",
                    visits=", ".join(waiting.mapped("name")),
                )
            )
        declined = self.filtered(
            lambda visit: visit.quotation_state == "declined" and not visit.quotation_waived_reason
        )
        if declined:
            raise UserError(
                _(
                    "The customer declined the quotation of %(visits)s: send a new one, cancel the visit, or "
                    "ask a dispatcher to let it start without the quotation.",
                    visits=", ".join(declined.mapped("name")),
                )
            )

    def _prepare_quotation_vals(self):
        """Values of the quotation of the visit's fees, in the customer's pricelist; whether it is
        signed or paid online follows the company's quotation settings."""
        self.ensure_one()
        ticket = self.ticket_id.sudo()
        vals = ticket._prepare_fee_order_vals()
        vals["origin"] = f"{ticket.reference} {self.name}"
        if ticket.user_id:
            vals["user_id"] = ticket.user_id.id
        return vals

    def _billing_order(self):
        """The order the fees of this visit are billed on: its accepted quotation while lines can
        still be added to it, else the ticket's service order."""
        self.ensure_one()
        order = self.sudo().quotation_id
        if order.state == "sale" and not order.locked:
            return order
        return self.ticket_id.sudo()._fee_order()

    def _link_sold_installation(self):
        """Link each installation visit to the line of the customer's order that sold the installation
        fee with the unit (the fee product of the visit's type), as many visits as the line sold."""
        # sudo: the order that sold the unit is read whoever opens the visit (a delivery, a dispatcher)
        todo = self.sudo().filtered(
            lambda v: (
                v.visit_kind == "installation"
                and not v.installation_sale_line_id
                and v.visit_type_id.fee_product_id
                and v.ticket_id.sale_order_id
            )
        )
        for visit in todo:
            product = visit.visit_type_id.fee_product_id
            sold_lines = visit.ticket_id.sale_order_id.order_line.filtered(
                lambda line, product=product: line.product_id == product and line.state == "sale"
            )
            for line in sold_lines:
                used = self.sudo().search_count([("installation_sale_line_id", "=", line.id)])
                if used < line.product_uom_qty:
                    with self._unguard("installation_sale_line_id"):
                        visit.write({"installation_sale_line_id": line.id})
                    visit.message_post(
                        body=_(
                            "The installation fee was sold with the unit on %(order)s: it is not billed again.",
                            order=line.order_id.name,
                        ),
                        subtype_xmlid="mail.mt_note",
                    )
                    break
