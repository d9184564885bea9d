"""The escalation of the service level targets a ticket misses: at risk, then level 1 and level 2,
each once, with an activity and an e-mail for whoever must act, run in batches by the scheduled
action; the escalations of targets met again are withdrawn."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_datetime, html2plaintext

from ..tools.timezones import person_tz

# the order the targets of one ticket are escalated and reported in
KIND_ORDER = ("resolution", "response", "reply")


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

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
