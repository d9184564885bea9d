"""The service level of a ticket: its policy, its deadlines in working hours, the first response,
the next reply, and the escalation of the targets missed, level by level."""

from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime, html2plaintext

from ..tools.timezones import person_tz
from .aftersales_ticket import SLA_STATUSES

# channels where the agent who opens the ticket is talking with the customer
RESPONDING_CHANNELS = ("phone", "walk_in")
# the fields the SLA actions and the mail hook write, never a client
SLA_GUARDED_FIELDS = frozenset({"sla_reply_since", "sla_reply_deadline"})
AGENT_GROUP = "aftersales_service.aftersales_service_group_user"
# the order the targets of one ticket are escalated and reported in
KIND_ORDER = ("resolution", "response", "reply")


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
        help="A missed target of this ticket is escalated over its assignee's head (level 1 or 2).",
    )

    @api.depends("team_id", "ticket_type_id", "priority", "partner_id.category_id", "company_id")
    def _compute_sla_policy_id(self):
        # the criteria come with the search; the customers' tags are read at once when a policy asks
        policies = self.env["aftersales.sla.policy"].search_fetch(
            [("company_id", "in", self.company_id.ids)],
            [
                *("company_id", "team_id", "ticket_type_id", "priority", "partner_category_ids"),
                *("calendar_id", "response_hours", "resolution_hours", "at_risk_percent", "reply_hours"),
            ],
        )
        if policies.partner_category_ids:
            partners = self.partner_id | self.partner_id.commercial_partner_id
            partners.fetch(["category_id"])
        for ticket in self:
            if ticket.is_closed and ticket.sla_policy_id:
                continue  # a closed ticket keeps the policy it was judged on
            ticket.sla_policy_id = next((policy for policy in policies if policy._matches(ticket)), False)

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
        tickets = super().create(vals_list)
        # an employee who opens a phone or walk-in ticket is answering the customer
        if not self.env.su and self.env.user._is_internal():
            at_desk = tickets.filtered(lambda t: t.channel in RESPONDING_CHANNELS and not t.first_response_date)
            at_desk._record_response(fields.Datetime.now())
        return tickets

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

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_escalate_sla_breaches(self, batch_size=500):
        """Flag breached and at-risk tickets, withdraw the escalations of targets no longer missed, and
        escalate each missed target once per level, in batches.

        Only tickets whose stored status is out of date, or with a target due at a level it has not
        reached yet, are read: the deadlines themselves are planned when a ticket changes, never here.
        Returns the tickets escalated at level 1 or 2 by this run.
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
        stale = self.search(stale_domain, limit=batch_size)
        if stale:
            self.env.add_to_compute(self._fields["sla_status"], stale)
            stale.flush_recordset(["sla_status"])
        # sudo: the cron keeps the escalations, which users only read
        Escalation = self.env["aftersales.ticket.escalation"].sudo()
        outdated_domain = self._sla_outdated_escalation_domain(now)
        outdated = Escalation.search(outdated_domain, limit=batch_size)
        if outdated:
            self._sla_withdraw(outdated)
        due_domains = self._sla_due_domains(now)
        targets = []
        for (kind, level), domain in due_domains.items():
            targets += [(ticket, kind, level) for ticket in self.search(domain, limit=batch_size)]
        escalations, nobody = self._sla_escalate_targets(targets)
        # the targets nobody could take wait for the next run, not for the next batch
        remaining = (
            self.search_count(stale_domain)
            + Escalation.search_count(outdated_domain)
            + sum(self.search_count(domain) for domain in due_domains.values())
            - len(nobody)
        )
        self.env["ir.cron"]._notify_progress(
            done=len(stale) + len(outdated) + len(escalations), remaining=max(remaining, 0)
        )
        return escalations.filtered(lambda e: e.level != "at_risk").ticket_id.with_env(self.env)

    @api.model
    def _sla_due_domains(self, now):
        """{(target, level): domain of the open tickets whose target is due at that level}."""
        base = [("is_closed", "=", False), ("sla_paused_since", "=", False)]
        missed = {
            "resolution": [("sla_resolve_deadline", "<", now)],
            "response": [("first_response_date", "=", False), ("sla_response_deadline", "<", now)],
            "reply": [("sla_reply_deadline", "<", now)],
        }

        def not_yet(kind, level):
            return [("escalation_ids", "not any", [("kind", "=", kind), ("level", "=", level)])]

        domains = {
            ("resolution", "at_risk"): base
            + [("sla_at_risk_date", "<=", now), ("sla_resolve_deadline", ">=", now)]
            + not_yet("resolution", "at_risk")
        }
        for kind in KIND_ORDER:
            domains[(kind, "level1")] = base + missed[kind] + not_yet(kind, "level1")
            domains[(kind, "level2")] = (
                base
                + missed[kind]
                + [
                    (
                        "escalation_ids",
                        "any",
                        [("kind", "=", kind), ("level", "=", "level1"), ("next_level_date", "<=", now)],
                    )
                ]
                + not_yet(kind, "level2")
            )
        return domains

    @api.model
    def _sla_outdated_escalation_domain(self, now):
        """The active escalations of open tickets whose target no longer misses its deadline."""

        def moved(field_name):
            return ["|", (f"ticket_id.{field_name}", "=", False), (f"ticket_id.{field_name}", ">", now)]

        return [
            ("ticket_id.is_closed", "=", False),
            "|",
            "|",
            "|",
            "&",
            "&",
            ("kind", "=", "resolution"),
            ("level", "!=", "at_risk"),
            *moved("sla_resolve_deadline"),
            "&",
            "&",
            ("kind", "=", "resolution"),
            ("level", "=", "at_risk"),
            *moved("sla_at_risk_date"),
            "&",
            "&",
            ("kind", "=", "response"),
            ("ticket_id.first_response_date", "=", False),
            *moved("sla_response_deadline"),
            "&",
            ("kind", "=", "reply"),
            *moved("sla_reply_deadline"),
        ]

    @api.model
    def _sla_withdraw(self, escalations):
        """Withdraw ``escalations`` whose target is met again; the chatter of their tickets says so."""
        kinds = dict(escalations._fields["kind"]._description_selection(self.env))
        bodies = defaultdict(list)
        for escalation in escalations:
            bodies[escalation.ticket_id.id].append(kinds[escalation.kind])
        escalations._withdraw()
        self.browse(list(bodies))._message_log_batch(
            bodies={
                ticket_id: self.env._(
                    "The SLA deadline moved (%(targets)s): its escalation is withdrawn.",
                    targets=", ".join(sorted(set(targets))),
                )
                for ticket_id, targets in bodies.items()
            }
        )

    def _escalate(self, kind="resolution", level="level1"):
        """Escalate the target ``kind`` of these tickets at ``level`` now (see
        :meth:`_sla_escalate_targets`); returns the tickets escalated."""
        escalations, _nobody = self._sla_escalate_targets([(ticket, kind, level) for ticket in self])
        return escalations.ticket_id.with_env(self.env)

    def _sla_escalation_recipient(self, level, previous, managers):
        """Who is told of the escalation of this ticket at ``level``: at risk, the assignee, else the team
        leader; at level 1, the team leader, else the branch manager, else the company's after-sales
        manager; at level 2, the branch manager, else the company's after-sales manager, another person
        than ``previous`` (level 1) when there is one. An escalation never goes to the late assignee."""
        self.ensure_one()
        company = self.company_id
        if level == "at_risk":
            return company._aftersales_responsible_user(assignee=self.user_id, team=self.team_id, branch=self.branch_id)
        # sudo: who leads a team or a branch is read to route the escalation only
        chain = [self.team_id.sudo().user_id] if level == "level1" else []
        chain += [self.branch_id.sudo().manager_id, *managers]
        candidates = [user for user in chain if company._aftersales_is_real_user(user) and user != self.user_id]
        preferred = [user for user in candidates if user != previous]
        user = (preferred or candidates or [self.env["res.users"]])[0]
        return user.with_env(self.env)

    def _sla_escalate_targets(self, targets):
        """Escalate ``targets``, a list of ``(ticket, target, level)``: for each, an escalation record, an
        activity and an e-mail for the person who must act, and a note in the ticket's chatter. A target
        with nobody to tell is not recorded (the next run tries again) and its chatter says so once.

        Returns ``(escalations, tickets with nobody to tell)``.
        """
        Escalation = self.env["aftersales.ticket.escalation"].sudo()
        if not targets:
            return Escalation, self.browse()
        now = fields.Datetime.now()
        managers = self.env.ref("aftersales_service.aftersales_service_group_manager").sudo().users.sorted("id")
        targets = sorted(targets, key=lambda t: (t[0].id, KIND_ORDER.index(t[1]), t[2]))
        recipients, found, nobody = {}, [], {}
        for ticket, kind, level in targets:
            previous = self.env["res.users"]
            if level == "level2":
                previous = ticket.escalation_ids.filtered(lambda e, k=kind: e.kind == k and e.level == "level1").user_id
            key = (ticket.company_id, ticket.team_id, ticket.branch_id, ticket.user_id, level, previous)
            if key not in recipients:
                recipients[key] = ticket._sla_escalation_recipient(level, previous[:1], managers)
            user = recipients[key]
            if user:
                found.append((ticket, kind, level, user))
            else:
                nobody.setdefault(ticket, (kind, level))
        # the activities, one per target in the to-do list of who must act, without the e-mail of
        # each activity: the escalation sends its own
        by_activity = defaultdict(list)
        for index, (_ticket, kind, level, user) in enumerate(found):
            by_activity[(user, kind, level)].append(index)
        activities = {}
        for (user, kind, level), indexes in by_activity.items():
            tickets = self.browse([found[index][0].id for index in indexes])
            scheduled = tickets.with_context(mail_activity_quick_update=True).activity_schedule(
                "aftersales_service.mail_activity_type_sla_at_risk"
                if level == "at_risk"
                else "aftersales_service.mail_activity_type_sla_breach",
                user_id=user.id,
                note=self._sla_activity_note(kind, level),
            )
            activities.update(zip(indexes, scheduled.ids, strict=True))
        escalations = Escalation.create(
            [
                self._prepare_escalation_vals(ticket, kind, level, user, now, activities.get(index))
                for index, (ticket, kind, level, user) in enumerate(found)
            ]
        )
        template = self.env.ref("aftersales_service.mail_template_ticket_escalation", raise_if_not_found=False)
        if template and escalations:
            template.sudo().send_mail_batch(escalations.ids)
        self._sla_log_escalations(found, nobody)
        return escalations, self.browse([ticket.id for ticket in nobody])

    @api.model
    def _prepare_escalation_vals(self, ticket, kind, level, user, now, activity_id):
        deadline = ticket._sla_deadline_of(kind)
        hours = ticket.sla_policy_id.escalation_hours
        return {
            "ticket_id": ticket.id,
            "kind": kind,
            "level": level,
            "user_id": user.id,
            "date": now,
            "deadline": deadline,
            "next_level_date": deadline + timedelta(hours=hours)
            if level == "level1" and hours > 0 and deadline
            else False,
            "activity_id": activity_id,
        }

    def _sla_deadline_of(self, kind):
        self.ensure_one()
        return {
            "resolution": self.sla_resolve_deadline,
            "response": self.sla_response_deadline,
            "reply": self.sla_reply_deadline,
        }[kind]

    @api.model
    def _sla_activity_note(self, kind, level):
        if level == "at_risk":
            return self.env._("The resolution deadline of this ticket is near: it is at risk.")
        notes = {
            "resolution": self.env._("The resolution target of this ticket is missed."),
            "response": self.env._("The customer of this ticket has not been answered in time."),
            "reply": self.env._("The customer's last message has not been answered in time."),
        }
        if level == "level2":
            return self.env._("%(note)s It is still missed: level 2.", note=notes[kind])
        return notes[kind]

    @api.model
    def _sla_log_escalations(self, found, nobody):
        """One note per ticket: what was escalated to whom, the deadlines in the reader's time zone; for
        a ticket with nobody to tell, the first target missed, said once."""
        labels = {
            "resolution": self.env._("solve by"),
            "response": self.env._("respond by"),
            "reply": self.env._("reply by"),
        }
        lines = defaultdict(list)
        for ticket, kind, level, user in found:
            # the note is for who must act: the deadline in their time zone
            tz = person_tz(user.partner_id, ticket.company_id)
            values = {
                "target": labels[kind],
                "deadline": format_datetime(self.env, ticket._sla_deadline_of(kind), tz=tz, dt_format="short"),
                "tz": tz,
                "leader": user.name,
            }
            if level == "at_risk":
                line = self.env._("SLA at risk (%(target)s %(deadline)s, %(tz)s): %(leader)s is told.", **values)
            elif level == "level1":
                line = self.env._("SLA breached (%(target)s %(deadline)s, %(tz)s): escalated to %(leader)s.", **values)
            else:
                line = self.env._(
                    "SLA still breached (%(target)s %(deadline)s, %(tz)s): escalated to %(leader)s, level 2.",
                    **values,
                )
            lines[ticket.id].append(line)
        bodies = {ticket_id: " ".join(ticket_lines) for ticket_id, ticket_lines in lines.items()}
        for ticket, (kind, _level) in nobody.items():
            tz = person_tz(self.env["res.partner"], ticket.company_id)
            body = self.env._(
                "SLA breached (%(target)s %(deadline)s, %(tz)s), but nobody could be asked to act: the team has "
                "no leader, the branch no manager and the company no after-sales manager.",
                target=labels[kind],
                deadline=format_datetime(self.env, ticket._sla_deadline_of(kind), tz=tz, dt_format="short"),
                tz=tz,
            )
            # said once, not at every run of the escalation
            if ticket.id not in bodies and html2plaintext(ticket.message_ids[:1].body or "") != body:
                bodies[ticket.id] = body
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)
