"""The approval of returns: in one step, or in two where the company wants it (customer service, then
finance for the refunds above the company's threshold)."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .aftersales_rma import (
    ACCOUNTANT_GROUP,
    APPROVE_GROUPS,
    FINANCE_ACTIVITY,
    FINANCE_GROUPS,
    MANAGER_GROUP,
)


class AftersalesRmaApproval(models.Model):
    _inherit = "aftersales.rma"  # pylint: disable=consider-merging-classes-inherited

    cs_approved_by_id = fields.Many2one(
        "res.users",
        string="Approved By",
        readonly=True,
        copy=False,
        help="Who approved the return (for customer service, when returns are approved in two steps).",
    )
    cs_approved_date = fields.Datetime(string="Customer Service Approval", readonly=True, copy=False)
    finance_approved_by_id = fields.Many2one(
        "res.users",
        string="Refund Approved By",
        readonly=True,
        copy=False,
        help="Who approved the refund for finance, when it was above the company's threshold.",
    )
    finance_approved_date = fields.Datetime(string="Refund Approved On", readonly=True, copy=False)
    can_approve_finance = fields.Boolean(
        compute="_compute_can_approve_finance", help="Whether the current user approves refunds for finance."
    )

    @api.depends_context("uid")
    def _compute_can_approve_finance(self):
        user = self.env.user
        allowed = any(user.has_group(group) for group in FINANCE_GROUPS)
        for rma in self:
            rma.can_approve_finance = allowed

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_approve(self):
        """The Approve button (see :meth:`_approve`)."""
        return self._approve()

    def _approve(self, reason=None):
        """Approve drafts (the first step), or the refunds waiting for finance (the second step);
        ``reason``, if given, goes to the audit log with the approvals it records.

        A return is approved once all its steps are: its receipts (or shipments) are created and the
        customer is told by e-mail.
        """
        self._check_state(("draft", "to_approve"), _("Approving"))
        # customer returns: agents, and accountants for the refunds; supplier returns: agents and parts clerks
        self._check_record_access()
        drafts = self.filtered(lambda rma: rma.state == "draft")
        approved = drafts._approve_request(reason)
        approved |= (self - drafts)._approve_refund(reason)
        for rma in approved.sudo():
            rma._create_receipts()
        approved._notify_customer("approved")
        return True

    # ------------------------------------------------------------------
    # The steps
    # ------------------------------------------------------------------

    def _needs_finance_approval(self):
        """Whether the refund of this draft is above its company's threshold."""
        self.ensure_one()
        limit = self.company_id.aftersales_rma_approval_amount
        return (
            self.direction == "customer"
            and bool(limit)
            and self.currency_id.compare_amounts(self.amount_refundable, limit) > 0
        )

    def _check_approvable(self):
        """Refuse to approve returns without lines, or whose lines are no longer returnable. The returns
        approved together are checked together: what they take of a delivery, an invoice or the stock adds up."""
        empty = self.filtered(lambda rma: not rma.line_ids)
        if empty:
            raise UserError(_("Add the returned products to %(rma)s before approving it.", rma=empty[0].name))
        suppliers = self.filtered(lambda rma: rma.direction == "supplier")
        suppliers.line_ids._check_supplier_lines()
        lines = (self - suppliers).line_ids
        lines._check_return_window()
        lines._check_returnable_quantities()
        lines._check_refundable_at_approval()

    def _approve_request(self, reason=None):
        """The first step, for the drafts of ``self``: customer service (agents; accountants too for the
        refunds, parts clerks for the returns to suppliers) approves.

        Where the company approves returns in one step, the refunds above its threshold are approved by an
        after-sales manager or accountant, and written down in the audit log. Where it approves them in two,
        they wait for finance (see :meth:`_approve_refund`). Returns the returns now fully approved.
        """
        if not self:
            return self
        self._check_role(_("Approving"), APPROVE_GROUPS)
        self._check_approvable()
        user = self.env.user
        is_finance = any(user.has_group(group) for group in FINANCE_GROUPS)
        over_limit = self.filtered(lambda rma: rma._needs_finance_approval())
        to_finance = over_limit.filtered(lambda rma: rma.company_id.aftersales_rma_staged_approval)
        over_limit -= to_finance
        if over_limit and not is_finance:
            rma = over_limit[0]
            raise UserError(
                _(
                    "The refund of %(rma)s (%(amount)s) is above %(limit)s: "
                    "an after-sales manager or accountant approves it.",
                    rma=rma.name,
                    amount=rma.amount_refundable,
                    limit=rma.company_id.aftersales_rma_approval_amount,
                )
            )
        approved = self - to_finance
        now = fields.Datetime.now()
        # sudo: the approvers were checked above; accountants only read returns
        to_finance.sudo().write({"state": "to_approve", "cs_approved_by_id": user.id, "cs_approved_date": now})
        approved.sudo().write({"state": "approved", "cs_approved_by_id": user.id, "cs_approved_date": now})
        over_limit._audit_approval("rma_approved_over_limit", reason)
        staged = self.filtered(
            lambda rma: rma.direction == "customer" and rma.company_id.aftersales_rma_staged_approval
        )
        staged._audit_approval("rma_cs_approved", reason, with_limit=False)
        for rma in to_finance.sudo():
            rma._ask_finance_approval()
        # one step: the tracking of the status says who approved; two: the chatter tells each step
        for rma in (approved & staged).sudo():
            rma.message_post(
                body=_("Approved by %(user)s for customer service.", user=user.name), subtype_xmlid="mail.mt_note"
            )
        return approved

    def _ask_finance_approval(self):
        """Note the first step in the chatter and ask finance to approve the refund of this return.
        Called as superuser by the first step, once it is allowed."""
        self.ensure_one()
        limit = self.company_id.aftersales_rma_approval_amount
        note = _(
            "Approved by %(user)s for customer service. Its refund (%(amount)s %(currency)s) is above "
            "%(limit)s %(currency)s: finance approves it before the goods come back.",
            user=self.cs_approved_by_id.name,
            amount=self.currency_id.round(self.amount_refundable),
            limit=limit,
            currency=self.currency_id.name,
        )
        self.message_post(body=note, subtype_xmlid="mail.mt_note")
        approver = self._finance_approver()
        if not approver:
            self.message_post(
                body=_(
                    "Nobody can be asked to approve the refund: the company has no after-sales accountant or "
                    "manager who sees this return. Give one of them the after-sales accountant role."
                ),
                subtype_xmlid="mail.mt_note",
            )
            return
        self.activity_schedule(FINANCE_ACTIVITY, user_id=approver.id, note=note)

    def _finance_approver(self):
        """Who is asked to approve the refund: an after-sales accountant of the company who sees the return
        (not who approved it for customer service), else an after-sales manager. Empty when there is none."""
        self.ensure_one()
        company = self.company_id
        # sudo: who holds the finance role is read to route the work only
        accountants = self.env.ref(ACCOUNTANT_GROUP).sudo().users.sorted("id")
        for user in accountants:
            if (
                user != self.cs_approved_by_id
                and company._aftersales_is_real_user(user)
                and self.with_user(user).has_access("read")
            ):
                return user.with_env(self.env)
        return company._aftersales_responsible_user()

    def _approve_refund(self, reason=None):
        """The second step, for the returns of ``self`` waiting for finance: an after-sales accountant or
        manager approves the refund. Who approved the first step does not approve the second, unless they
        are an after-sales manager. Returns the returns now fully approved."""
        if not self:
            return self
        self._check_finance_rights()
        user = self.env.user
        if not user.has_group(MANAGER_GROUP):
            own = self.filtered(lambda rma: rma.cs_approved_by_id == user)
            if own:
                raise UserError(
                    _(
                        "You approved %(rmas)s for customer service: another after-sales accountant or a manager "
                        "approves their refund.",
                        rmas=", ".join(own.mapped("name")),
                    )
                )
        # asked in time: the return window was checked by the first step
        self.line_ids._check_returnable_quantities()
        # sudo: finance was checked above; accountants only read returns
        self.sudo().write(
            {"state": "approved", "finance_approved_by_id": user.id, "finance_approved_date": fields.Datetime.now()}
        )
        self._audit_approval("rma_finance_approved", reason)
        for rma in self.sudo():
            rma.message_post(
                body=_("Refund approved by %(user)s for finance.", user=user.name), subtype_xmlid="mail.mt_note"
            )
        self.sudo().activity_feedback([FINANCE_ACTIVITY])
        return self

    def _audit_approval(self, action, reason=None, with_limit=True):
        """Write down in the audit log the approval ``action`` of the returns of ``self`` with ``reason``,
        their refund and, ``with_limit``, the company's approval threshold it is above."""
        limits = None
        if with_limit:
            limits = {
                rma.id: self.env._("Limit: %(limit)s", limit=rma.company_id.aftersales_rma_approval_amount)
                for rma in self
            }
        self.env["aftersales.audit.log"]._audit(
            action,
            self,
            reason,
            old=limits,
            new={rma.id: self.env._("Refund: %(amount)s", amount=rma.amount_refundable) for rma in self},
            require_reason=False,
        )

    def _check_finance_rights(self):
        """Refuse the finance step to whoever is neither an after-sales accountant nor a manager."""
        if self.env.su:
            return
        user = self.env.user
        if not any(user.has_group(group) for group in FINANCE_GROUPS):
            raise AccessError(
                _(
                    "The refunds of %(rmas)s are approved by an after-sales accountant or manager, not %(user)s.",
                    rmas=", ".join(self.mapped("name")),
                    user=user.name,
                )
            )
