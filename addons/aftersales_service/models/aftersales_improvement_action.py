from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

IMPROVEMENT_STATES = [
    ("open", "Open"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]

IMPROVEMENT_ORIGINS = [
    ("review", "Quality Review"),
    ("ticket", "Complaint"),
    ("call", "Network Call"),
]

# days given to the responsible when the action is opened
DEFAULT_DEADLINE_DAYS = 14

ACTION_ACTIVITY = "aftersales_service.mail_activity_type_improvement_action"
OVERDUE_ACTIVITY = "aftersales_service.mail_activity_type_improvement_overdue"


class AftersalesImprovementAction(models.Model):
    """What a branch or a service partner changes after a quality review's findings or a customer's complaint,
    followed until it is done (with a closing note) or cancelled (with a reason)."""

    _name = "aftersales.improvement.action"
    _description = "Improvement Action"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "date_deadline, id"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    reference = fields.Char(readonly=True, copy=False, index="trigram", default=lambda self: _("New"))
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    origin = fields.Selection(IMPROVEMENT_ORIGINS, required=True, readonly=True, tracking=True)
    review_id = fields.Many2one(
        "aftersales.quality.review",
        string="Quality Review",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        readonly=True,
    )
    ticket_id = fields.Many2one(
        "aftersales.ticket",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        readonly=True,
        help="The complaint ticket the action answers, or the ticket of the reviewed job.",
    )
    followup_id = fields.Many2one(
        "aftersales.followup",
        string="Network Call",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        readonly=True,
        help="The call to the network whose issues the action answers.",
    )
    branch_id = fields.Many2one(
        "aftersales.branch", index="btree_not_null", check_company=True, ondelete="restrict", tracking=True
    )
    service_partner_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        domain="[('aftersales_service_partner', '=', True)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    date_deadline = fields.Date(
        string="Deadline",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: fields.Date.context_today(self) + relativedelta(days=DEFAULT_DEADLINE_DAYS),
    )
    description = fields.Html()
    state = fields.Selection(
        IMPROVEMENT_STATES,
        required=True,
        default="open",
        index=True,
        copy=False,
        tracking=True,
        group_expand="_expand_states",
    )
    closing_note = fields.Text(copy=False, help="What was changed; required to close the action.")
    cancel_reason = fields.Text(copy=False, help="Why the action is dropped; required to cancel it.")
    date_closed = fields.Datetime(string="Closed on", readonly=True, copy=False)
    closed_by_id = fields.Many2one("res.users", string="Closed by", readonly=True, copy=False)
    is_overdue = fields.Boolean(string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue")
    overdue_reminded = fields.Boolean(
        readonly=True, copy=False, help="The responsible was reminded once that the deadline passed."
    )
    color = fields.Integer(compute="_compute_is_overdue")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("state", "date_deadline")
    @api.depends_context("tz")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for action in self:
            action.is_overdue = action.state in ("open", "in_progress") and action.date_deadline < today
            action.color = 1 if action.is_overdue else 0

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search the overdue actions with “is set” or “is not set”."))
        today = fields.Date.context_today(self)
        if (operator == "=") == value:
            return [("state", "in", ("open", "in_progress")), ("date_deadline", "<", today)]
        return ["|", ("state", "not in", ("open", "in_progress")), ("date_deadline", ">=", today)]

    def _expand_states(self, states, domain):
        """The kanban shows the running and done columns in their order, the cancelled one when it has cards."""
        return [key for key, __ in IMPROVEMENT_STATES if key != "cancel" or key in states]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        # where the action comes from is set when it is opened; its closing by the actions
        return super()._guarded_fields() | {
            "reference",
            "origin",
            "review_id",
            "ticket_id",
            "followup_id",
            "state",
            "date_closed",
            "closed_by_id",
            "overdue_reminded",
        }

    def _locked_records(self):
        return self.filtered(lambda action: action.state in ("done", "cancel"))

    def _lock_refusal(self, field_names):
        return self._closed_refusal(field_names)

    @api.model_create_multi
    def create(self, vals_list):
        self._guard_check_create(vals_list)
        for vals in vals_list:
            if vals.get("reference", _("New")) == _("New"):
                vals["reference"] = self.env["ir.sequence"].next_by_code("aftersales.improvement.action") or _("New")
        with self._unguard("reference"):
            actions = super().create(vals_list)
        actions.filtered("user_id")._schedule_action_activity()
        return actions

    def write(self, vals):
        if "branch_id" in vals:
            self._check_branch_change(vals["branch_id"])
        if "date_deadline" in vals:
            with self._unguard("overdue_reminded"):
                vals = dict(vals, overdue_reminded=False)
                result = super().write(vals)
        else:
            result = super().write(vals)
        if {"user_id", "date_deadline"}.intersection(vals):
            running = self.filtered(lambda a: a.state in ("open", "in_progress"))
            running.activity_unlink([ACTION_ACTIVITY, OVERDUE_ACTIVITY])
            running.filtered("user_id")._schedule_action_activity()
        return result

    def _check_branch_change(self, branch_id):
        """A branch user moves an action only to a branch they see: never out of their subtree, nor to no branch
        (which every branch sees). Headquarters users move it anywhere."""
        if self.env.su or not self._guard_changes("branch_id", branch_id):
            return
        allowed = self.env.user._aftersales_branches()
        if allowed and (branch_id or False) not in allowed.ids:
            raise AccessError(
                _(
                    "You can only move %(actions)s to one of your branches or the branches below them.",
                    actions=", ".join(self.mapped("display_name")[:5]),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_tracked(self):
        raise UserError(_("Improvement actions are tracked to their closure: cancel them instead of deleting them."))

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for action in self:
            action.display_name = f"{action.reference} {action.name}" if action.reference else action.name

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        self._check_state(("open",), _("Only open actions can be started: %(actions)s"))
        with self._unguard("state"):
            self.write({"state": "in_progress"})
        return True

    def action_done(self):
        """Close the action: the closing note says what was changed."""
        self._check_state(("open", "in_progress"), _("Only running actions can be closed: %(actions)s"))
        missing = self.filtered(lambda a: not (a.closing_note or "").strip())
        if missing:
            raise UserError(
                _(
                    "Write what was changed (the closing note) before closing %(actions)s.",
                    actions=", ".join(missing.mapped("display_name")),
                )
            )
        with self._unguard("state", "date_closed", "closed_by_id"):
            self.write({"state": "done", "date_closed": fields.Datetime.now(), "closed_by_id": self.env.user.id})
        self.activity_feedback([ACTION_ACTIVITY, OVERDUE_ACTIVITY])
        return True

    def action_cancel(self):
        """Managers drop an action, with a reason."""
        if not self.env.user.has_group("aftersales_service.aftersales_service_group_manager"):
            raise AccessError(_("Only after-sales managers can cancel improvement actions."))
        self._check_state(("open", "in_progress"), _("Only running actions can be cancelled: %(actions)s"))
        missing = self.filtered(lambda a: not (a.cancel_reason or "").strip())
        if missing:
            raise UserError(
                _(
                    "Write why the action is dropped before cancelling %(actions)s.",
                    actions=", ".join(missing.mapped("display_name")),
                )
            )
        with self._unguard("state", "date_closed", "closed_by_id"):
            self.write({"state": "cancel", "date_closed": fields.Datetime.now(), "closed_by_id": self.env.user.id})
        self.activity_unlink([ACTION_ACTIVITY, OVERDUE_ACTIVITY])
        return True

    # ------------------------------------------------------------------
    # Origins and reminders
    # ------------------------------------------------------------------

    @api.model
    def _create_from_origin(self, vals):
        """An action opened by a review, a complaint ticket or a network call (their buttons), which set where
        it comes from."""
        with self._unguard("origin", "review_id", "ticket_id", "followup_id"):
            return self.create(vals)

    def _get_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _cron_remind_overdue(self):
        """Once per action past its deadline, an activity reminds its responsible. The queries do not grow
        with the number of actions: one search, one batch of activities, one write."""
        overdue = self.search([("is_overdue", "=", True), ("overdue_reminded", "=", False), ("user_id", "!=", False)])
        if not overdue:
            return overdue
        activity_type = self.env.ref(OVERDUE_ACTIVITY)
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": action.id,
                    "activity_type_id": activity_type.id,
                    "user_id": action.user_id.id,
                    "date_deadline": today,
                    "summary": self.env._("Overdue since %(date)s", date=action.date_deadline),
                }
                for action in overdue
            ]
        )
        with self._unguard("overdue_reminded"):
            overdue.write({"overdue_reminded": True})
        return overdue

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _check_state(self, states, message):
        wrong = self.filtered(lambda a: a.state not in states)
        if wrong:
            raise UserError(message % {"actions": ", ".join(wrong.mapped("display_name"))})

    def _schedule_action_activity(self):
        for action in self:
            action.activity_schedule(
                ACTION_ACTIVITY,
                date_deadline=action.date_deadline,
                user_id=action.user_id.id,
                note=_("Carry out improvement action %(name)s.", name=action.display_name),
            )
