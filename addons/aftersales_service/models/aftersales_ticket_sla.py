"""The service level of a ticket: its policy, its deadlines in working hours counted from the request,
the pauses, the first response and the next reply (their escalation: ``aftersales_ticket_sla_escalation``)."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .aftersales_ticket import SLA_STATUSES

# channels where the agent who opens the ticket is talking with the customer
RESPONDING_CHANNELS = ("phone", "walk_in")
# the fields the SLA computes, the stage changes, the SLA actions, the mail hook and the escalation cron
# write, never a client
SLA_GUARDED_FIELDS = frozenset(
    {
        "first_response_date",
        "sla_response_deadline",
        "sla_resolve_deadline",
        "sla_at_risk_date",
        "sla_status",
        "sla_paused_hours",
        "sla_paused_since",
        "sla_escalated",
        "sla_reply_since",
        "sla_reply_deadline",
    }
)
AGENT_GROUP = "aftersales_service.aftersales_service_group_user"


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    request_date = fields.Datetime(
        string="Reported on",
        required=True,
        default=fields.Datetime.now,
        copy=False,
        help="When the customer asked; the SLA deadlines count from here.",
    )
    sla_policy_id = fields.Many2one(
        "aftersales.sla.policy",
        string="SLA Policy",
        index=True,
        check_company=True,
        compute="_compute_sla_policy_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    sla_response_deadline = fields.Datetime(
        string="Respond by",
        compute="_compute_sla_deadlines",
        store=True,
        precompute=True,
        tracking=True,
    )
    sla_resolve_deadline = fields.Datetime(
        string="Solve by",
        index=True,
        compute="_compute_sla_deadlines",
        store=True,
        precompute=True,
        tracking=True,
    )
    sla_at_risk_date = fields.Datetime(
        string="At Risk from",
        compute="_compute_sla_deadlines",
        store=True,
        precompute=True,
    )
    first_response_date = fields.Datetime(
        string="First Response",
        readonly=True,
        copy=False,
        help="The first answer to the customer: an e-mail or portal message from an employee, the "
        "Responded button, or the opening of a phone or walk-in ticket by an employee.",
    )
    sla_paused_hours = fields.Float(
        string="Paused Working Hours",
        readonly=True,
        copy=False,
        help="Working time spent in stages that pause the SLA; the deadlines move by it.",
    )
    sla_paused_since = fields.Datetime(readonly=True, copy=False)
    sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA Status",
        index=True,
        compute="_compute_sla_status",
        store=True,
        precompute=True,
    )
    sla_reply_since = fields.Datetime(
        string="Customer Waiting since",
        readonly=True,
        copy=False,
        help="The customer's message that waits for an answer, after the first response.",
    )
    sla_reply_deadline = fields.Datetime(
        string="Reply by",
        index=True,
        compute="_compute_sla_reply_deadline",
        store=True,
        precompute=True,
        copy=False,
        help="The next reply target of the SLA policy, counted in its working hours from the customer's "
        "message waiting for an answer.",
    )
    sla_reply_overdue = fields.Boolean(
        string="Reply Overdue",
        compute="_compute_sla_reply_overdue",
        search="_search_sla_reply_overdue",
    )
    escalation_ids = fields.One2many("aftersales.ticket.escalation", "ticket_id", string="Escalations", readonly=True)
    sla_escalated = fields.Boolean(
        string="Escalated",
        compute="_compute_sla_escalated",
        store=True,
        precompute=True,
        help="A missed target of this ticket is escalated over its assignee's head (level 1 or 2).",
    )

    @api.depends("team_id", "ticket_type_id", "priority", "partner_id.category_id", "company_id")
    def _compute_sla_policy_id(self):
        # a closed ticket keeps the policy it was judged on
        tickets = self.filtered(lambda t: not (t.is_closed and t.sla_policy_id))
        for ticket, policy in self.env["aftersales.sla.policy"]._match(tickets).items():
            ticket.sla_policy_id = policy

    @api.depends(
        "sla_policy_id.calendar_id",
        "sla_policy_id.response_hours",
        "sla_policy_id.resolution_hours",
        "sla_policy_id.at_risk_percent",
        "request_date",
        "sla_paused_hours",
    )
    def _compute_sla_deadlines(self):
        """Plan the deadlines in working hours, one calendar at a time.

        The paused working time is added to the targets, so a pause pushes the
        deadlines by exactly the working time spent waiting.
        """
        by_calendar = defaultdict(list)
        for ticket in self:
            if ticket.is_closed and ticket.sla_resolve_deadline:
                continue  # a closed ticket keeps the deadlines it was judged on
            if not ticket.sla_policy_id or not ticket.request_date:
                ticket.sla_response_deadline = ticket.sla_resolve_deadline = False
                ticket.sla_at_risk_date = False
                continue
            by_calendar[ticket.sla_policy_id.calendar_id].append(ticket.id)
        for calendar, ticket_ids in by_calendar.items():
            tickets = self.browse(ticket_ids)
            requests = []
            for ticket in tickets:
                policy, paused = ticket.sla_policy_id, ticket.sla_paused_hours
                requests += [
                    (ticket.request_date, policy.response_hours + paused),
                    (ticket.request_date, policy.resolution_hours + paused),
                    (ticket.request_date, policy.resolution_hours * policy.at_risk_percent / 100 + paused),
                ]
            planned = iter(calendar._aftersales_plan_hours_batch(requests))
            for ticket in tickets:
                ticket.sla_response_deadline = next(planned)
                ticket.sla_resolve_deadline = next(planned)
                ticket.sla_at_risk_date = next(planned)

    @api.depends(
        "sla_response_deadline",
        "sla_resolve_deadline",
        "sla_at_risk_date",
        "first_response_date",
        "closed_date",
        "sla_paused_since",
    )
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for ticket in self:
            if not ticket.sla_resolve_deadline:
                ticket.sla_status = False
                continue
            # while paused, the clock stands still at the start of the pause
            reference = ticket.closed_date or ticket.sla_paused_since or now
            responded = ticket.first_response_date or ticket.closed_date or reference
            if responded > ticket.sla_response_deadline or reference > ticket.sla_resolve_deadline:
                ticket.sla_status = "breached"
            elif not ticket.closed_date and reference >= ticket.sla_at_risk_date:
                ticket.sla_status = "at_risk"
            else:
                ticket.sla_status = "on_time"

    @api.depends("sla_reply_since", "sla_policy_id.reply_hours", "sla_policy_id.calendar_id", "is_closed")
    def _compute_sla_reply_deadline(self):
        by_calendar = defaultdict(list)
        for ticket in self:
            ticket.sla_reply_deadline = False
            if ticket.sla_reply_since and ticket.sla_policy_id.reply_hours > 0 and not ticket.is_closed:
                by_calendar[ticket.sla_policy_id.calendar_id].append(ticket)
        for calendar, tickets in by_calendar.items():
            planned = calendar._aftersales_plan_hours_batch(
                [(ticket.sla_reply_since, ticket.sla_policy_id.reply_hours) for ticket in tickets]
            )
            for ticket, deadline in zip(tickets, planned, strict=True):
                ticket.sla_reply_deadline = deadline

    @api.depends("sla_reply_deadline")
    def _compute_sla_reply_overdue(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.sla_reply_overdue = bool(ticket.sla_reply_deadline and ticket.sla_reply_deadline < now)

    def _search_sla_reply_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search the overdue replies with = or != and True or False."))
        overdue = [("sla_reply_deadline", "!=", False), ("sla_reply_deadline", "<", fields.Datetime.now())]
        if (operator == "=") == value:
            return overdue
        return ["|", ("sla_reply_deadline", "=", False), ("sla_reply_deadline", ">=", fields.Datetime.now())]

    @api.depends("escalation_ids.level", "escalation_ids.active")
    def _compute_sla_escalated(self):
        for ticket in self:
            ticket.sla_escalated = any(
                escalation.active and escalation.level != "at_risk" for escalation in ticket.escalation_ids
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | SLA_GUARDED_FIELDS

    @api.model_create_multi
    def create(self, vals_list):
        # an employee who opens a phone or walk-in ticket is answering the customer: the first response
        # is written with the ticket, and its SLA status computed once
        if self.env.su or not self.env.user._is_internal():
            return super().create(vals_list)
        self._guard_check_create(vals_list)  # the client's values first
        default_channel = None
        if any("channel" not in vals for vals in vals_list):
            default_channel = self.default_get(["channel"]).get("channel")
        now = fields.Datetime.now()
        vals_list = [
            dict(vals, first_response_date=now)
            if vals.get("channel", default_channel) in RESPONDING_CHANNELS and not vals.get("first_response_date")
            else vals
            for vals in vals_list
        ]
        with self._unguard("first_response_date"):
            return super().create(vals_list)

    def _prepare_stage_change(self, vals):
        """The SLA clock stops in the stages that pause it, and the deadlines move by the working time
        spent there when the ticket leaves them."""
        vals = super()._prepare_stage_change(vals)
        stage = self.env["aftersales.ticket.stage"].browse(vals["stage_id"])
        now = fields.Datetime.now()
        if stage.sla_pause:
            self.filtered(lambda t: not t.sla_paused_since and not t.stage_id.sla_pause).write(
                {"sla_paused_since": now}
            )
        else:
            for ticket in self.filtered("sla_paused_since"):
                calendar = ticket.sla_policy_id.calendar_id
                paused = calendar.get_work_hours_count(ticket.sla_paused_since, now) if calendar else 0.0
                ticket.write(
                    {
                        "sla_paused_since": False,
                        "sla_paused_hours": ticket.sla_paused_hours + paused,
                    }
                )
        return vals

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _message_post_after_hook(self, message, msg_values):
        """An answer of an employee to the customer records the first response and stops the reply
        clock; a message of the customer, once answered, starts it again."""
        if message.subtype_id.id == self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"):
            author = message.author_id
            from_employee = author.user_ids.filtered(lambda user: not user.share)
            if from_employee and message.message_type in ("comment", "email_outgoing"):
                # sudo: the hook keeps the books of whoever answers (the message is already checked)
                self.sudo()._record_response(message.date or fields.Datetime.now())
            elif message.message_type in ("comment", "email") and (not author or author.partner_share):
                # the customer writes (not OdooBot, nor the company sending its own e-mails)
                waiting = self.filtered(
                    lambda t: (
                        t.first_response_date
                        and not t.sla_reply_since
                        and not t.is_closed
                        and author != t.company_id.partner_id
                    )
                )
                # sudo: the customer starts the clock of the team, without the right to change the ticket
                waiting.sudo().write({"sla_reply_since": fields.Datetime.now()})
        return super()._message_post_after_hook(message, msg_values)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_responded(self):
        """The agent answered the customer by phone or at the counter: the first response, and the
        answer to the message waiting for one, are recorded now."""
        if not self.env.su and not self.env.user.has_group(AGENT_GROUP):
            raise AccessError(_("Only the service agents record that a customer was answered."))
        self.check_access("write")
        closed = self.filtered("is_closed")
        if closed:
            raise UserError(
                _("Ticket %(ticket)s is closed: reopen it to record an answer.", ticket=closed[0].display_name)
            )
        answered = self.filtered(lambda t: t.first_response_date and not t.sla_reply_since)
        if answered:
            raise UserError(
                _(
                    "The customer of ticket %(ticket)s was already answered and has not written since.",
                    ticket=answered[0].display_name,
                )
            )
        self._record_response(fields.Datetime.now())
        body = _("%(user)s answered the customer by phone or in person.", user=self.env.user.name)
        self._message_log_batch(bodies=dict.fromkeys(self.ids, body))
        return True

    def _record_response(self, when):
        """Record an answer to the customer at ``when``: the first response when none is recorded,
        and the end of the wait of the customer's last message."""
        with self._unguard("first_response_date", "sla_reply_since"):
            first = self.filtered(lambda t: not t.first_response_date)
            if first:
                first.write({"first_response_date": when})
            waiting = self.filtered("sla_reply_since")
            if waiting:
                waiting.write({"sla_reply_since": False})
