from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero

CLAIM_STATES = [
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
CREDIT_STATES = [
    ("to_claim", "To Claim"),
    ("claimed", "Claimed"),
    ("partial", "Partially Credited"),
    ("credited", "Credited"),
    ("rejected", "Rejected"),
]
ACCOUNTANT_GROUPS = ("aftersales_service.aftersales_service_group_accountant", "account.group_account_invoice")
# what the claim's money says: computed from its lines and from the vendor documents linked to it
MONEY_FIELDS = frozenset({"amount_claimed", "amount_credited", "amount_due", "credit_state"})


class AftersalesSupplierClaim(models.Model):
    _name = "aftersales.supplier.claim"
    _description = "Supplier Warranty Claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    state = fields.Selection(CLAIM_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    partner_id = fields.Many2one(
        "res.partner", string="Supplier", required=True, index=True, tracking=True, check_company=True
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Serial Number", required=True, index=True, check_company=True, tracking=True
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True, index=True)
    supplier_warranty_end = fields.Date(related="lot_id.aftersales_supplier_warranty_end", string="Covered Until")
    ticket_id = fields.Many2one("aftersales.ticket", index="btree_not_null", check_company=True, tracking=True)
    visit_id = fields.Many2one("aftersales.visit", index="btree_not_null", check_company=True, tracking=True)
    reason = fields.Text(help="What failed, as told to the supplier.")
    answer = fields.Text(string="Supplier's Answer", tracking=True)
    date = fields.Date(
        string="Claim Date",
        required=True,
        index=True,
        default=fields.Date.context_today,
        help="The day the claim was made: the period of the manufacturer's settlement it counts in.",
    )
    can_write = fields.Boolean(
        compute="_compute_can_write", help="Whether the current user changes the claim and moves it along."
    )
    manufacturer_job = fields.Boolean(
        compute="_compute_manufacturer_job",
        store=True,
        help="The job was dispatched by the manufacturer's call centre and is settled with it.",
    )
    line_ids = fields.One2many(
        "aftersales.supplier.claim.line",
        "claim_id",
        string="Claimed Amounts",
        copy=True,
        help="Parts, labour and travel claimed, per the supplier's agreement; editable while the claim is a draft.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    amount_claimed = fields.Monetary(compute="_compute_amount_claimed", store=True, tracking=True)
    credit_note_ids = fields.One2many(
        "account.move", "aftersales_supplier_claim_id", string="Vendor Credit Notes", readonly=True
    )
    deduction_line_ids = fields.One2many(
        "account.move.line",
        "aftersales_supplier_claim_id",
        string="Bill Deductions",
        readonly=True,
        help="The negative lines of vendor bills that deduct this claim from what is paid to the supplier.",
    )
    credit_note_count = fields.Integer(
        compute="_compute_credit_note_count", string="Credit Documents", compute_sudo=True
    )
    amount_credited = fields.Monetary(
        compute="_compute_amount_credited",
        store=True,
        help="What the supplier credited: the posted vendor credit notes and bill deductions linked to the claim.",
    )
    amount_due = fields.Monetary(
        compute="_compute_amount_credited",
        store=True,
        help="Claimed but not credited yet; nothing for rejected or cancelled claims.",
    )
    credit_state = fields.Selection(
        CREDIT_STATES, string="Credit Status", compute="_compute_amount_credited", store=True, index=True
    )

    @api.depends("ticket_id.job_origin")
    def _compute_manufacturer_job(self):
        for claim in self:
            claim.manufacturer_job = claim.ticket_id.job_origin == "manufacturer"

    @api.depends("line_ids.price_subtotal")
    def _compute_amount_claimed(self):
        for claim in self:
            claim.amount_claimed = sum(claim.line_ids.mapped("price_subtotal"))

    @api.depends("credit_note_ids", "deduction_line_ids")
    def _compute_credit_note_count(self):
        for claim in self:
            claim.credit_note_count = len(claim.credit_note_ids | claim.deduction_line_ids.move_id)

    @api.depends(
        "state",
        "amount_claimed",
        "credit_note_ids.state",
        "credit_note_ids.line_ids.balance",
        "deduction_line_ids.parent_state",
        "deduction_line_ids.balance",
    )
    def _compute_amount_credited(self):
        for claim in self:
            notes = claim.credit_note_ids.filtered(
                lambda move: move.state == "posted" and move.move_type == "in_refund"
            )
            lines = notes.line_ids.filtered(lambda line: line.display_type == "product")
            lines |= claim.deduction_line_ids.filtered(lambda line: line.parent_state == "posted")
            # a credit lowers what we owe the supplier: credits on expense lines
            claim.amount_credited = -sum(lines.mapped("balance"))
            closed = claim.state in ("rejected", "cancelled")
            claim.amount_due = 0.0 if closed else claim.amount_claimed - claim.amount_credited
            rounding = claim.currency_id.rounding or 0.01
            if claim.state == "rejected":
                claim.credit_state = "rejected"
            elif claim.state == "cancelled":
                claim.credit_state = False
            elif not float_is_zero(claim.amount_credited, precision_rounding=rounding):
                due = float_compare(claim.amount_due, 0.0, precision_rounding=rounding) > 0
                claim.credit_state = "partial" if due else "credited"
            elif claim.state == "draft":
                claim.credit_state = "to_claim"
            else:
                claim.credit_state = "claimed"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.supplier.claim") or _("New")
        return super().create(vals_list)

    def write(self, vals):
        sent = self.filtered(lambda claim: claim.state != "draft") if not self.env.su else self.browse()
        if sent and any(name in vals and sent._guard_changes(name, vals[name]) for name in ("partner_id", "lot_id")):
            raise AccessError(
                _(
                    "Claims %(claims)s went to the supplier: their supplier and serial number stay as sent.",
                    claims=", ".join(sent.mapped("name")),
                )
            )
        return super().write(vals)

    @api.depends_context("uid")
    def _compute_can_write(self):
        allowed = self.browse(self._filtered_access("write").ids)
        for claim in self:
            claim.can_write = claim in allowed or not claim.id

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"state"} | MONEY_FIELDS

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(claim.state not in ("draft", "cancelled") for claim in self):
            raise UserError(_("Cancel claims sent to a supplier rather than deleting them."))

    def _check_state(self, states, action):
        wrong = self.filtered(lambda claim: claim.state not in states)
        if wrong:
            raise UserError(
                _(
                    "%(action)s is not possible for claims %(claims)s in their current status.",
                    action=action,
                    claims=", ".join(wrong.mapped("name")),
                )
            )

    def action_send(self):
        self._check_state(("draft",), _("Sending"))
        self._set_state("sent")

    def action_accept(self):
        self._check_state(("sent",), _("Accepting"))
        self._set_state("accepted")

    def action_reject(self):
        self._check_state(("sent",), _("Rejecting"))
        self._set_state("rejected")

    def action_cancel(self):
        self._check_state(("draft", "sent"), _("Cancelling"))
        self._set_state("cancelled")

    def action_reset_draft(self):
        self._check_state(("cancelled", "rejected"), _("Resetting to draft"))
        self._set_state("draft")

    def _set_state(self, state):
        """Move the claims to ``state``, the action having checked that they may."""
        self.check_access("write")
        with self._unguard("state"):
            self.write({"state": state})

    def action_create_credit_note(self):
        """The supplier credits the claim without goods sent back: a draft vendor credit note with
        one line per claimed amount, which the accountant adjusts to what is credited and posts."""
        self._check_credit_rights(_("Creating a vendor credit note"))
        self._check_state(("sent", "accepted"), _("Creating a vendor credit note"))
        self._check_left_to_credit()
        Move = self.env["account.move"]
        notes = Move.browse()
        for claim in self:
            # sudo: the rights were checked above, the claim link is written by this action only
            note = Move.sudo().with_company(claim.company_id).create(claim._prepare_credit_note_vals())
            note.message_post(body=_("Credit note for the supplier claim %(claim)s.", claim=claim._get_html_link()))
            # sudo: accountants read the claims; the note on its chatter is the action's
            claim.sudo().message_post(body=_("Vendor credit note %(note)s created.", note=note._get_html_link()))
            notes |= note
        return notes.sudo(False)._aftersales_action_vendor_documents()

    def action_deduct_from_bill(self):
        """Deduct the claim from the supplier's latest draft vendor bill in the claim's company."""
        bills = self.env["account.move"]
        for claim in self:
            bills |= claim._deduct_from_bill(
                self.env["account.move"].search(
                    [
                        ("move_type", "=", "in_invoice"),
                        ("state", "=", "draft"),
                        ("commercial_partner_id", "=", claim.partner_id.commercial_partner_id.id),
                        ("company_id", "=", claim.company_id.id),
                    ],
                    order="id desc",
                    limit=1,
                )
            )
        return bills._aftersales_action_vendor_documents()

    def _deduct_from_bill(self, bill):
        """Add to the draft vendor bill ``bill`` a negative line for what is left to credit of the claim."""
        self.ensure_one()
        self._check_credit_rights(_("Deducting a claim from a vendor bill"))
        self._check_state(("sent", "accepted"), _("Deducting a claim from a vendor bill"))
        self._check_left_to_credit()
        self._check_deduction_bill(bill)
        bill.check_access("write")
        # sudo: the bill is the user's to change (checked above); the claim link is this action's
        bill.sudo().write({"invoice_line_ids": [Command.create(self._prepare_deduction_line_vals(bill))]})
        bill.message_post(body=_("Supplier claim %(claim)s deducted from this bill.", claim=self._get_html_link()))
        # sudo: accountants read the claims; the note on its chatter is the action's
        self.sudo().message_post(body=_("Deducted from the vendor bill %(bill)s.", bill=bill._get_html_link()))
        return bill

    def action_view_credit_documents(self):
        self.ensure_one()
        return (self.credit_note_ids | self.deduction_line_ids.move_id)._aftersales_action_vendor_documents()

    def action_reset_lines(self):
        """Propose again the claimed amounts of a draft claim from its visit and the supplier's agreement."""
        self._check_state(("draft",), _("Proposing the claimed amounts"))
        self.check_access("write")
        for claim in self:
            claim.write(
                {"line_ids": [Command.clear()] + [Command.create(vals) for vals in claim._prepare_line_vals_list()]}
            )
        return True

    def _check_credit_rights(self, action):
        """Credits are the accountants' (after-sales accountants and invoicing users), on claims they may read."""
        user = self.env.user
        if not self.env.su and not any(user.has_group(group) for group in ACCOUNTANT_GROUPS):
            raise AccessError(_("%(action)s is for accountants, not %(user)s.", action=action, user=user.name))
        self.check_access("read")

    def _check_left_to_credit(self):
        for claim in self:
            rounding = claim.currency_id.rounding
            if float_compare(claim.amount_claimed, 0.0, precision_rounding=rounding) <= 0:
                raise UserError(
                    _("Claim %(claim)s claims no amount: fill in its parts, labour and travel first.", claim=claim.name)
                )
            pending = claim.credit_note_ids.filtered(lambda move: move.state == "draft")
            pending |= claim.deduction_line_ids.move_id.filtered(lambda move: move.state == "draft")
            if pending:
                raise UserError(
                    _(
                        "Claim %(claim)s already waits for %(documents)s: post or cancel it first.",
                        claim=claim.name,
                        documents=", ".join(pending.mapped("display_name")),
                    )
                )
            if float_compare(claim.amount_due, 0.0, precision_rounding=rounding) <= 0:
                raise UserError(_("Claim %(claim)s is fully credited already.", claim=claim.name))

    def _check_deduction_bill(self, bill):
        self.ensure_one()
        if not bill:
            raise UserError(
                _(
                    "%(supplier)s has no draft vendor bill to deduct claim %(claim)s from: "
                    "create a credit note instead.",
                    supplier=self.partner_id.display_name,
                    claim=self.name,
                )
            )
        if (
            bill.move_type != "in_invoice"
            or bill.state != "draft"
            or bill.commercial_partner_id != self.partner_id.commercial_partner_id
            or bill.company_id != self.company_id
        ):
            raise UserError(
                _(
                    "Claim %(claim)s can only be deducted from a draft vendor bill of %(supplier)s, not from %(bill)s.",
                    claim=self.name,
                    supplier=self.partner_id.display_name,
                    bill=bill.display_name,
                )
            )

    def _prepare_credit_note_vals(self):
        """Values of the draft vendor credit note of the claim: one line per claimed amount left to credit."""
        self.ensure_one()
        if self.currency_id.compare_amounts(self.amount_credited, 0.0) > 0:
            # partly credited already: one line for the balance, so that the claim is never credited a cent more
            line_commands = [
                Command.create(
                    {
                        "name": _("Balance of supplier claim %(claim)s", claim=self.name),
                        "quantity": 1.0,
                        "price_unit": self.amount_due,
                        "tax_ids": [Command.clear()],
                    }
                )
            ]
        else:
            line_commands = [Command.create(line._prepare_credit_line_vals()) for line in self.line_ids]
        return {
            "move_type": "in_refund",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "ref": _("Supplier claim %(claim)s", claim=self.name),
            "aftersales_supplier_claim_id": self.id,
            "invoice_line_ids": line_commands,
        }

    def _prepare_deduction_line_vals(self, bill):
        """Values of the negative line deducting what is left to credit of the claim from ``bill``."""
        self.ensure_one()
        amount = self.amount_due
        if bill.currency_id != self.currency_id:
            amount = self.currency_id._convert(
                amount, bill.currency_id, self.company_id, bill.invoice_date or fields.Date.context_today(self)
            )
        return {
            "name": _("Supplier claim %(claim)s (%(serial)s)", claim=self.name, serial=self.lot_id.name),
            "quantity": 1.0,
            "price_unit": -amount,
            "tax_ids": [Command.clear()],
            "aftersales_supplier_claim_id": self.id,
        }

    def _prepare_line_vals_list(self, visit=None):
        """The claimed amounts proposed for the claim, per the supplier's agreement: the parts fitted on
        the visit (at cost, when the agreement claims them), the hours worked and the travel fee."""
        self.ensure_one()
        visit = visit or self.visit_id
        supplier = self.partner_id.commercial_partner_id.with_company(self.company_id)
        vals_list = []
        if supplier.aftersales_claim_parts_at_cost:
            vals_list += self._prepare_part_line_vals_list(visit)
        if visit.time_spent and supplier.aftersales_claim_labour_rate:
            vals_list.append(
                {
                    "line_type": "labour",
                    "name": _("Labour, visit %(visit)s", visit=visit.name),
                    "quantity": visit.time_spent,
                    "price_unit": supplier.aftersales_claim_labour_rate,
                }
            )
        if visit and supplier.aftersales_claim_travel_fee:
            vals_list.append(
                {
                    "line_type": "travel",
                    "name": _("Travel, visit %(visit)s", visit=visit.name),
                    "quantity": 1.0,
                    "price_unit": supplier.aftersales_claim_travel_fee,
                }
            )
        return vals_list

    def _prepare_part_line_vals_list(self, visit):
        """The parts fitted on ``visit`` claimed at cost; the parts addon knows them."""
        return []

    def _credit_posted(self, moves):
        """The supplier credited the claims by ``moves``: the claims waiting for its answer are accepted."""
        sent = self.filtered(lambda claim: claim.state == "sent")
        if not sent:
            return
        with sent._unguard("state"):
            sent.write({"state": "accepted"})
        for claim in sent:
            documents = (claim.credit_note_ids | claim.deduction_line_ids.move_id) & moves
            claim.message_post(
                body=_(
                    "Accepted: the supplier credited the claim by %(documents)s.",
                    documents=", ".join(documents.mapped("display_name")),
                )
            )

    @api.model
    def _claim_partner(self, lot, ticket):
        """Who the claim goes to: the manufacturer who dispatched the job, else the unit's warranty supplier."""
        if ticket.job_origin == "manufacturer" and ticket.manufacturer_id:
            return ticket.manufacturer_id
        return lot.aftersales_supplier_id

    @api.model
    def _is_repair(self, ticket, visit):
        """Only repairs are claimed: a repair visit, or without visit a ticket repaired on a visit or of the
        repair type. Installations, maintenance and inspections are not the supplier's to pay."""
        if visit:
            return visit.visit_kind == "repair"
        if ticket:
            repair_type = self.env.ref("aftersales_service.ticket_type_repair", raise_if_not_found=False)
            visits = self.env["aftersales.visit"].sudo().search([("ticket_id", "=", ticket.id)])
            return any(kind == "repair" for kind in visits.mapped("visit_kind")) or (
                not visits and bool(repair_type) and ticket.ticket_type_id == repair_type
            )
        return True

    @api.model
    def _prepare_claim_vals(self, lot, ticket, visit):
        """Values of the draft claim proposed for ``lot`` replaced or repaired on ``ticket``."""
        reason = _(
            "%(product)s %(serial)s failed under supplier warranty",
            product=lot.product_id.display_name,
            serial=lot.name,
        )
        if ticket:
            reason = _(
                "%(reason)s (ticket %(ticket)s: %(subject)s).",
                reason=reason,
                ticket=ticket.reference,
                subject=ticket.name,
            )
        return {
            "partner_id": self._claim_partner(lot, ticket).id,
            "lot_id": lot.id,
            "ticket_id": ticket.id,
            "visit_id": visit.id,
            "company_id": (lot.company_id or ticket.company_id or self.env.company).id,
            "reason": reason,
        }

    @api.model
    def _propose(self, lots, ticket=None, visit=None):
        """Propose a draft claim on the supplier for each lot still under supplier warranty repaired.

        Only repairs are claimed (see ``_is_repair``). The job of a manufacturer's call centre is
        claimed from that manufacturer, whatever the supplier warranty of the unit. A lot gets one
        claim per ticket (and one without ticket): proposing again changes nothing, and a claim
        cancelled by the team is not proposed anew. The first claim of a visit gets the claimed
        amounts of the visit. Returns the new claims.
        """
        ticket = ticket or self.env["aftersales.ticket"]
        visit = visit or self.env["aftersales.visit"]
        if not self._is_repair(ticket, visit):
            return self.browse()
        if not (ticket.job_origin == "manufacturer" and ticket.manufacturer_id):
            on_date = visit.check_out and fields.Date.context_today(self, visit.check_out) or None
            lots = lots._aftersales_under_supplier_warranty(on_date)
        if not lots:
            return self.browse()
        claimed = self.sudo().search([("lot_id", "in", lots.ids), ("ticket_id", "=", ticket.id)]).lot_id
        lots -= claimed
        if not lots:
            return self.browse()
        claims = self.sudo().create([self._prepare_claim_vals(lot, ticket, visit) for lot in lots])
        if visit and not self.sudo().search_count([("visit_id", "=", visit.id), ("id", "not in", claims.ids)]):
            first = claims[:1]
            first.write({"line_ids": [Command.create(vals) for vals in first._prepare_line_vals_list(visit)]})
        return claims
