from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

FOLLOWUP_KINDS = [
    ("after_service", "After Service"),
    ("care", "Care Call"),
]

FOLLOWUP_STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]

YES_NO = [
    ("yes", "Yes"),
    ("no", "No"),
]

# visits that end with a follow-up call when their ticket's type asks for one
FOLLOWUP_VISIT_KINDS = ("installation", "repair")


class AftersalesFollowup(models.Model):
    _name = "aftersales.followup"
    _description = "Follow-up Call"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "date_planned, id"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    kind = fields.Selection(FOLLOWUP_KINDS, required=True, default="after_service", tracking=True)
    ticket_id = fields.Many2one("aftersales.ticket", index=True, check_company=True, ondelete="restrict", tracking=True)
    visit_id = fields.Many2one(
        "aftersales.visit",
        string="After Visit",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        domain="[('ticket_id', '=?', ticket_id)]",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
    partner_mobile = fields.Char(related="partner_id.mobile", string="Mobile")
    product_id = fields.Many2one(related="ticket_id.product_id")
    lot_id = fields.Many2one(related="ticket_id.lot_id", string="Serial Number")
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Who calls the customer.",
    )
    date_planned = fields.Date(string="Planned on", required=True, index=True, tracking=True, default=fields.Date.today)
    state = fields.Selection(FOLLOWUP_STATES, required=True, default="planned", index=True, tracking=True, copy=False)
    call_date = fields.Datetime(string="Called on", copy=False, tracking=True)
    done_by_id = fields.Many2one("res.users", string="Called by", readonly=True, copy=False, tracking=True)
    satisfied = fields.Selection(YES_NO, string="Customer Satisfied", copy=False, tracking=True)
    fee_correct = fields.Selection(
        YES_NO,
        string="Fee Charged Correctly",
        copy=False,
        tracking=True,
        help="The customer agrees with what was charged for the service (leave empty when nothing was charged).",
    )
    problem_solved = fields.Selection(YES_NO, copy=False, tracking=True)
    notes = fields.Html(copy=False)
    cancel_reason = fields.Text(copy=False, tracking=True, help="Why the call is not made; required to cancel it.")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("ticket_id")
    def _compute_company_id(self):
        for followup in self:
            if followup.ticket_id:
                followup.company_id = followup.ticket_id.company_id
            elif not followup.company_id:
                followup.company_id = self.env.company

    @api.depends("ticket_id")
    def _compute_partner_id(self):
        for followup in self:
            if followup.ticket_id.partner_id and not followup.partner_id:
                followup.partner_id = followup.ticket_id.partner_id

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        # the call is recorded, cancelled or planned again by the actions, which check the outcome
        return super()._guarded_fields() | {"name", "state", "done_by_id"}

    @api.model_create_multi
    def create(self, vals_list):
        self._guard_check_create(vals_list)
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.followup") or _("New")
        with self._unguard("name"):
            followups = super().create(vals_list)
        followups.filtered(lambda f: f.state == "planned")._schedule_activity()
        return followups

    def write(self, vals):
        result = super().write(vals)
        if {"user_id", "date_planned"}.intersection(vals):
            planned = self.filtered(lambda f: f.state == "planned")
            planned.activity_unlink(["aftersales_service.mail_activity_type_followup_call"])
            planned._schedule_activity()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_recorded(self):
        if any(followup.state == "done" for followup in self):
            raise UserError(
                _("Follow-up calls that were made are part of the ticket's history: they cannot be deleted.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_done(self):
        """Record the outcome of the call; a problem not solved brings the ticket back."""
        not_planned = self.filtered(lambda f: f.state != "planned")
        if not_planned:
            raise UserError(
                _(
                    "Only planned follow-ups can be recorded: %(followups)s",
                    followups=", ".join(not_planned.mapped("name")),
                )
            )
        self._check_outcome()
        now = fields.Datetime.now()
        with self._unguard("state", "done_by_id"):
            for followup in self:
                followup.write(
                    {
                        "state": "done",
                        "call_date": followup.call_date or now,
                        "done_by_id": self.env.user.id,
                    }
                )
        self.activity_feedback(["aftersales_service.mail_activity_type_followup_call"])
        self.filtered(lambda f: f.problem_solved == "no" and f.ticket_id)._reopen_tickets()
        return True

    def _check_outcome(self):
        """Refuse to record calls whose outcome is missing; each kind of call asks its own questions."""
        for followup in self:
            if not followup.satisfied:
                raise UserError(
                    _("Ask whether the customer is satisfied before closing follow-up %(name)s.", name=followup.name)
                )
            if followup.kind == "after_service" and not followup.problem_solved:
                raise UserError(
                    _("Record whether the problem is solved before closing follow-up %(name)s.", name=followup.name)
                )

    def action_cancel(self):
        wrong = self.filtered(lambda f: f.state != "planned")
        if wrong:
            raise UserError(
                _("Only planned follow-ups can be cancelled: %(followups)s", followups=", ".join(wrong.mapped("name")))
            )
        missing = self.filtered(lambda f: not (f.cancel_reason or "").strip())
        if missing:
            raise UserError(
                _(
                    "Write why the call is not made before cancelling %(followups)s.",
                    followups=", ".join(missing.mapped("name")),
                )
            )
        with self._unguard("state"):
            self.write({"state": "cancel"})
        self.activity_unlink(["aftersales_service.mail_activity_type_followup_call"])
        return True

    def action_plan(self):
        wrong = self.filtered(lambda f: f.state != "cancel")
        if wrong:
            raise UserError(
                _(
                    "Only cancelled follow-ups can be planned again: %(followups)s",
                    followups=", ".join(wrong.mapped("name")),
                )
            )
        with self._unguard("state"):
            self.write({"state": "planned", "cancel_reason": False})
        self._schedule_activity()
        return True

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _schedule_activity(self):
        """The call goes to the follow-up's agent, else the team leader, else the branch manager, else an
        after-sales manager of the company; with nobody, the follow-up's chatter says so."""
        for followup in self:
            team, branch = followup._get_caller_team_and_branch()
            caller = followup.company_id._aftersales_responsible_user(
                assignee=followup.user_id, team=team, branch=branch
            )
            if not caller:
                followup._message_log(
                    body=_(
                        "Nobody could be asked to make this call: the follow-up has no agent, the team no leader, "
                        "the branch no manager and the company no after-sales manager."
                    )
                )
                continue
            followup.activity_schedule(
                "aftersales_service.mail_activity_type_followup_call",
                date_deadline=followup.date_planned,
                user_id=caller.id,
                note=_("Call %(customer)s: follow-up %(name)s.", customer=followup.partner_id.name, name=followup.name),
            )

    def _get_caller_team_and_branch(self):
        """The team whose leader, then the branch whose manager, makes the call when it has no agent."""
        self.ensure_one()
        return self.ticket_id.team_id, self.ticket_id.branch_id

    def _reopen_tickets(self):
        """The problem is not solved: the ticket stays open (or is reopened) with an activity for its agent."""
        for followup in self:
            ticket = followup.ticket_id
            if ticket.is_closed:
                ticket._reopen(_("Follow-up call %(call)s: problem not solved.", call=followup.name))
            # the ticket's agent, else the caller's chain of responsible people, else who logged the call
            agent = ticket.company_id._aftersales_responsible_user(
                assignee=ticket.user_id or followup.user_id, team=ticket.team_id, branch=ticket.branch_id
            )
            ticket.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(agent or self.env.user).id,
                summary=_("Problem not solved"),
                note=_(
                    "The customer told %(agent)s on the follow-up call %(name)s that the problem is not solved.",
                    agent=self.env.user.name,
                    name=followup.name,
                ),
            )

    @api.model
    def _prepare_visit_followup_vals(self, visit):
        """The follow-up call planned when ``visit`` is done."""
        ticket = visit.ticket_id
        done_on = fields.Datetime.context_timestamp(visit, visit.check_out or fields.Datetime.now()).date()
        return {
            "kind": "after_service",
            "ticket_id": ticket.id,
            "visit_id": visit.id,
            "partner_id": (ticket.partner_id or visit.partner_id).id,
            "user_id": (ticket.user_id or ticket.team_id.user_id or self.env.user).id,
            "date_planned": done_on + timedelta(days=ticket.ticket_type_id.followup_delay),
        }

    @api.model
    def _plan_for_visits(self, visits):
        """Plan a follow-up call for the installations and repairs done on tickets whose type asks for one.

        A call still planned on the ticket moves to the new date instead of a second call.
        """
        visits = visits.filtered(
            lambda v: (
                v.state == "done"
                and v.visit_kind in FOLLOWUP_VISIT_KINDS
                and v.ticket_id.ticket_type_id.followup_required
            )
        )
        if not visits:
            return self.browse()
        planned = self.search(
            [("ticket_id", "in", visits.ticket_id.ids), ("state", "=", "planned"), ("kind", "=", "after_service")]
        )
        by_ticket = {followup.ticket_id: followup for followup in planned}
        result, vals_list = self.browse(), []
        for visit in visits:
            vals = self._prepare_visit_followup_vals(visit)
            existing = by_ticket.get(visit.ticket_id)
            if existing:
                existing.write({"visit_id": visit.id, "date_planned": vals["date_planned"]})
                result |= existing
            else:
                vals_list.append(vals)
        return result | self.create(vals_list)

    @api.model
    def _cron_plan_care_calls(self):
        """The monthly call list: a care call for each customer whose ticket was closed last month
        and who got no follow-up call since, for the agent of their latest such ticket."""
        first_of_month = fields.Date.context_today(self).replace(day=1)
        start = fields.Datetime.to_datetime(first_of_month - relativedelta(months=1))
        end = fields.Datetime.to_datetime(first_of_month)
        tickets = self.env["aftersales.ticket"].search(
            [("is_closed", "=", True), ("closed_date", ">=", start), ("closed_date", "<", end)],
            order="closed_date desc, id desc",
        )
        if not tickets:
            return self.browse()
        called = {
            partner.id
            for [partner] in self._read_group(
                [
                    ("partner_id.commercial_partner_id", "in", tickets.commercial_partner_id.ids),
                    ("state", "!=", "cancel"),
                    "|",
                    ("date_planned", ">=", first_of_month - relativedelta(months=1)),
                    ("call_date", ">=", start),
                ],
                ["partner_id"],
            )
        }
        called_commercial = set(self.env["res.partner"].browse(called).commercial_partner_id.ids)
        vals_list, seen = [], set()
        for ticket in tickets:
            customer = ticket.commercial_partner_id
            if not customer or customer.id in seen or customer.id in called_commercial:
                continue
            seen.add(customer.id)
            vals_list.append(
                {
                    "kind": "care",
                    "ticket_id": ticket.id,
                    "partner_id": ticket.partner_id.id,
                    "user_id": (ticket.user_id or ticket.team_id.user_id).id,
                    "date_planned": first_of_month,
                }
            )
        return self.create(vals_list)
