from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_coverage import CoverageCommon


@tagged("post_install", "-at_install")
class TestWarrantyAudit(CoverageCommon):
    """Coverage overrides and warranties voided or extended by hand go to the audit log."""

    def _entries(self, action, record):
        return self.env["aftersales.audit.log"].search(
            [("action", "=", action), ("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def test_coverage_override_is_logged_with_its_reason(self):
        self._running_warranty()
        visit = self._start_visit([{"line_type": "labour"}])
        labour = visit.line_ids
        with self.assertRaises(ValidationError):
            labour.with_user(self.manager).write({"coverage_override": "billable"})
        with self.assertRaises(AccessError):
            labour.with_user(self.agent).write({"coverage_override": "billable", "coverage_override_reason": "No"})
        self.assertFalse(self._entries("coverage_override", visit))
        labour.with_user(self.manager).write(
            {"coverage_override": "billable", "coverage_override_reason": "Damage caused by misuse"}
        )
        entry = self._entries("coverage_override", visit)
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.user_id, entry.reason), (self.manager, "Damage caused by misuse"))
        self.assertIn("Warranty", entry.old_value)
        self.assertIn("Billable", entry.new_value)
        # going back to the warranty rules is logged too, without a reason to give
        labour.with_user(self.manager).write({"coverage_override": False, "coverage_override_reason": False})
        self.assertEqual(len(self._entries("coverage_override", visit)), 2)
        self.assertEqual(labour.coverage, "warranty")

    def test_override_on_a_new_line_is_logged(self):
        self._running_warranty()
        visit = self._start_visit([])
        visit.with_user(self.manager).write(
            {
                "line_ids": [
                    Command.create(
                        {
                            "line_type": "labour",
                            "coverage_override": "billable",
                            "coverage_override_reason": "Not a fault of the unit",
                        }
                    )
                ]
            }
        )
        entry = self._entries("coverage_override", visit)
        self.assertEqual((len(entry), entry.reason), (1, "Not a fault of the unit"))

    def test_warranty_voided_by_hand_is_logged(self):
        warranty = self._running_warranty()
        warranty.with_user(self.manager)._void_by_hand("Unit flooded")
        entry = self._entries("warranty_voided", warranty)
        self.assertEqual((entry.user_id, entry.reason), (self.manager, "Unit flooded"))
        self.assertEqual(entry.old_value, "Active")
        self.assertEqual(warranty.state, "void")

    def test_void_button_asks_why(self):
        warranty = self._running_warranty()
        action = warranty.with_user(self.manager).action_void()
        self.assertEqual(action["res_model"], "aftersales.audit.reason")
        self.assertEqual(warranty.state, "active")
        with self.assertRaises(AccessError):
            warranty.with_user(self.tech_a.user_id).action_void()
        wizard = (
            self.env["aftersales.audit.reason"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"reason": "Sold to another country"})
        )
        wizard.action_confirm()
        self.assertEqual((warranty.state, warranty.void_reason), ("void", "Sold to another country"))
        entry = self._entries("warranty_voided", warranty)
        self.assertEqual((entry.user_id, entry.reason), (self.manager, "Sold to another country"))

    def test_entries_stay_when_the_addon_goes(self):
        ondelete = self.env["aftersales.audit.log"]._fields["action"].ondelete
        for action in ("coverage_override", "warranty_voided", "warranty_extended"):
            self.assertEqual(ondelete[action], "set other")

    def test_only_managers_void_by_hand(self):
        warranty = self._running_warranty()
        for user in (self.agent, self.tech_a.user_id):
            with self.assertRaises(AccessError):
                warranty.with_user(user)._void_by_hand("Unit flooded")
            with self.assertRaises(AccessError):
                warranty.with_user(user).with_context(aftersales_void_reason="Unit flooded").action_void()
            with self.assertRaises(AccessError):
                warranty.with_user(user).action_void()
        # the wizard does not get around it either
        wizard = (
            self.env["aftersales.audit.reason"]
            .with_user(self.agent)
            .create(
                {
                    "res_model": warranty._name,
                    "res_ids": warranty.ids,
                    "method": "_void_by_hand",
                    "reason": "Unit flooded",
                }
            )
        )
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        self.assertEqual(warranty.state, "active")
        self.assertFalse(self._entries("warranty_voided", warranty))
        warranty.with_user(self.manager)._void_by_hand("Unit flooded")
        with self.assertRaisesRegex(UserError, "already void"):
            warranty.with_user(self.manager)._void_by_hand("Again")

    def test_end_date_computed_again_is_not_an_extension(self):
        warranty = self._running_warranty(start=date(2026, 1, 1))
        end = warranty.end_date
        # the form sends the end date computed from the new start date along with it
        later = date(2026, 3, 1)
        warranty.write({"start_date": later, "end_date": warranty.policy_id._end_date(later, 0)})
        self.assertGreater(warranty.end_date, end)
        warranty.write({"policy_id": warranty.policy_id.id, "end_date": warranty.end_date.replace(day=2)})
        self.assertFalse(self._entries("warranty_extended", warranty))
        # a reason in the context makes no write a change by hand: only the action extends
        warranty.with_context(aftersales_extend_reason="Goodwill").write(
            {"start_date": later, "end_date": date(end.year + 2, 1, 1)}
        )
        self.assertFalse(self._entries("warranty_extended", warranty))
        warranty.with_user(self.manager).action_extend(date(end.year + 3, 1, 1), "Goodwill")
        self.assertEqual(len(self._entries("warranty_extended", warranty)), 1)

    def test_warranty_extended_by_hand_is_logged(self):
        warranty = self._running_warranty(start=date(2026, 1, 1))
        self._flush_tracking()
        end = warranty.end_date
        with self.assertRaises(UserError):
            warranty.with_user(self.manager).action_extend(date(end.year + 1, end.month, end.day), " ")
        warranty.with_user(self.manager).action_extend(
            date(end.year + 1, end.month, end.day), "Goodwill after two failures"
        )
        entry = self._entries("warranty_extended", warranty)
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.reason, "Goodwill after two failures")
        self.assertEqual(entry.old_value, str(end))
        self._flush_tracking()
        warranty.invalidate_recordset(["message_ids"])
        tracked = warranty.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("end_date", tracked)
        # shortening is not an extension
        with self.assertRaisesRegex(UserError, "must come after"):
            warranty.with_user(self.manager).action_extend(end, "Shorter")
        self.assertEqual(len(self._entries("warranty_extended", warranty)), 1)

    def test_key_fields_are_tracked(self):
        warranty = self._running_warranty()
        self._flush_tracking()
        warranty.covers_travel = True
        self._flush_tracking()
        warranty.invalidate_recordset(["message_ids"])
        self.assertIn("covers_travel", warranty.message_ids.tracking_value_ids.field_id.mapped("name"))
