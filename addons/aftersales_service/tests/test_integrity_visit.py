from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import SIGNATURE
from .common_fees import AftersalesFeesCommon
from .common_partner import AftersalesPartnerCommon

MONDAY_9 = datetime(2026, 6, 9, 10, 0)  # a Tuesday, 10:00 UTC, inside the technicians' hours

# the fields of a visit that only its actions change, for everyone
VISIT_WORKFLOW = {
    "state": "cancel",
    "check_in": datetime(2026, 6, 1, 8, 0),
    "check_out": datetime(2026, 6, 1, 9, 0),
    "signed_on": datetime(2026, 6, 1, 9, 0),
    "partner_job_state": "offered",
    "partner_decline_reason": "No time",
}
# forcing an assignment: dispatchers and managers only
VISIT_FORCING = {"assignment_forced": True, "assignment_forced_reason": "Because"}


class TestIntegrityVisit(AftersalesFeesCommon):
    """Workflow fields of visits, fees, commissions and periods change through their actions only; done
    visits are locked and corrected with a reason; each role is refused where it must not go."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a dispatcher sees the fees' service orders, as the manager of the fixtures
        cls.dispatcher = new_test_user(
            cls.env,
            login="iv_dispatcher",
            name="Dina Dispatch",
            groups="aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="iv_accountant",
            name="Abel Accounts",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        cls.tech_user = cls.tech_a.user_id
        cls.helper_user = cls.tech_b.user_id
        cls.roles = {
            "agent": cls.agent,
            "dispatcher": cls.dispatcher,
            "technician": cls.tech_user,
            "accountant": cls.accountant,
            "manager": cls.manager,
        }
        cls.env["aftersales.commission.rule"].create(
            {"name": "Any visit", "sequence": 50, "amount_type": "fixed", "fixed_amount": 20.0, "rework_days": 0}
        )
        cls.other_ticket = cls.env["aftersales.ticket"].create(
            {"name": "Someone else's dryer", "partner_id": cls.customer.id, "team_id": cls.team.id}
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _open_visit(self):
        """A started visit of tech A, created by the superuser."""
        visit = self._visit(technician_id=self.tech_a.id, scheduled_start=MONDAY_9)
        visit.action_schedule()
        visit.action_start()
        return visit

    def _done_visit(self):
        """A done and signed visit of tech A, tech B helping, with a fee line billed (the day after the open one)."""
        visit = self._visit(technician_id=self.tech_a.id, helper_ids=[Command.set(self.tech_b.ids)])
        return self._do_visit(visit, start=datetime(2026, 6, 10, 14, 0), lines=[{"line_type": "fee"}])

    def _assert_refused(self, record, user, vals, exception=AccessError):
        """``user`` writing ``vals`` on ``record`` is refused, and nothing changes."""
        names = list(vals)
        before = record.sudo().read(names)
        with self.assertRaises(exception, msg=f"{user.login} writing {names} on {record}"):
            record.with_user(user).write(vals)
        record.invalidate_recordset()
        self.assertEqual(record.sudo().read(names), before, f"{names} of {record} changed")

    # ------------------------------------------------------------------
    # (a) The write matrix
    # ------------------------------------------------------------------

    def test_visit_guarded_fields_per_role(self):
        visit = self._open_visit()
        dispatch = {
            "ticket_id": self.other_ticket.id,
            "technician_id": self.tech_b.id,
            "helper_ids": [Command.set(self.tech_b.ids)],
            "scheduled_start": MONDAY_9 + timedelta(hours=3),
            "scheduled_end": MONDAY_9 + timedelta(hours=5),
            "service_partner_id": self.customer.id,
        }
        guarded = {
            "agent": {**VISIT_WORKFLOW, **VISIT_FORCING},
            "dispatcher": VISIT_WORKFLOW,
            "manager": VISIT_WORKFLOW,
            "technician": {**VISIT_WORKFLOW, **VISIT_FORCING, **dispatch},
            "accountant": {**VISIT_WORKFLOW, **dispatch},
        }
        for role, fields_values in guarded.items():
            for name, value in fields_values.items():
                with self.subTest(role=role, field=name):
                    self._assert_refused(visit, self.roles[role], {name: value})
        self.assertEqual(visit.state, "in_progress")

    def test_visit_create_with_guarded_fields(self):
        Visit = self.env["aftersales.visit"]
        base = {"ticket_id": self.ticket.id, "visit_type_id": self.type_repair_visit.id}
        for role in ("agent", "dispatcher", "manager"):
            guarded = {"state": "done", "check_in": MONDAY_9, "signed_on": MONDAY_9, "name": "VIS/CHOSEN"}
            for name, value in guarded.items():
                with self.subTest(role=role, field=name), self.assertRaises(AccessError):
                    Visit.with_user(self.roles[role]).create(dict(base, **{name: value}))
        with self.assertRaises(AccessError):
            Visit.with_user(self.agent).create(dict(base, **VISIT_FORCING))
        # a default_ key in the context grants nothing either
        with self.assertRaises(AccessError):
            Visit.with_user(self.agent).with_context(default_state="done").create(base)
        for role in ("technician", "accountant"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                Visit.with_user(self.roles[role]).create(base)
        self.assertFalse(Visit.search([("ticket_id", "=", self.ticket.id)]))
        # the plain create of the dispatch still works
        visit = Visit.with_user(self.agent).create(dict(base, technician_id=self.tech_a.id, scheduled_start=MONDAY_9))
        self.assertEqual(visit.state, "draft")
        self.assertTrue(visit.name.startswith("VIS/"), "the reference is the sequence's")
        # and the reference stays the sequence's, whoever writes it
        for role in ("agent", "dispatcher", "manager"):
            with self.subTest(role=role):
                self._assert_refused(visit, self.roles[role], {"name": "VIS/RENAMED"})

    def test_done_visit_locked_for_every_role(self):
        visit = self._done_visit()
        edits = {
            "work_report": "<p>Nothing was done.</p>",
            "time_spent": 9.0,
            "signature": False,
            "signed_by": "Somebody",
            "technician_id": self.tech_b.id,
            "ticket_id": self.other_ticket.id,
            "photo_ids": [Command.create({"name": "fake.png", "raw": b"fake"})],
        }
        for role, user in {**self.roles, "helper": self.helper_user}.items():
            for name, value in edits.items():
                with self.subTest(role=role, field=name):
                    self._assert_refused(visit, user, {name: value})
        self.assertEqual(visit.technician_id, self.tech_a)
        self.assertTrue(visit.signature)

    def test_fee_line_guarded_and_locked(self):
        open_visit = self._open_visit()
        line = self.env["aftersales.visit.line"].create({"visit_id": open_visit.id, "line_type": "fee"})
        sale_line = self.sale_order.order_line[:1]
        done_line = self._done_visit().line_ids
        self.assertTrue(done_line.sale_line_ids, "billed")
        for role, user in self.roles.items():
            with self.subTest(role=role):
                self._assert_refused(line, user, {"sale_line_ids": [Command.link(sale_line.id)]})
                self._assert_refused(line, user, {"visit_state": "done"})
                self._assert_refused(done_line, user, {"quantity": 7.0})
        # the fees of an open visit are still the technician's to write
        line.with_user(self.tech_user).quantity = 2.0
        self.assertEqual(line.quantity, 2.0)

    def test_commission_and_period_guarded_and_frozen(self):
        commission = self._done_visit().commission_ids
        self.assertEqual(commission.technician_id, self.tech_a)
        period = commission.period_id
        for role, user in self.roles.items():
            with self.subTest(role=role):
                self._assert_refused(commission, user, {"technician_id": self.tech_b.id})
                self._assert_refused(commission, user, {"base_amount": 1000.0})
                self._assert_refused(period, user, {"state": "closed"})
        with self.assertRaises(AccessError):
            self.env["aftersales.commission"].with_user(self.manager).create(
                {
                    "visit_id": commission.visit_id.id,
                    "technician_id": self.tech_b.id,
                    "period_id": period.id,
                    "company_id": self.company.id,
                    "rule_id": commission.rule_id.id,
                    "date": commission.date,
                }
            )
        # an open period's commission can be adjusted by a manager
        commission.with_user(self.manager).amount = 25.0
        period.with_user(self.manager).action_close()
        self.assertEqual(period.state, "closed")
        for role, user in self.roles.items():
            with self.subTest(role=role):
                self._assert_refused(commission, user, {"amount": 1000.0})
                self._assert_refused(period, user, {"name": "Renamed"})
        # reopened with a reason, through the action
        period.with_user(self.manager)._reopen("Wrong rule")
        self.assertEqual(period.state, "open")
        commission.with_user(self.manager).amount = 30.0

    # ------------------------------------------------------------------
    # (b) The reported holes
    # ------------------------------------------------------------------

    def test_technician_cannot_point_visit_at_another_ticket(self):
        visit = self._open_visit()
        with self.assertRaisesRegex(AccessError, "only be changed through the actions"):
            visit.with_user(self.tech_user).write({"ticket_id": self.other_ticket.id})
        self.assertEqual(visit.ticket_id, self.ticket)
        with self.assertRaises(AccessError):
            self.other_ticket.with_user(self.tech_user).read(["name"])

    def test_visit_ticket_must_be_readable(self):
        """A user who may move visits still only moves them to tickets they can read."""
        branch = self.env["aftersales.branch"].create({"name": "South", "code": "S", "company_id": self.company.id})
        hidden = self.env["aftersales.ticket"].create(
            {"name": "Another branch", "partner_id": self.customer.id, "branch_id": branch.id}
        )
        other_branch = self.env["aftersales.branch"].create(
            {"name": "North", "code": "N", "company_id": self.company.id}
        )
        self.agent.sudo().aftersales_branch_ids = other_branch
        self.ticket.branch_id = other_branch
        visit = self._visit()
        with self.assertRaises(AccessError):
            hidden.with_user(self.agent).read(["name"])
        with self.assertRaises(AccessError):
            visit.with_user(self.agent).write({"ticket_id": hidden.id})
        self.assertEqual(visit.ticket_id, self.ticket)
        with self.assertRaises(AccessError):
            self.env["aftersales.visit"].with_user(self.agent).create(
                {"ticket_id": hidden.id, "visit_type_id": self.type_repair_visit.id}
            )

    def test_helper_cannot_take_done_visit_and_its_commission(self):
        visit = self._done_visit()
        commission = visit.commission_ids
        with self.assertRaisesRegex(AccessError, "Technician of .* can only be changed through the actions"):
            visit.with_user(self.helper_user).write({"technician_id": self.tech_b.id})
        with self.assertRaisesRegex(AccessError, "locked"):
            visit.with_user(self.helper_user).write({"time_spent": 8.0})
        with self.assertRaises(AccessError):
            commission.with_user(self.helper_user).write({"technician_id": self.tech_b.id})
        self.assertEqual(visit.technician_id, self.tech_a)
        self.assertEqual(visit.commission_ids.technician_id, self.tech_a)
        # nor before it is done: the technician is the dispatcher's choice
        open_visit = self._visit(technician_id=self.tech_a.id, helper_ids=[Command.set(self.tech_b.ids)])
        with self.assertRaises(AccessError):
            open_visit.with_user(self.helper_user).write({"technician_id": self.tech_b.id})

    def test_context_key_skips_no_rule(self):
        self._visit(scheduled_start=MONDAY_9, technician_id=self.tech_a.id)
        clash = self._visit(scheduled_start=MONDAY_9 + timedelta(minutes=30))
        self.assertFalse(clash.technician_id)
        for key in ("aftersales_assignment_checked", "aftersales_planning_checked"):
            # assertRaises, not assertRaisesRegex: only the former rolls back what the refused write did
            with self.assertRaises(ValidationError) as caught:
                clash.with_user(self.agent).with_context(**{key: True}).write({"technician_id": self.tech_a.id})
            self.assertIn("busy then", str(caught.exception))
            self.assertFalse(clash.technician_id, key)
        # nor forces an assignment for an agent
        with self.assertRaises(AccessError):
            clash.with_user(self.agent).with_context(aftersales_assignment_checked=True).write(
                {"technician_id": self.tech_a.id, **VISIT_FORCING}
            )
        self.assertFalse(clash.sudo().assignment_forced)

    def test_commission_export_for_those_who_read_them_all(self):
        self._done_visit()
        other = self._do_visit(
            self._visit(visit_type_id=self.type_follow_up.id, technician_id=self.tech_b.id),
            start=datetime(2026, 6, 11, 10, 0),
        )
        period = other.commission_ids.period_id
        with self.assertRaisesRegex(AccessError, "Only dispatchers, managers and accountants"):
            period.with_user(self.tech_user).action_export_xlsx()
        Attachment = self.env["ir.attachment"].sudo()
        self.assertFalse(Attachment.search([("res_model", "=", period._name), ("res_id", "=", period.id)]))
        for user in (self.dispatcher, self.accountant, self.manager):
            action = period.with_user(user).action_export_xlsx()
            attachment = Attachment.browse(int(action["url"].split("/")[3].split("?")[0]))
            self.assertFalse(attachment.public)
            self.assertTrue(attachment.with_user(user).raw, "the exporting user downloads it")
            # nobody else reads the file of everyone's commissions, the technicians least of all
            with self.assertRaises(AccessError):
                attachment.with_user(self.tech_user).read(["raw"])
            with self.assertRaises(AccessError):
                attachment.with_user(self.tech_user)._to_http_stream()
        # nothing is stored on the period that the technicians read
        self.assertFalse(Attachment.search([("res_model", "=", period._name), ("res_id", "=", period.id)]))

    # ------------------------------------------------------------------
    # (c) The actions still do their work
    # ------------------------------------------------------------------

    def test_technician_buttons_start_stop_done(self):
        visit = self._visit(technician_id=self.tech_a.id, scheduled_start=MONDAY_9)
        visit.with_user(self.agent).action_schedule()
        as_tech = visit.with_user(self.tech_user)
        with freeze_time(MONDAY_9):
            as_tech.action_start()
        as_tech.write({"work_report": "<p>Pump replaced.</p>", "signature": SIGNATURE, "signed_by": "Wendy"})
        self.assertTrue(visit.signed_on, "the server dates the signature")
        with freeze_time(MONDAY_9 + timedelta(hours=2)):
            as_tech.action_stop()
            as_tech.action_done()
        self.assertRecordValues(
            visit, [{"state": "done", "check_in": MONDAY_9, "check_out": MONDAY_9 + timedelta(hours=2)}]
        )
        self.assertEqual(visit.time_spent, 2.0)

    def test_signed_on_is_the_servers(self):
        visit = self._open_visit()
        with self.assertRaises(AccessError):
            visit.with_user(self.tech_user).write({"signed_on": datetime(2020, 1, 1)})
        visit.with_user(self.tech_user).write({"signature": SIGNATURE, "signed_on": datetime(2020, 1, 1)})
        self.assertGreater(visit.signed_on, datetime(2025, 1, 1))

    def test_dispatcher_forces_with_a_reason(self):
        self._visit(scheduled_start=MONDAY_9, technician_id=self.tech_a.id)
        clash = self._visit(scheduled_start=MONDAY_9 + timedelta(minutes=30))
        with self.assertRaises(ValidationError) as caught:
            clash.with_user(self.dispatcher).technician_id = self.tech_a
        self.assertIn("busy then", str(caught.exception))
        self.assertFalse(clash.technician_id)
        clash.with_user(self.dispatcher).write(
            {"technician_id": self.tech_a.id, "assignment_forced": True, "assignment_forced_reason": "VIP customer"}
        )
        self.assertEqual(clash.technician_id, self.tech_a)
        entry = self.env["aftersales.audit.log"].search(
            [("action", "=", "assignment_forced"), ("res_id", "=", clash.id)]
        )
        self.assertEqual(entry.user_id, self.dispatcher)
        self.assertEqual(entry.reason, "VIP customer")

    def test_correct_done_visit_with_reason_and_audit(self):
        visit = self._done_visit()
        with self.assertRaisesRegex(AccessError, "Only dispatchers and managers"):
            visit.with_user(self.tech_user).action_correct()
        with self.assertRaises(AccessError):
            visit.with_user(self.agent).action_correct()
        action = visit.with_user(self.dispatcher).action_correct()
        self.assertEqual(action["res_model"], "aftersales.visit.correct")
        wizard_form = Form(
            self.env["aftersales.visit.correct"].with_user(self.dispatcher).with_context(**action["context"])
        )
        self.assertEqual(wizard_form.technician_id, self.tech_a)
        wizard_form.technician_id = self.tech_b
        wizard_form.reason = "Ben did the job, Tara was ill"
        wizard = wizard_form.save()
        wizard.action_confirm()
        self.assertEqual(visit.technician_id, self.tech_b)
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.commission_ids.technician_id, self.tech_b, "the commission follows the correction")
        entry = self.env["aftersales.audit.log"].search([("action", "=", "visit_corrected"), ("res_id", "=", visit.id)])
        self.assertEqual(entry.user_id, self.dispatcher)
        self.assertEqual(entry.reason, "Ben did the job, Tara was ill")
        self.assertIn("Tara Tech", entry.old_value)
        self.assertIn("Ben Bolt", entry.new_value)
        self.assertTrue(visit.message_ids.filtered(lambda m: "Done visit corrected" in (m.body or "")))
        # a reason is required, and the wizard's values are checked again on confirm
        wizard = (
            self.env["aftersales.visit.correct"]
            .with_user(self.dispatcher)
            .create({"visit_id": visit.id, "signed_by": "Someone", "reason": " "})
        )
        with self.assertRaisesRegex(UserError, "Say why"):
            wizard.action_confirm()
        wizard = (
            self.env["aftersales.visit.correct"]
            .with_user(self.manager)
            .create({"visit_id": visit.id, "signed_by": "Wendy W.", "reason": "Typo"})
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.tech_user).action_confirm()
        wizard.action_confirm()
        self.assertEqual(visit.signed_by, "Wendy W.")

    # ------------------------------------------------------------------
    # (d) Journeys
    # ------------------------------------------------------------------

    def test_dispatcher_journey(self):
        """A dispatcher plans visits of tickets others opened: auto-assign, force with a reason, plan the day."""
        Visit = self.env["aftersales.visit"].with_user(self.dispatcher)
        with Form(Visit) as visit_form:
            visit_form.ticket_id = self.ticket
            visit_form.visit_type_id = self.type_repair_visit
            visit_form.scheduled_start = MONDAY_9
        first = visit_form.record
        first.action_auto_assign()
        self.assertIn(first.technician_id, self.tech_a | self.tech_b)
        self.assertEqual(first.state, "scheduled", "auto-assign schedules the visit")
        busy = first.technician_id
        with Form(Visit) as visit_form:
            visit_form.ticket_id = self.other_ticket
            visit_form.visit_type_id = self.type_repair_visit
            visit_form.partner_id = self.customer
            visit_form.scheduled_start = MONDAY_9
            visit_form.technician_id = busy
            visit_form.assignment_forced = True
            visit_form.assignment_forced_reason = "Same street, one trip"
        forced = visit_form.record
        self.assertEqual(forced.technician_id, busy)
        self.assertTrue(forced.assignment_forced)
        with Form(Visit) as visit_form:
            visit_form.ticket_id = self.ticket
            visit_form.visit_type_id = self.type_repair_visit
        to_plan = visit_form.record
        action = to_plan.action_plan_day()
        plan_form = Form(self.env["aftersales.visit.plan"].with_user(self.dispatcher).with_context(**action["context"]))
        plan_form.date = MONDAY_9.date()
        plan_form.save().action_plan()
        self.assertEqual(to_plan.state, "scheduled")
        self.assertTrue(to_plan.technician_id)
        # what the dispatcher may not do directly
        with self.assertRaises(AccessError):
            first.write({"state": "done"})

    def test_technician_journey(self):
        """A technician works a visit a dispatcher planned, through the form and the buttons; then it is locked."""
        visit = self._visit(technician_id=self.tech_a.id, scheduled_start=MONDAY_9)
        visit.with_user(self.dispatcher).action_schedule()
        as_tech = visit.with_user(self.tech_user)
        with freeze_time(MONDAY_9):
            as_tech.action_start()
        with Form(as_tech) as visit_form:
            visit_form.work_report = "<p>Drain pump replaced.</p>"
            visit_form.signature = SIGNATURE
            visit_form.signed_by = "Wendy Washer"
        with freeze_time(MONDAY_9 + timedelta(hours=1)):
            as_tech.action_done()
        self.assertEqual(visit.state, "done")
        self.assertTrue(visit.signed_on)
        with self.assertRaisesRegex(AccessError, "locked"):
            as_tech.write({"work_report": "<p>Something else.</p>"})
        self.assertIn("Drain pump replaced", visit.work_report)
        with self.assertRaises(AccessError):
            as_tech.write({"signature": False})
        with self.assertRaises(UserError):
            self.env["aftersales.visit.line"].with_user(self.tech_user).create(
                {"visit_id": visit.id, "line_type": "fee"}
            )


class TestIntegrityVisitResponsible(AftersalesPartnerCommon):
    """Activities, escalations and validation requests go to a real user, or the record says nobody took them;
    settlements are locked once confirmed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician_user = new_test_user(
            cls.env, login="ivr_tech", groups="aftersales_service.aftersales_service_group_technician"
        )
        cls.accountant = new_test_user(
            cls.env, login="ivr_accountant", groups="aftersales_service.aftersales_service_group_accountant"
        )
        cls.roles = {
            "agent": cls.agent,
            "dispatcher": cls.dispatcher,
            "technician": cls.technician_user,
            "accountant": cls.accountant,
            "manager": cls.manager,
        }

    def _assert_refused(self, record, user, vals):
        names = list(vals)
        before = record.sudo().read(names)
        with self.assertRaises(AccessError, msg=f"{user.login} writing {names} on {record}"):
            record.with_user(user).write(vals)
        record.invalidate_recordset()
        self.assertEqual(record.sudo().read(names), before)

    def _without_managers(self):
        group = self.env.ref("aftersales_service.aftersales_service_group_manager")
        group.users = [Command.unlink(user.id) for user in group.users if not user._is_superuser()]

    def test_responsible_order(self):
        company = self.company
        branch = self.env["aftersales.branch"].create({"name": "East", "code": "E", "company_id": company.id})
        team = self.env["aftersales.team"].create({"name": "No leader"})
        self.assertEqual(company._aftersales_responsible_user(assignee=self.agent, team=self.team), self.agent)
        self.assertEqual(company._aftersales_responsible_user(team=self.team), self.manager)
        branch.manager_id = self.dispatcher
        self.assertEqual(company._aftersales_responsible_user(team=team, branch=branch), self.dispatcher)
        odoobot = self.env.ref("base.user_root")
        self.assertNotEqual(company._aftersales_responsible_user(assignee=odoobot, team=team), odoobot)
        self.assertEqual(company._aftersales_responsible_user(assignee=self.partner_user, team=team).share, False)
        self._without_managers()
        self.assertFalse(company._aftersales_responsible_user(assignee=odoobot, team=team))

    def test_partner_job_validation_goes_to_a_real_user(self):
        self.team.user_id = False
        job = self._job()
        job.sudo().partner_dispatcher_id = False
        job._partner_accept()
        job._partner_record_work(report="<p>Done.</p>", hours=1.0, finish=True)
        responsible = job.activity_ids.user_id
        self.assertTrue(
            responsible.has_group("aftersales_service.aftersales_service_group_manager") and not responsible.share,
            "no dispatcher nor leader: an after-sales manager of the company",
        )
        other = self._job()
        other.sudo().partner_dispatcher_id = False
        self._without_managers()
        other._partner_accept()
        other._partner_record_work(report="<p>Done.</p>", hours=1.0, finish=True)
        self.assertFalse(other.activity_ids)
        self.assertTrue(other.message_ids.filtered(lambda m: "Nobody could be asked" in (m.body or "")))

    def test_escalation_without_anybody_is_not_marked_done(self):
        self.team.user_id = False
        self._without_managers()
        ticket = self._ticket(priority="3")
        with freeze_time(datetime.now() + timedelta(days=30)):
            escalated = self.env["aftersales.ticket"]._cron_escalate_sla_breaches()
            self.assertNotIn(ticket, escalated)
            self.assertFalse(ticket.sla_escalated)
            self.assertFalse(ticket.activity_ids)
            notes = ticket.message_ids.filtered(lambda m: "nobody could be asked" in (m.body or ""))
            self.assertEqual(len(notes), 1)
            self.env["aftersales.ticket"]._cron_escalate_sla_breaches()
            notes = ticket.message_ids.filtered(lambda m: "nobody could be asked" in (m.body or ""))
            self.assertEqual(len(notes), 1, "said once")

    def test_settlement_locked_once_confirmed(self):
        job = self._do_job(self._job())
        settlement = self._settlement()
        settlement.with_user(self.dispatcher).action_compute_lines()
        line = settlement.line_ids
        self.assertEqual(line.visit_id, job)
        for role, user in self.roles.items():
            with self.subTest(role=role):
                self._assert_refused(settlement, user, {"state": "confirmed"})
                self._assert_refused(line, user, {"state": "billed"})
        settlement.with_user(self.dispatcher).action_confirm()
        self.assertEqual(settlement.state, "confirmed")
        for role, user in self.roles.items():
            with self.subTest(role=role):
                self._assert_refused(settlement, user, {"note": "<p>Changed</p>"})
                self._assert_refused(settlement, user, {"state": "draft"})
                self._assert_refused(line, user, {"price_unit": 999.0})
        settlement.with_user(self.dispatcher).action_create_bill()
        self.assertEqual(settlement.state, "billed")
        for role, user in self.roles.items():
            with self.subTest(role=role):
                self._assert_refused(settlement, user, {"move_id": False})
        # done jobs are locked as well, for the partner's dispatcher too
        self._assert_refused(job, self.dispatcher, {"time_spent": 9.0})


@tagged("post_install", "-at_install")
class TestIntegrityVisitPortal(AftersalesPartnerCommon, HttpCase):
    def test_statement_pdf_download(self):
        self._do_job(self._job())
        settlement = self._settlement()
        settlement.action_compute_lines()
        settlement.action_confirm()
        self.authenticate(self.partner_user.login, self.partner_user.login)
        for query in ("report_type=pdf", "report_type=pdf&download=true", "report_type=html"):
            with self.subTest(query=query):
                response = self.url_open(f"/my/settlements/{settlement.id}?{query}")
                self.assertEqual(response.status_code, 200)
        response = self.url_open(f"/my/settlements/{settlement.id}?report_type=pdf&download=true")
        self.assertIn("attachment", response.headers.get("Content-Disposition", ""))
        self.assertIn("Statement", response.headers.get("Content-Disposition", ""))
