from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

AGENT_GROUP = "aftersales_service.aftersales_service_group_user"
# the stay of a customer's unit at the service centre, from the counter to the pick-up
CARRY_IN_STATES = [
    ("draft", "At the Counter"),
    ("received", "Received"),
    ("diagnosed", "Diagnosed"),
    ("waiting_approval", "Waiting Approval"),
    ("in_repair", "In Repair"),
    ("ready", "Ready"),
    ("collected", "Collected"),
    ("cancel", "Cancelled"),
]
# the unit is in the building: received and not yet handed over
IN_CENTRE_STATES = ("received", "diagnosed", "waiting_approval", "in_repair", "ready")
# what the flow records: changed by its actions only
GUARDED_FIELDS = frozenset(
    {
        "state",
        "received_date",
        "received_by_id",
        "diagnosed_date",
        "approved_date",
        "ready_date",
        "collected_date",
        "collected_by_id",
        "location_id",
        "reception_picking_id",
        "delivery_picking_id",
        "visit_id",
        "repair_id",
        "refused",
        "refuse_reason",
        "not_collected",
        "intake_signature",
        "intake_signed_by",
        "handover_signature",
        "handover_signed_by",
    }
)

# changed by the counter agents only
COUNTER_FIELDS = frozenset({"user_id", "active"})


class AftersalesCarryIn(models.Model):
    _name = "aftersales.carry.in"
    _description = "Carry-in Repair"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "received_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    ticket_id = fields.Many2one(
        "aftersales.ticket", required=True, index=True, check_company=True, tracking=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True, precompute=True)
    branch_id = fields.Many2one(related="ticket_id.branch_id", store=True, index="btree_not_null", precompute=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_from_ticket",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        help="The owner of the unit: the customer who leaves it at the counter and collects it.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Unit",
        compute="_compute_from_ticket",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        check_company=True,
        domain="[('type', '=', 'consu')]",
        tracking=True,
    )
    product_categ_id = fields.Many2one(related="product_id.categ_id", string="Product Category")
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        compute="_compute_from_ticket",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        index="btree_not_null",
        domain="[('product_id', '=', product_id)]",
        tracking=True,
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Service Centre",
        compute="_compute_warehouse_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        check_company=True,
        help="The warehouse of the service centre that keeps the unit: by default the one of the ticket's branch.",
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Kept In",
        compute="_compute_location_id",
        store=True,
        precompute=True,
        check_company=True,
        help="Where the customer's unit waits at the service centre: outside the warehouse's stock, owned by "
        "the customer, so never counted, valued, reserved or sold as ours.",
    )
    state = fields.Selection(
        CARRY_IN_STATES, string="Stage", required=True, default="draft", tracking=True, index=True, copy=False
    )
    user_id = fields.Many2one(
        "res.users",
        string="Counter Agent",
        default=lambda self: self.env.user,
        tracking=True,
        help="Who follows the unit at the counter and talks to the customer.",
    )
    problem = fields.Text(string="Problem Reported", help="What the customer says is wrong, in their words.")
    diagnosis = fields.Html(copy=False, help="What the workshop found; sent with the estimate.")
    expected_date = fields.Date(
        string="Expected Ready", tracking=True, help="The day the customer is told to come back; on the receipt."
    )
    received_date = fields.Datetime(readonly=True, copy=False, index=True)
    received_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    diagnosed_date = fields.Datetime(readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    ready_date = fields.Datetime(readonly=True, copy=False, index=True)
    collected_date = fields.Datetime(readonly=True, copy=False)
    collected_by_id = fields.Many2one("res.users", string="Handed Over By", readonly=True, copy=False)
    days_in_centre = fields.Integer(
        compute="_compute_days_in_centre", help="Days since the unit was received, until it is collected."
    )
    not_collected = fields.Boolean(
        readonly=True,
        copy=False,
        index=True,
        help="Ready for longer than the company's collection delay and still not collected.",
    )
    refused = fields.Boolean(
        string="Estimate Refused",
        readonly=True,
        copy=False,
        help="The customer refused the estimate: the unit goes back unrepaired.",
    )
    refuse_reason = fields.Char(readonly=True, copy=False)
    reception_picking_id = fields.Many2one("stock.picking", string="Reception", readonly=True, copy=False)
    delivery_picking_id = fields.Many2one("stock.picking", string="Hand-over Delivery", readonly=True, copy=False)
    visit_id = fields.Many2one(
        "aftersales.visit",
        string="Workshop Job",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The workshop technician's job on the unit: diagnosis, estimate, fees, final checks.",
    )
    technician_id = fields.Many2one(related="visit_id.technician_id", string="Workshop Technician")
    quotation_id = fields.Many2one(related="visit_id.quotation_id", string="Estimate")
    repair_id = fields.Many2one("repair.order", string="Repair Order", readonly=True, copy=False)
    repair_state = fields.Selection(related="repair_id.state", string="Repair Status")
    step_ids = fields.One2many("aftersales.carry.in.step", "carry_in_id", string="Checks")
    intake_step_ids = fields.One2many(
        "aftersales.carry.in.step", "carry_in_id", string="Intake Check", domain=[("phase", "=", "intake")]
    )
    inspection_step_ids = fields.One2many(
        "aftersales.carry.in.step", "carry_in_id", string="Final Inspection", domain=[("phase", "=", "inspection")]
    )
    intake_signature = fields.Image(max_width=1024, max_height=1024, attachment=True, copy=False)
    intake_signed_by = fields.Char(copy=False, readonly=True)
    handover_signature = fields.Image(max_width=1024, max_height=1024, attachment=True, copy=False)
    handover_signed_by = fields.Char(copy=False, readonly=True)
    color = fields.Integer(compute="_compute_days_in_centre")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_company_uniq", "unique (name, company_id)", "The reference of a carry-in repair is unique."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("ticket_id")
    def _compute_from_ticket(self):
        for carry_in in self:
            ticket = carry_in.ticket_id
            carry_in.partner_id = carry_in.partner_id or ticket.partner_id
            carry_in.product_id = carry_in.product_id or ticket.product_id
            carry_in.lot_id = carry_in.lot_id or ticket.lot_id

    @api.depends("ticket_id.branch_id", "company_id")
    def _compute_warehouse_id(self):
        for carry_in in self:
            if carry_in.warehouse_id or not carry_in.company_id:
                continue
            carry_in.warehouse_id = carry_in.company_id._aftersales_warehouse(carry_in.branch_id)

    @api.depends("warehouse_id")
    def _compute_location_id(self):
        for carry_in in self:
            # sudo: the warehouse's carry-in location is created on first use by whoever receives
            carry_in.location_id = carry_in.warehouse_id.sudo()._aftersales_carry_in_location()

    @api.depends("received_date", "collected_date", "state")
    def _compute_days_in_centre(self):
        now = fields.Datetime.now()
        for carry_in in self:
            if not carry_in.received_date:
                carry_in.days_in_centre = 0
            else:
                carry_in.days_in_centre = ((carry_in.collected_date or now) - carry_in.received_date).days
            # kanban colour: red once not collected, orange after a week in the building
            if carry_in.not_collected:
                carry_in.color = 1
            elif carry_in.state in IN_CENTRE_STATES and carry_in.days_in_centre >= 7:
                carry_in.color = 2
            else:
                carry_in.color = 0

    # ------------------------------------------------------------------
    # CRUD and guarded fields
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        guarded = super()._guarded_fields() | GUARDED_FIELDS
        if not self.env.user.has_group(AGENT_GROUP):
            # the counter decides who follows the unit and whether its stay is archived, not the workshop
            guarded |= COUNTER_FIELDS
        return guarded

    def _locked_records(self):
        """A collected or cancelled stay is history: it changes through no field any more."""
        return super()._locked_records() | self.filtered(lambda ci: ci.state in ("collected", "cancel"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.carry.in") or "/"
        return super().create(vals_list)

    def write(self, vals):
        moved = {"ticket_id", "product_id", "lot_id", "partner_id", "warehouse_id"}.intersection(vals)
        if moved:
            received = self.filtered(lambda ci: ci.state != "draft")
            if received:
                raise UserError(
                    _(
                        "%(carry_ins)s is received: its ticket, unit, serial number, customer and service centre "
                        "are those of the reception and no longer change.",
                        carry_ins=", ".join(received.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_received(self):
        if self.filtered(lambda ci: ci.state != "draft"):
            raise UserError(_("A received unit is never deleted: cancel its carry-in repair instead."))

    # ------------------------------------------------------------------
    # The flow's bookkeeping, one place for every stage change
    # ------------------------------------------------------------------

    def _set_stage(self, state, **values):
        """Move the stays of ``self`` to ``state``, writing ``values`` with it; the actions call it
        after their own checks."""
        with self._unguard():
            self.write(dict(values, state=state))

    def _check_stage(self, states, action):
        wrong = self.filtered(lambda ci: ci.state not in states)
        if wrong:
            stages = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                _(
                    "%(action)s is not possible for %(carry_in)s at stage %(stage)s.",
                    action=action,
                    carry_in=wrong[0].name,
                    stage=stages[wrong[0].state],
                )
            )

    def _check_counter_agent(self, action):
        """``action`` is the counter's work: an after-sales agent's (dispatchers and managers are agents)."""
        self.check_access("write")
        if not self.env.su and not self.env.user.has_group(AGENT_GROUP):
            raise AccessError(
                _(
                    "%(action)s is done by an after-sales agent at the counter, not by %(user)s.",
                    action=action,
                    user=self.env.user.name,
                )
            )

    def _move_unit(self, picking_type, source, destination, lot):
        """Move the customer's unit from ``source`` to ``destination`` by a validated transfer of
        ``picking_type``: its move line names the serial and the owner, so no other unit and nothing
        of ours moves. Returns the transfer, or False when it could not be validated. The callers
        check the carry-in first; they call it with sudo for users without inventory rights."""
        self.ensure_one()
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": self.partner_id.id,
                "owner_id": self.partner_id.id,
                "origin": self.name,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": self.company_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.product_id.display_name,
                            "product_id": self.product_id.id,
                            "product_uom_qty": 1.0,
                            "product_uom": self.product_id.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            "restrict_partner_id": self.partner_id.id,
                            "company_id": self.company_id.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": picking.id,
                "product_id": move.product_id.id,
                "product_uom_id": move.product_uom.id,
                "quantity": 1.0,
                "lot_id": lot.id,
                "owner_id": self.partner_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": self.company_id.id,
            }
        )
        move.picked = True
        result = picking.with_context(skip_sms=True, skip_backorder=True, cancel_backorder=True).button_validate()
        return picking if result is True and picking.state == "done" else False

    def _after_receive(self):
        """Called by the reception once the units of ``self`` are in the centre: the workshop job
        starts from here (extended by the workshop's flow)."""

    def _notify_ready(self):
        """Called once the units of ``self`` are ready to be collected, repaired or not: the customer
        is told (extended by the hand-over's flow)."""

    def action_cancel(self):
        """Cancel a stay that never started: a received unit goes back by a hand-over."""
        self._check_counter_agent(_("Cancelling"))
        self._check_stage(("draft",), _("Cancelling"))
        self._set_stage("cancel")
        return True

    def action_view_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
