from datetime import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_fees import AftersalesFeesCommon


@tagged("post_install", "-at_install")
class TestAudit(AftersalesFeesCommon):
    """Sensitive actions leave one entry each in the append-only audit log; key fields are tracked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_audit_dispatcher",
            name="Dora Dispatcher",
            groups="aftersales_service.aftersales_service_group_dispatcher",
        )
        cls.Log = cls.env["aftersales.audit.log"]

    def _entries(self, action, record):
        return self.Log.search([("action", "=", action), ("res_model", "=", record._name), ("res_id", "=", record.id)])

    def _assert_entry(self, entry, user, reason=None):
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.user_id, user)
        self.assertEqual(entry.company_id, self.company)
        self.assertLessEqual(entry.date, fields.Datetime.now())
        if reason is not None:
            self.assertEqual(entry.reason, reason)

    # ------------------------------------------------------------------
    # Forced assignment
    # ------------------------------------------------------------------

    def _clash(self):
        """A visit at the time tech A is already busy."""
        self._visit(scheduled_start=datetime(2026, 6, 9, 10, 0), technician_id=self.tech_a.id)
        return self._visit(scheduled_start=datetime(2026, 6, 9, 10, 30))

    def test_forced_assignment_needs_a_reason_and_is_logged(self):
        clash = self._clash()
        with self.assertRaisesRegex(UserError, "Say why the assignment"):
            clash.with_user(self.dispatcher).write({"assignment_forced": True, "technician_id": self.tech_a.id})
        self.assertFalse(self._entries("assignment_forced", clash))
        clash.with_user(self.dispatcher).write(
            {
                "assignment_forced": True,
                "assignment_forced_reason": "The customer asked for Tara",
                "technician_id": self.tech_a.id,
            }
        )
        entry = self._entries("assignment_forced", clash)
        self._assert_entry(entry, self.dispatcher, "The customer asked for Tara")
        self.assertIn("Tara Tech", entry.new_value)
        self.assertIn("busy", entry.new_value)
        self.assertEqual(entry.res_name, clash.display_name)

    def _force(self, visit, reason="The customer asked for Tara"):
        visit.with_user(self.dispatcher).write(
            {"assignment_forced": True, "assignment_forced_reason": reason, "technician_id": self.tech_a.id}
        )

    def test_forced_assignment_is_logged_once_by_the_dispatcher(self):
        clash = self._clash()
        self._force(clash)
        note = clash.message_ids.filtered(lambda m: "forced despite" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertTrue(note.subtype_id.internal, "the reason is for employees only, not for portal users")
        # later changes that keep the forced technician and time write nothing more, under nobody else
        clash.with_user(self.manager).write({"partner_id": clash.partner_id.id})
        clash.with_user(self.manager).write({"ticket_id": clash.ticket_id.id})
        entry = self._entries("assignment_forced", clash)
        self._assert_entry(entry, self.dispatcher, "The customer asked for Tara")
        self.assertEqual(len(clash.message_ids.filtered(lambda m: "forced despite" in (m.body or ""))), 1)

    def test_forcing_given_before_the_reason_existed_is_kept(self):
        clash = self._clash()
        self._force(clash)
        # a visit forced before the reason was asked for has none
        with clash._assignment_checked():
            clash.sudo().assignment_forced_reason = False
        clash.with_user(self.manager).write({"partner_id": clash.partner_id.id})
        self.assertTrue(clash.sudo().assignment_forced)
        self.assertEqual(clash.technician_id, self.tech_a)

    def test_moving_a_forced_visit_checks_the_rules_again(self):
        clash = self._clash()
        self._force(clash)
        # another time that also breaks a rule: refused unless forced again
        with self.assertRaisesRegex(ValidationError, "busy then"):
            clash.with_user(self.dispatcher).scheduled_start = datetime(2026, 6, 9, 10, 45)
        clash.with_user(self.dispatcher).write(
            {
                "assignment_forced": True,
                "assignment_forced_reason": "Still urgent",
                "scheduled_start": datetime(2026, 6, 9, 10, 45),
            }
        )
        self.assertEqual(len(self._entries("assignment_forced", clash)), 2)
        # a time that breaks no rule: the forcing is dropped, nothing is logged
        clash.with_user(self.dispatcher).scheduled_start = datetime(2026, 6, 9, 14, 0)
        self.assertFalse(clash.sudo().assignment_forced)
        self.assertFalse(clash.sudo().assignment_forced_reason)
        self.assertEqual(len(self._entries("assignment_forced", clash)), 2)
        # and back into the clash: the rules apply again
        with self.assertRaisesRegex(ValidationError, "busy then"):
            clash.with_user(self.dispatcher).scheduled_start = datetime(2026, 6, 9, 10, 30)

    def test_assignment_without_conflict_is_not_logged(self):
        visit = self._visit(scheduled_start=datetime(2026, 6, 9, 10, 0))
        visit.with_user(self.dispatcher).technician_id = self.tech_a
        self.assertFalse(self._entries("assignment_forced", visit))

    def test_agent_cannot_force(self):
        clash = self._clash()
        with self.assertRaises(AccessError):
            clash.with_user(self.agent).write(
                {"assignment_forced": True, "assignment_forced_reason": "Because", "technician_id": self.tech_a.id}
            )

    # ------------------------------------------------------------------
    # Other sensitive actions
    # ------------------------------------------------------------------

    def test_goodwill_is_logged(self):
        visit = self._visit(scheduled_start=datetime(2026, 6, 9, 10, 0), technician_id=self.tech_a.id)
        with self.assertRaises(ValidationError):
            visit.write({"line_ids": [Command.create({"line_type": "fee", "goodwill": True})]})
        visit.with_user(self.manager).write(
            {"line_ids": [Command.create({"line_type": "fee", "goodwill": True, "goodwill_reason": "Loyal customer"})]}
        )
        entry = self._entries("goodwill", visit)
        self._assert_entry(entry, self.manager, "Loyal customer")
        self.assertIn("Call-out fee", entry.old_value)
        # granting goodwill on an existing line is logged too
        line = visit.line_ids.create({"visit_id": visit.id, "line_type": "travel_zone"})
        line.with_user(self.manager).write({"goodwill": True, "goodwill_reason": "Our second trip"})
        self.assertEqual(len(self._entries("goodwill", visit)), 2)
        self.assertTrue(visit.message_ids.filtered(lambda m: "Our second trip" in (m.body or "")))

    def test_ticket_reopened_is_logged(self):
        ticket = self._ticket(resolution="<p>Filter cleaned.</p>")
        ticket.action_close()
        closed_stage = ticket.stage_id
        ticket.with_user(self.agent)._reopen("Leaks again")
        entry = self._entries("ticket_reopened", ticket)
        self._assert_entry(entry, self.agent, "Leaks again")
        self.assertEqual(entry.old_value, closed_stage.name)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertEqual(ticket.reopen_reason, "Leaks again")

    def test_commission_period_reopened_is_logged(self):
        period = self.env["aftersales.commission.period"].create(
            {"name": "June", "date_from": "2026-06-01", "date_to": "2026-06-30"}
        )
        period.action_reopen()
        self.assertFalse(self._entries("commission_period_reopened", period), "an open period is not reopened")
        period.with_user(self.manager).action_close()
        # the button asks why first
        action = period.with_user(self.manager).action_reopen()
        self.assertEqual(action["res_model"], "aftersales.audit.reason")
        self.assertEqual(period.state, "closed")
        Wizard = self.env["aftersales.audit.reason"].with_user(self.manager).with_context(**action["context"])
        with self.assertRaisesRegex(UserError, "Say why"):
            Wizard.create({"reason": "  "}).action_confirm()
        with self.assertRaises(AccessError):
            period.with_user(self.agent).action_reopen()
        Wizard.create({"reason": "Re-work found late"}).action_confirm()
        self.assertEqual(period.state, "open")
        self._assert_entry(self._entries("commission_period_reopened", period), self.manager, "Re-work found late")

    def test_reason_wizard_keeps_its_defaults_to_itself(self):
        period = self.env["aftersales.commission.period"].create(
            {"name": "May", "date_from": "2026-05-01", "date_to": "2026-05-31"}
        )
        period.action_close()
        action = period.with_user(self.manager).action_reopen()
        Wizard = (
            self.env["aftersales.audit.reason"]
            .with_user(self.manager)
            .with_context(**action["context"], default_date="2000-01-01 00:00:00", default_name="Leaked")
        )
        Wizard.create({"reason": "Late re-work"}).action_confirm()
        entry = self._entries("commission_period_reopened", period)
        self._assert_entry(entry, self.manager, "Late re-work")
        self.assertGreater(entry.date.year, 2000, "the wizard's default_ keys do not reach the records made")

    def test_reason_wizard_runs_only_listed_actions(self):
        wizard = (
            self.env["aftersales.audit.reason"]
            .with_user(self.manager)
            .create({"res_model": "aftersales.ticket", "res_ids": self.ticket.ids, "method": "unlink", "reason": "x"})
        )
        with self.assertRaisesRegex(UserError, "does not take a reason"):
            wizard.action_confirm()
        self.assertTrue(self.ticket.exists())

    # ------------------------------------------------------------------
    # The log itself
    # ------------------------------------------------------------------

    def test_reason_required_by_the_helper(self):
        with self.assertRaisesRegex(UserError, "reason is required"):
            self.Log._audit("assignment_forced", self.ticket, "  ")

    def test_entries_are_append_only(self):
        entry = self.Log._audit("ticket_reopened", self.ticket, "Checked")
        as_manager = entry.with_user(self.manager)
        self.assertEqual(as_manager.reason, "Checked", "managers read the log")
        for operation in ("write", "create", "unlink"):
            self.assertFalse(self.Log.with_user(self.manager).has_access(operation), "managers only read")
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            as_manager.write({"reason": "Rewritten"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            as_manager.unlink()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            entry.sudo().write({"reason": "Rewritten"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            entry.sudo().unlink()
        # the flag of an uninstall does not open the log to users
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            as_manager.with_context(_force_unlink=True).unlink()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            as_manager.with_context(_force_unlink=True).write({"reason": "Rewritten"})
        with self.assertRaises(AccessError):
            self.Log.with_user(self.manager).create(
                {
                    "user_id": self.manager.id,
                    "company_id": self.company.id,
                    "action": "goodwill",
                    "res_model": self.ticket._name,
                    "res_id": self.ticket.id,
                }
            )
        self.assertEqual(entry.reason, "Checked")

    def test_non_managers_cannot_read_the_log(self):
        entry = self.Log._audit("ticket_reopened", self.ticket, "Checked")
        for user in (self.agent, self.dispatcher):
            with self.assertRaises(AccessError):
                entry.with_user(user).read(["reason"])
            with self.assertRaises(AccessError):
                self.Log.with_user(user).search([])

    def test_open_document_checks_access(self):
        entry = self.Log._audit("ticket_reopened", self.ticket, "Checked")
        action = entry.with_user(self.manager).action_open_document()
        self.assertEqual((action["res_model"], action["res_id"]), ("aftersales.ticket", self.ticket.id))
        # an entry about a document of another company: the manager reads the entry, not the document
        other_company = self.env["res.company"].create({"name": "Other Services"})
        partner = self.env["res.partner"].create({"name": "Olga Other", "company_id": other_company.id})
        other = self.Log.sudo().create(
            {
                "user_id": self.env.uid,
                "company_id": self.company.id,
                "action": "other",
                "res_model": partner._name,
                "res_id": partner.id,
                "res_name": partner.name,
            }
        )
        self.assertEqual(other.with_user(self.manager).res_name, "Olga Other")
        with self.assertRaises(AccessError):
            other.with_user(self.manager).action_open_document()

    # ------------------------------------------------------------------
    # Tracking
    # ------------------------------------------------------------------

    def _tracked(self, record, field_name):
        self._flush_tracking()
        record.invalidate_recordset(["message_ids"])
        return record.message_ids.tracking_value_ids.filtered(lambda value: value.field_id.name == field_name)

    def test_key_fields_are_tracked(self):
        visit = self._visit(scheduled_start=datetime(2026, 6, 9, 10, 0))
        clash = self._clash()
        ticket = self._ticket()
        period = self.env["aftersales.commission.period"].create(
            {"name": "July", "date_from": "2026-07-01", "date_to": "2026-07-31"}
        )
        self._flush_tracking()
        visit.partner_id = self.home
        visit.time_spent = 2.0
        self.assertTrue(self._tracked(visit, "partner_id"))
        self.assertTrue(self._tracked(visit, "time_spent"))
        clash.with_user(self.dispatcher).write(
            {"assignment_forced": True, "assignment_forced_reason": "Urgent", "technician_id": self.tech_a.id}
        )
        self.assertTrue(self._tracked(clash, "assignment_forced_reason"))
        ticket.contact_id = self.env["res.partner"].create({"name": "Wendy Washer", "parent_id": self.customer.id})
        self.assertTrue(self._tracked(ticket, "contact_id"))
        period.date_to = "2026-07-30"
        self.assertTrue(self._tracked(period, "date_to"))
        self.tech_a.home_partner_id = self.customer
        self.assertTrue(self._tracked(self.tech_a, "home_partner_id"))
