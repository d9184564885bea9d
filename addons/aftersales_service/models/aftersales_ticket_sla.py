"""The service level of a ticket: its policy, its deadlines in working hours, the first response
and the escalation of breaches."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import format_datetime, html2plaintext

from ..tools.timezones import person_tz
from .aftersales_ticket import SLA_STATUSES


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

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
        help="The first answer sent to the customer by an employee.",
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
    sla_escalated = fields.Boolean(
        string="Escalated",
        readonly=True,
        copy=False,
        help="The breach of this ticket's SLA was escalated to its team leader.",
    )

    @api.depends("team_id", "ticket_type_id", "priority", "partner_id.category_id", "company_id")
    def _compute_sla_policy_id(self):
        policies = self.env["aftersales.sla.policy"].search([("company_id", "in", self.company_id.ids)])
        for ticket in self:
            if ticket.is_closed and ticket.sla_policy_id:
                continue  # a closed ticket keeps the policy it was judged on
            ticket.sla_policy_id = next((policy for policy in policies if policy._aftersales_matches(ticket)), False)

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

    def _message_post_after_hook(self, message, msg_values):
        """Record the first answer an employee sends to the customer."""
        if (
            message.message_type in ("comment", "email_outgoing")
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda user: not user.share)
        ):
            self.filtered(lambda t: not t.first_response_date).sudo().write(
                {"first_response_date": message.date or fields.Datetime.now()}
            )
        return super()._message_post_after_hook(message, msg_values)

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_escalate_sla_breaches(self, batch_size=500):
        """Flag breached and at-risk tickets and escalate each breach once.

        Only tickets whose stored status is out of date are read, in batches: the
        deadlines themselves are planned when a ticket changes, never here.
        """
        now = fields.Datetime.now()
        base = [("is_closed", "=", False), ("sla_paused_since", "=", False)]
        overdue = [
            "|",
            ("sla_resolve_deadline", "<", now),
            "&",
            ("first_response_date", "=", False),
            ("sla_response_deadline", "<", now),
        ]
        # statuses that time has made wrong: on time but at risk or overdue, at risk but overdue
        stale_domain = base + [
            "|",
            "&",
            ("sla_status", "=", "on_time"),
            "|",
            ("sla_at_risk_date", "<=", now),
            *overdue,
            "&",
            ("sla_status", "=", "at_risk"),
            *overdue,
        ]
        unescalated_domain = base + [("sla_status", "=", "breached"), ("sla_escalated", "=", False)]
        stale = self.search(stale_domain, limit=batch_size)
        if stale:
            self.env.add_to_compute(self._fields["sla_status"], stale)
            stale.flush_recordset(["sla_status"])
        to_escalate = self.search(unescalated_domain, limit=batch_size)
        escalated = to_escalate._aftersales_escalate() or self.browse()
        # the breaches nobody could take wait for the next run, not for the next batch
        remaining = (
            self.search_count(stale_domain) + self.search_count(unescalated_domain) - len(to_escalate - escalated)
        )
        self.env["ir.cron"]._notify_progress(done=len(stale | escalated), remaining=max(remaining, 0))
        return escalated

    def _aftersales_escalate(self):
        """An activity for the team leader (else the branch manager, else the company's after-sales
        manager) and a note in the chatter, once per breach. A breach with nobody to escalate to
        stays unescalated, and its chatter says so."""
        if not self:
            return
        by_leader = defaultdict(list)
        leaders = {}  # (company, team, branch) -> user: a batch has few teams and many tickets
        for ticket in self:
            key = (ticket.company_id, ticket.team_id, ticket.branch_id)
            if key not in leaders:
                # an escalation goes over the assignee's head: no assignee
                leaders[key] = ticket.company_id._aftersales_responsible_user(
                    team=ticket.team_id, branch=ticket.branch_id
                )
            by_leader[leaders[key]].append(ticket.id)
        nobody = self.browse(by_leader.pop(self.env["res.users"], []))
        escalated = self - nobody
        with self._unguard("sla_escalated"):
            escalated.write({"sla_escalated": True})
        for leader, ticket_ids in by_leader.items():
            # one activity per breach in the leader's to-do list, without one
            # e-mail per activity: the escalation runs in batches
            self.browse(ticket_ids).with_context(mail_activity_quick_update=True).activity_schedule(
                "aftersales_service.mail_activity_type_sla_breach",
                user_id=leader.id,
                note=_("The service level agreement of this ticket is breached."),
            )
        leader_of = {ticket_id: leader for leader, ticket_ids in by_leader.items() for ticket_id in ticket_ids}
        bodies = {}
        for ticket in escalated:
            # the note is for the leader: the deadline in their time zone
            leader = leader_of[ticket.id]
            tz = person_tz(leader.partner_id, ticket.company_id)
            bodies[ticket.id] = self.env._(
                "SLA breached (solve by %(deadline)s, %(tz)s): escalated to %(leader)s.",
                deadline=format_datetime(self.env, ticket.sla_resolve_deadline, tz=tz, dt_format="short"),
                tz=tz,
                leader=leader.name,
            )
        for ticket in nobody:
            tz = person_tz(self.env["res.partner"], ticket.company_id)
            body = self.env._(
                "SLA breached (solve by %(deadline)s, %(tz)s), but nobody could be asked to act: the team has no "
                "leader, the branch no manager and the company no after-sales manager.",
                deadline=format_datetime(self.env, ticket.sla_resolve_deadline, tz=tz, dt_format="short"),
                tz=tz,
            )
            # said once, not at every run of the escalation
            if html2plaintext(ticket.message_ids[:1].body or "") != body:
                bodies[ticket.id] = body
        self.browse(list(bodies))._message_log_batch(bodies=bodies)
        return escalated
