from psycopg2.errors import LockNotAvailable

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, mute_logger

from odoo.addons.aftersales_service.tools.client_values import drop_unreadable
from odoo.addons.aftersales_service.tools.xlsx_export import XlsxColumn, XlsxReport

RMA_STATES = [
    ("draft", "Draft"),
    ("to_approve", "Waiting for Finance"),
    ("approved", "Approved"),
    ("received", "Received"),
    ("sent", "Sent to Supplier"),
    ("done", "Done"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]

AGENT_GROUP = "aftersales_service.aftersales_service_group_user"
MANAGER_GROUP = "aftersales_service.aftersales_service_group_manager"
ACCOUNTANT_GROUP = "aftersales_service.aftersales_service_group_accountant"
CLERK_GROUP = "aftersales_parts.aftersales_parts_group_clerk"
# who approves a return, by direction: the refunds of customers' returns are the accountant's concern,
# shipping the returns to suppliers the parts clerk's
APPROVE_GROUPS = {"customer": (AGENT_GROUP, ACCOUNTANT_GROUP), "supplier": (AGENT_GROUP, CLERK_GROUP)}
# who rejects, cancels, resets and closes a return, by direction
HANDLE_GROUPS = {"customer": (AGENT_GROUP,), "supplier": (AGENT_GROUP, CLERK_GROUP)}

# who approves the refunds above the company's finance threshold, when returns are approved in two steps
FINANCE_GROUPS = (ACCOUNTANT_GROUP, MANAGER_GROUP)
# the activity asking finance to approve a refund
FINANCE_ACTIVITY = "aftersales_parts.mail_activity_type_rma_finance_approval"
# who approved a return and when, at each step: only the approval actions write them
APPROVAL_FIELDS = frozenset(
    {"cs_approved_by_id", "cs_approved_date", "finance_approved_by_id", "finance_approved_date"}
)

# first key of the advisory lock taken while a return is refunded (the second is its id)
REFUND_LOCK_KEY = 20261122

# what only the actions of a return change: its status and what its flow links to it
RMA_GUARDED_FIELDS = frozenset(
    {
        "state",
        "reject_reason",
        "return_picking_ids",
        "refund_ids",
        "date_approved",
        "date_closed",
        "approval_days",
        "cycle_days",
        "amount_claimed",
        "amount_credited",
        "credit_state",
    }
    | APPROVAL_FIELDS
)
# what a return is about, chosen while it is a draft: once approved, its receipts and refunds follow these
RMA_DRAFT_FIELDS = frozenset({"partner_id", "company_id", "sale_order_id", "invoice_id", "picking_id"})
# what may still be written on a refunded or closed return
RMA_LOCK_EXEMPT_FIELDS = frozenset({"description", "user_id"})


class AftersalesRma(models.Model):
    _name = "aftersales.rma"
    _description = "Return Authorization"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    direction = fields.Selection(
        [("customer", "From a Customer"), ("supplier", "To a Supplier")],
        required=True,
        default="customer",
        help="From a customer: the goods come back through a receipt and are refunded by a credit note. "
        "To a supplier: defective goods leave to the vendor by an outgoing transfer, against the vendor "
        "credit note expected.",
        tracking=True,
    )
    state = fields.Selection(RMA_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Commercial Entity"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self._default_user_id(),
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        tracking=True,
        index="btree_not_null",
        help="Who follows the return up: its activities go to this user, else to the leader of its team, "
        "else to the manager of its branch, else to an after-sales manager of the company.",
    )
    date = fields.Date(string="Request Date", required=True, default=fields.Date.context_today, tracking=True)
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", check_company=True, tracking=True)
    invoice_id = fields.Many2one(
        "account.move",
        index="btree_not_null",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
        tracking=True,
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        index="btree_not_null",
        check_company=True,
        domain="[('picking_type_code', '=', 'outgoing'), ('state', '=', 'done')]",
        tracking=True,
    )
    ticket_id = fields.Many2one("aftersales.ticket", index="btree_not_null", check_company=True, tracking=True)
    branch_id = fields.Many2one(
        "aftersales.branch",
        compute="_compute_branch_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        ondelete="restrict",
        help="The service centre handling the return: the ticket's branch, else the branch of the warehouse "
        "the goods come back to. Only its users and those of headquarters see the return.",
    )
    line_ids = fields.One2many("aftersales.rma.line", "rma_id", string="Lines", copy=True)
    reject_reason = fields.Text(tracking=True, copy=False)
    description = fields.Html(string="Notes")
    return_picking_ids = fields.One2many("stock.picking", "aftersales_rma_id", string="Receipts", copy=False)
    return_picking_count = fields.Integer(compute="_compute_return_picking_count", string="Receipt Count")
    refund_ids = fields.One2many("account.move", "aftersales_rma_id", string="Credit Notes", copy=False)
    refund_count = fields.Integer(compute="_compute_refund_count", string="Credit Note Count")
    inspection_line_ids = fields.One2many(
        "aftersales.rma.line", "rma_id", string="Inspection", domain=[("qty_received", ">", 0)]
    )
    inspection_ids = fields.One2many("aftersales.rma.inspection", "rma_id", string="Inspection Decisions")
    out_picking_count = fields.Integer(compute="_compute_resolution_counts", string="Outgoing Transfer Count")
    repair_ticket_count = fields.Integer(compute="_compute_resolution_counts")
    repair_order_count = fields.Integer(compute="_compute_resolution_counts")
    date_approved = fields.Datetime(
        compute="_compute_date_approved", store=True, readonly=True, copy=False, string="Approved On"
    )
    date_closed = fields.Datetime(
        compute="_compute_date_closed",
        store=True,
        readonly=True,
        copy=False,
        string="Closed On",
        help="When the return was first refunded or closed.",
    )
    approval_days = fields.Float(
        compute="_compute_cycle_days",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days from the request to its approval.",
    )
    cycle_days = fields.Float(
        compute="_compute_cycle_days",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days from the request to its refund or closing.",
    )
    amount_claimed = fields.Monetary(
        compute="_compute_amount_claimed",
        store=True,
        string="Claimed Amount",
        help="Untaxed amount claimed from the supplier: quantities returned at their claimed unit prices.",
    )
    amount_credited = fields.Monetary(
        compute="_compute_credit_state",
        store=True,
        string="Credited Amount",
        help="Untaxed amount of the posted vendor credit notes of this return.",
    )
    can_approve = fields.Boolean(compute="_compute_user_rights", help="Whether the current user approves it.")
    can_handle = fields.Boolean(
        compute="_compute_user_rights", help="Whether the current user rejects, cancels, resets or closes it."
    )
    credit_state = fields.Selection(
        [
            ("to_claim", "To Claim"),
            ("expected", "Credit Note Expected"),
            ("partial", "Partially Credited"),
            ("credited", "Credited"),
        ],
        compute="_compute_credit_state",
        store=True,
        index="btree_not_null",
        string="Credit Status",
        help="Where the vendor credit note of a return to a supplier stands: not asked for yet, in draft "
        "waiting for the vendor, posted for less than claimed, or posted for the whole claim.",
    )
    amount_refund = fields.Monetary(
        compute="_compute_amount_refund",
        string="Refund Amount",
        help="Taxes included, at the prices of the invoice, of the lines to refund.",
    )

    amount_refundable = fields.Monetary(
        compute="_compute_amount_refundable",
        string="Refundable Amount",
        help="What refunding the lines to refund still credits, taxes included: what the customer paid for "
        "their units less what the credit notes of their invoices already credited.",
    )

    def _default_user_id(self):
        """The user creating the return, unless it is OdooBot or a portal customer."""
        user = self.env.user
        return user if self.env.company._aftersales_is_real_user(user) else self.env["res.users"]

    @api.depends("return_picking_ids")
    def _compute_return_picking_count(self):
        for rma in self:
            rma.return_picking_count = len(rma.sudo().return_picking_ids)

    @api.depends("line_ids.out_picking_ids", "line_ids.repair_ticket_id", "line_ids.repair_order_id")
    def _compute_resolution_counts(self):
        for rma in self:
            lines = rma.sudo().line_ids
            rma.out_picking_count = len(lines.out_picking_ids)
            rma.repair_ticket_count = len(lines.repair_ticket_id)
            rma.repair_order_count = len(lines.repair_order_id)

    @api.depends("refund_ids")
    def _compute_refund_count(self):
        for rma in self:
            rma.refund_count = len(rma.sudo().refund_ids)

    @api.depends("line_ids.quantity", "line_ids.invoice_line_id", "line_ids.resolution")
    def _compute_amount_refund(self):
        for rma in self:
            rma.amount_refund = sum(
                rma.line_ids.filtered(lambda line: line.resolution == "refund").mapped("amount_total")
            )

    @api.depends("line_ids.amount_refundable", "line_ids.resolution")
    def _compute_amount_refundable(self):
        today = fields.Date.context_today(self)
        for rma in self:
            lines = rma.line_ids.filtered(lambda line: line.resolution == "refund" and line.invoice_currency_id)
            rma.amount_refundable = sum(
                line.invoice_currency_id._convert(line.amount_refundable, rma.currency_id, rma.company_id, today)
                for line in lines
            )

    @api.depends("line_ids.amount_claimed")
    def _compute_amount_claimed(self):
        for rma in self:
            rma.amount_claimed = sum(rma.line_ids.mapped("amount_claimed"))

    @api.depends("direction", "amount_claimed", "refund_ids.state", "refund_ids.amount_untaxed_signed")
    def _compute_credit_state(self):
        for rma in self:
            if rma.direction != "supplier":
                rma.amount_credited = 0.0
                rma.credit_state = False
                continue
            notes = rma.sudo().refund_ids.filtered(lambda move: move.move_type == "in_refund")
            posted = notes.filtered(lambda move: move.state == "posted")
            # in the company's currency, as the claimed amount
            rma.amount_credited = sum(abs(move.amount_untaxed_signed) for move in posted)
            if not posted:
                rma.credit_state = "expected" if notes.filtered(lambda move: move.state == "draft") else "to_claim"
            elif rma.currency_id.compare_amounts(rma.amount_credited, rma.amount_claimed) < 0:
                rma.credit_state = "partial"
            else:
                rma.credit_state = "credited"

    @api.depends("direction")
    @api.depends_context("uid")
    def _compute_user_rights(self):
        user = self.env.user
        for rma in self:
            direction = rma.direction or "customer"
            rma.can_approve = any(user.has_group(group) for group in APPROVE_GROUPS[direction])
            rma.can_handle = any(user.has_group(group) for group in HANDLE_GROUPS[direction])

    @api.depends("state")
    def _compute_date_approved(self):
        now = fields.Datetime.now()
        for rma in self:
            if not rma.date_approved and rma.state in ("approved", "received", "sent", "done"):
                rma.date_approved = now
            else:
                rma.date_approved = rma.date_approved

    @api.depends("state", "refund_ids")
    def _compute_date_closed(self):
        now = fields.Datetime.now()
        for rma in self:
            if not rma.date_closed and (rma.state == "done" or rma.refund_ids):
                rma.date_closed = now
            else:
                rma.date_closed = rma.date_closed

    @api.depends("create_date", "date_approved", "date_closed")
    def _compute_cycle_days(self):
        for rma in self:
            start = rma.create_date or fields.Datetime.now()
            rma.approval_days = rma.date_approved and (rma.date_approved - start).total_seconds() / 86400.0
            rma.cycle_days = rma.date_closed and (rma.date_closed - start).total_seconds() / 86400.0

    def action_export_xlsx(self):
        """Download the returns with one row per line as an Excel workbook."""
        states = dict(self._fields["state"]._description_selection(self.env))
        resolutions = dict(self.env["aftersales.rma.line"]._fields["resolution"]._description_selection(self.env))
        columns = [
            XlsxColumn(_("Return")),
            XlsxColumn(_("Request Date"), "date"),
            XlsxColumn(_("Customer")),
            XlsxColumn(_("Status")),
            XlsxColumn(_("Sale Order")),
            XlsxColumn(_("Product")),
            XlsxColumn(_("Serial Number")),
            XlsxColumn(_("Quantity"), "float"),
            XlsxColumn(_("Received"), "float"),
            XlsxColumn(_("Refunded"), "float"),
            XlsxColumn(_("Reason")),
            XlsxColumn(_("Resolution")),
            XlsxColumn(_("Fault Code")),
            XlsxColumn(_("Refunded Amount"), "monetary"),
            XlsxColumn(_("Approval Days"), "float"),
            XlsxColumn(_("Cycle Days"), "float"),
        ]
        rows = []
        for rma in self:
            head = [
                rma.name,
                rma.date,
                rma.partner_id.display_name,
                states.get(rma.state),
                rma.sale_order_id.name or None,
            ]
            tail = [rma.approval_days, rma.cycle_days]
            for line in rma.line_ids:
                rows.append(
                    head
                    + [
                        line.product_id.display_name,
                        line.lot_id.name or None,
                        line.quantity,
                        line.qty_received,
                        line.qty_refunded,
                        line.reason_id.name,
                        resolutions.get(line.resolution),
                        line.fault_code_id.display_name or None,
                        line.amount_refunded,
                    ]
                    + tail
                )
            if not rma.line_ids:
                rows.append(head + [None] * 9 + tail)
        with XlsxReport() as report:
            report.write_sheet(_("Returns"), columns, rows)
            return report.download_action(self.env, "returns.xlsx")

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for rma in self:
            rma.access_url = f"/my/rmas/{rma.id}"
        return result

    def onchange(self, values, field_names, fields_spec):
        # a customer's form fills in nothing from the records of other customers
        if self.env.user.share and not self.env.su:
            values = drop_unreadable(self, values)
        return super().onchange(values, field_names, fields_spec)

    @api.onchange("sale_order_id", "picking_id", "invoice_id")
    def _onchange_origin(self):
        """Propose the delivered units of the origin document when the return has no lines yet."""
        if self.line_ids:
            return
        origins = (self.picking_id, self.sale_order_id, self.invoice_id)
        if not all(origin.has_access("read") for origin in origins if origin):
            return
        moves = self.sudo()._origin_moves()
        if not moves:
            return
        self.partner_id = self.partner_id or moves.picking_id.partner_id[:1]
        self.line_ids = [Command.create(vals) for vals in self.line_ids._prepare_lines_from_moves(moves)]

    def _origin_moves(self):
        """The done deliveries to the customer of the origin picking, sale order or invoice."""
        self.ensure_one()
        if self.picking_id:
            moves = self.picking_id.move_ids
        elif self.sale_order_id:
            moves = self.sale_order_id.order_line.move_ids
        elif self.invoice_id:
            moves = self.invoice_id.invoice_line_ids.sale_line_ids.move_ids
        else:
            return self.env["stock.move"]
        return moves.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer" and not m.origin_returned_move_id
        )

    @api.depends("ticket_id", "picking_id", "company_id", "line_ids.move_id")
    def _compute_branch_id(self):
        for rma in self:
            branch = rma.ticket_id.branch_id or rma.picking_id.picking_type_id.warehouse_id.aftersales_branch_id
            if not branch and rma.branch_id.company_id == rma.company_id:
                branch = rma.branch_id
            if not branch:
                # the returned goods come back to the warehouse of their delivery
                branch = rma.line_ids.move_id.picking_type_id.warehouse_id.aftersales_branch_id[:1]
            rma.branch_id = branch or self.env.user._aftersales_default_branch(rma.company_id)

    @api.constrains("branch_id", "company_id")
    def _check_branch_company(self):
        self.env["aftersales.branch"]._check_branch_company(self)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.rma") or _("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Guarded fields (see aftersales.guarded.mixin)
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | RMA_GUARDED_FIELDS

    def _locked_records(self):
        """Returns closed, or refunded (a credit note not cancelled), are locked."""
        return super()._locked_records() | self.filtered(
            lambda rma: rma.state == "done" or rma.sudo().refund_ids.filtered(lambda move: move.state != "cancel")
        )

    @api.model
    def _lock_exempt_fields(self):
        return super()._lock_exempt_fields() | RMA_LOCK_EXEMPT_FIELDS

    def _lock_refusal(self, field_names):
        return AccessError(
            _(
                "Returns %(rmas)s are refunded or closed: %(fields)s can no longer be changed. Their credit notes "
                "and transfers are corrected in Accounting and Inventory, which the return follows.",
                rmas=", ".join(self.mapped("display_name")[:5]),
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in field_names)),
            )
        )

    def _guard_check_write(self, vals):
        """Besides the guarded fields: the direction is chosen at the creation, and what the return
        is about (customer, origin documents) only while it is a draft."""
        super()._guard_check_write(vals)
        if self.env.su:
            return
        opened = self._unguarded_fields()
        if opened is None:
            return
        if "direction" in vals and "direction" not in opened and self._guard_changes("direction", vals["direction"]):
            raise AccessError(
                _(
                    "The direction of a return (from a customer or to a supplier) is chosen when it is created: "
                    "create another return rather than turning %(rmas)s around.",
                    rmas=", ".join(self.mapped("display_name")[:5]),
                )
            )
        sent = self.filtered(lambda rma: rma.state != "draft")
        frozen = (RMA_DRAFT_FIELDS & set(vals)) - opened
        changed = [name for name in frozen if sent and sent._guard_changes(name, vals[name])]
        if changed:
            raise AccessError(
                _(
                    "%(fields)s of returns %(rmas)s are chosen while they are drafts: their receipts and refunds "
                    "follow them now.",
                    fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in changed)),
                    rmas=", ".join(sent.mapped("display_name")[:5]),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_processed(self):
        if any(rma.state not in ("draft", "cancelled") for rma in self):
            raise UserError(_("Cancel or reject returns rather than deleting them."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.constrains("partner_id")
    def _check_vendor_bill_lines_partner(self):
        """Another partner on a return: its lines must still be that vendor's bill lines, or deliveries
        to that customer."""
        self.line_ids._check_vendor_bill_line()
        self.line_ids._check_move_of_the_customer()

    def _check_state(self, states, action):
        wrong = self.filtered(lambda rma: rma.state not in states)
        if wrong:
            raise UserError(
                _(
                    "%(action)s is not possible for returns %(rmas)s in their current status.",
                    action=action,
                    rmas=", ".join(wrong.mapped("name")),
                )
            )

    def _check_direction(self, direction, action):
        """Refuse ``action`` on the returns of the other direction."""
        wrong = self.filtered(lambda rma: rma.direction != direction)
        if not wrong:
            return
        if direction == "customer":
            message = _(
                "%(action)s is only for returns from customers; %(rmas)s go back to a supplier.",
                action=action,
                rmas=", ".join(wrong.mapped("name")),
            )
        else:
            message = _(
                "%(action)s is only for returns to a supplier; %(rmas)s come from a customer.",
                action=action,
                rmas=", ".join(wrong.mapped("name")),
            )
        raise UserError(message)

    def _check_billing_rights(self, action):
        """Refuse ``action`` (approving, refunding) to whoever is neither an agent nor an accountant."""
        user = self.env.user
        if self.env.su or any(user.has_group(group) for group in (AGENT_GROUP, ACCOUNTANT_GROUP)):
            return
        raise AccessError(
            _(
                "%(action)s a return is for after-sales agents and accountants, not %(user)s.",
                action=action,
                user=user.name,
            )
        )

    def _check_record_access(self):
        """Those who change returns must be allowed to change these ones (company and branch rules);
        the accountant, who only reads them, must be allowed to read them."""
        self.check_access("write" if self.browse().has_access("write") else "read")

    def _check_role(self, action, groups_by_direction):
        """Refuse ``action`` to whoever is in none of the groups allowed for the direction of each return."""
        if self.env.su:
            return
        user = self.env.user
        for direction, groups in groups_by_direction.items():
            rmas = self.filtered(lambda rma, direction=direction: rma.direction == direction)
            if rmas and not any(user.has_group(group) for group in groups):
                raise AccessError(
                    _(
                        "%(action)s returns %(rmas)s is not part of the job of %(user)s.",
                        action=action,
                        rmas=", ".join(rmas.mapped("name")),
                        user=user.name,
                    )
                )

    def _check_handling_rights(self, action):
        """Rejecting, cancelling, resetting and closing: agents for every return, parts clerks for the
        returns to suppliers (shipping them back is their job)."""
        self._check_record_access()
        self._check_role(action, HANDLE_GROUPS)

    def action_reject(self):
        """The Reject button: the window asks why, then rejects the returns (:meth:`_reject`)."""
        self._check_rejectable()
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.rma.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def _check_rejectable(self):
        waiting = self.filtered(lambda rma: rma.state == "to_approve")
        (self - waiting)._check_handling_rights(_("Rejecting"))
        # finance refuses the refunds it is asked to approve
        if waiting:
            waiting._check_record_access()
            waiting._check_role(_("Rejecting"), {"customer": FINANCE_GROUPS + HANDLE_GROUPS["customer"]})
        self._check_state(("draft", "to_approve", "approved"), _("Rejecting"))

    def _reject(self, reason):
        """Reject the returns, ``reason`` kept on them and told to the customer."""
        self._check_rejectable()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the return is rejected."))
        # sudo: the receipts of the returns that the user may reject, whoever may read transfers
        pickings = self.sudo().return_picking_ids
        if pickings.filtered(lambda p: p.state == "done"):
            raise UserError(_("Goods were already received for this return: finish it rather than rejecting it."))
        pickings.filtered(lambda p: p.state != "cancel").action_cancel()
        self.sudo().write({"state": "rejected", "reject_reason": reason})
        self.sudo().activity_unlink([FINANCE_ACTIVITY])
        self._notify_customer("rejected")
        return True

    def action_cancel(self):
        self._check_handling_rights(_("Cancelling"))
        self._check_state(("draft", "to_approve", "approved"), _("Cancelling"))
        if self.return_picking_ids.filtered(lambda p: p.state == "done"):
            raise UserError(_("Goods were already received for this return: it cannot be cancelled."))
        self.return_picking_ids.filtered(lambda p: p.state != "cancel").sudo().action_cancel()
        self.sudo().write({"state": "cancelled"})
        self.sudo().activity_unlink([FINANCE_ACTIVITY])

    def action_draft(self):
        self._check_handling_rights(_("Resetting to draft"))
        self._check_state(("rejected", "cancelled"), _("Resetting to draft"))
        # approved again from the first step
        self.sudo().write({"state": "draft", "reject_reason": False, **dict.fromkeys(APPROVAL_FIELDS, False)})

    def action_done(self):
        self._check_handling_rights(_("Closing"))
        self._check_state(("received", "sent"), _("Closing"))
        self.sudo().write({"state": "done"})

    def action_view_out_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action.update(domain=[("aftersales_rma_line_id.rma_id", "=", self.id)], context={})
        return action

    def action_view_repair_tickets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Repairs of %(rma)s", rma=self.name),
            "res_model": "aftersales.ticket",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.repair_ticket_id.ids)],
        }

    def action_view_repair_orders(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("repair.action_repair_order_tree")
        repairs = self.sudo().line_ids.repair_order_id
        action.update(
            name=_("Repair Orders of %(rma)s", rma=self.name),
            domain=[("id", "in", repairs.ids)],
            context={"create": False},
        )
        if len(repairs) == 1:
            action.update(views=[(False, "form")], res_id=repairs.id)
        return action

    # ------------------------------------------------------------------
    # Transfers (receipts and shipments share the serials' assignment)
    # ------------------------------------------------------------------

    def _prepare_picking_vals(self, picking_type, source, destination, items, partner=None):
        """Values of a transfer of this return, from ``source`` to ``destination``: its receipts and
        shipments to the vendor, the replacements and units sent back, the transfers of inspected units.

        ``items`` are dicts of ``product``, ``quantity`` and ``uom``, with ``rma_line`` for the moves that
        receive or send the units of a return line (the line counts them); ``partner`` is the
        return's partner unless given.
        """
        self.ensure_one()
        return {
            "picking_type_id": picking_type.id,
            "partner_id": (partner or self.partner_id).id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "move_ids": [Command.create(self._prepare_move_vals(source, destination, item)) for item in items],
        }

    def _prepare_move_vals(self, source, destination, item):
        """Values of the move of one item of :meth:`_prepare_picking_vals`."""
        vals = {
            "name": item["product"].display_name,
            "product_id": item["product"].id,
            "product_uom_qty": item["quantity"],
            "product_uom": item["uom"].id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "company_id": self.company_id.id,
        }
        if item.get("rma_line"):
            vals["aftersales_rma_line_id"] = item["rma_line"].id
        return vals

    def _set_lots(self, picking, lines):
        """Put the returned serials on the receipt's detailed operations."""
        for move in picking.move_ids:
            lots = lines.filtered(lambda line, move=move: line.lot_id and line == move.aftersales_rma_line_id).lot_id
            if not lots:
                continue
            move.move_line_ids.unlink()
            self.env["stock.move.line"].sudo().create(
                [
                    dict(
                        move._prepare_move_line_vals(quantity=self._lot_quantity(move, lines, lot)),
                        lot_id=lot.id,
                    )
                    for lot in lots
                ]
            )

    def _lot_quantity(self, move, lines, lot):
        """The quantity of ``lot`` to put on ``move``: a serial is one unit; a lot sent to a supplier
        goes with the quantity of its lines (a lot received from a customer is counted by the clerk)."""
        if lot.product_id.tracking == "serial":
            return 1.0
        if self.direction != "supplier":
            return 0.0
        return sum(
            line.product_uom_id._compute_quantity(line.quantity, move.product_uom)
            for line in lines.filtered(lambda line: line.lot_id == lot and line == move.aftersales_rma_line_id)
        )

    # ------------------------------------------------------------------
    # Refunds and vendor credit notes
    # ------------------------------------------------------------------

    def _lock(self):
        """Make sure that two users never refund the same returns at once.

        Each return is locked for the transaction (an advisory lock on its id, then its row):
        the second user is told to try again, and once the first one has committed, the lines
        they refunded can no longer be refunded (concurrent updates of the same lines make
        PostgreSQL refuse the second transaction, which Odoo retries and then refuses).
        """
        if not self:
            return
        # all the returns' locks tried in one statement; those taken are released with the transaction
        self.env.cr.execute(
            SQL(
                "SELECT bool_and(pg_try_advisory_xact_lock(%s, rma_id)) FROM unnest(%s) AS rma_id",
                REFUND_LOCK_KEY,
                list(self.ids),
            )
        )
        if not self.env.cr.fetchone()[0]:
            raise UserError(_("Another user is refunding this return: try again in a moment."))
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute("SELECT id FROM aftersales_rma WHERE id IN %s FOR UPDATE NOWAIT", [tuple(self.ids)])
        except LockNotAvailable:
            raise UserError(_("Another user is refunding this return: try again in a moment.")) from None
        self.invalidate_recordset()
        self.line_ids.invalidate_recordset(["qty_refunded", "refund_line_ids"])

    def _audit_refund(self, action, refunds, old=None, reason=None):
        """Write down the credit notes of a return in the audit log, with their amount and ``reason``."""
        self.ensure_one()
        amount = sum(refunds.mapped("amount_total"))
        self.env["aftersales.audit.log"]._audit(
            action,
            self,
            reason,
            old=old or None,
            new=_(
                "%(refunds)s: %(amount)s %(currency)s",
                refunds=", ".join(refunds.mapped(lambda move: move.name or move.ref or "")),
                amount=self.currency_id.round(amount),
                currency=self.currency_id.name,
            ),
            # refunding units nobody inspected yet is the sensitive case: say why
            require_reason=action == "rma_refund_uninspected",
        )

    # ------------------------------------------------------------------
    # Follow-up
    # ------------------------------------------------------------------

    def _responsible(self):
        """Who follows the return up: its responsible, else the leader of its team (the ticket's, else
        one of its branch's), else its branch's manager, else an after-sales manager of the company.
        Only real users of the company count; an empty recordset when there is none."""
        self.ensure_one()
        rma = self.sudo()  # who leads the team or manages the branch, not what they see
        team = rma.ticket_id.team_id.filtered("user_id")
        if not team:
            team = (
                self.env["aftersales.team"]
                .sudo()
                .search(
                    [
                        ("company_id", "=", rma.company_id.id),
                        ("branch_id", "=", rma.branch_id.id),
                        ("user_id", "!=", False),
                    ],
                    limit=1,
                )
            )
        return rma.company_id._aftersales_responsible_user(assignee=rma.user_id, team=team[:1], branch=rma.branch_id)

    def _schedule_review(self, note):
        """Ask the return's responsible (see :meth:`_responsible`) to review it, making them
        its responsible when it has none. With nobody to ask, the chatter says so and nothing is scheduled."""
        for rma in self:
            responsible = rma._responsible()
            if not responsible:
                rma.message_post(
                    body=_(
                        "%(note)s Nobody can be asked to: the return has no responsible, its team no leader, its "
                        "branch no manager and its company no after-sales manager. Choose its responsible.",
                        note=note,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            if not rma.user_id:
                rma.sudo().user_id = responsible
            rma.activity_schedule("mail.mail_activity_data_todo", user_id=responsible.id, note=note)

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------

    def action_view_receipts(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("aftersales_rma_id", "=", self.id)]
        action["context"] = {"create": False}
        pickings = self.sudo().return_picking_ids
        if len(pickings) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = pickings.id
        return action

    def action_view_refunds(self):
        self.ensure_one()
        self.check_access("read")
        move_type = "in_refund" if self.direction == "supplier" else "out_refund"
        context = {"default_move_type": move_type, "create": False}
        refunds = self.sudo().refund_ids
        if len(refunds) == 1:
            # the credit note itself, as the list would open it, without reading the list's action
            return dict(self._open("account.move", refunds.id), context=context)
        xmlid = (
            "account.action_move_in_refund_type" if move_type == "in_refund" else "account.action_move_out_refund_type"
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["context"] = context
        action["domain"] = [("aftersales_rma_id", "=", self.id)]
        return action

    def _open(self, model, record_id):
        return {"type": "ir.actions.act_window", "res_model": model, "res_id": record_id, "views": [(False, "form")]}

    def action_view_sale_order(self):
        self.ensure_one()
        return self._open("sale.order", self.sale_order_id.id)

    def action_view_invoice(self):
        self.ensure_one()
        return self._open("account.move", self.invoice_id.id)

    def action_view_delivery(self):
        self.ensure_one()
        return self._open("stock.picking", self.picking_id.id)

    def action_view_ticket(self):
        self.ensure_one()
        return self._open("aftersales.ticket", self.ticket_id.id)

    @api.model
    def _action_new(self, **defaults):
        """The action opening a new return prefilled from an origin document."""
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_parts.aftersales_rma_action")
        action["views"] = [(False, "form")]
        action["context"] = {f"default_{key}": value for key, value in defaults.items() if value}
        return action

    def _action_form(self):
        """Open this return; the smart buttons of deliveries and credit notes use it."""
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.rma",
            "res_id": self.id,
            "views": [(False, "form")],
        }

    @api.model
    def _action_list(self, domain, **defaults):
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_parts.aftersales_rma_action")
        action["domain"] = domain
        action["context"] = {f"default_{key}": value for key, value in defaults.items() if value}
        return action
