from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_commission_rework import CommissionReworkCommon


@tagged("post_install", "-at_install")
class TestCommissionManualChanges(CommissionReworkCommon):
    def test_manager_adjusts_amounts_but_not_what_the_commission_is(self):
        first = self._technician_visit(self.tech_a)
        revisit = self._technician_visit(
            self.tech_b, ticket=self._other_ticket(), start=datetime(2026, 6, 16, 10, 0), lines=[]
        )
        commission = first.commission_ids
        other = revisit.commission_ids
        self.assertEqual((commission.period_id.state, commission.rework_visit_id), ("open", revisit))
        mine = commission.with_user(self.manager)
        for vals in (
            {"line_type": "deduction", "origin_id": other.id},
            {"origin_id": other.id},
            {"rework_visit_id": False},
            {"covered_amount": 500.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                mine.write(vals)
        self.assertEqual(
            (commission.line_type, commission.origin_id.id, commission.rework_visit_id, commission.covered_amount),
            ("commission", False, revisit, 0.0),
        )
        # the manager still corrects the amount of an open period by hand
        mine.write({"amount": 25.0, "deduction": 5.0})
        self.assertEqual(commission.total, 20.0)

    def test_closed_period_says_how_to_change_it(self):
        commission = self._technician_visit(self.tech_a).commission_ids
        period = commission.period_id
        period.with_user(self.manager).action_close()
        for record, vals in ((period, {"date_to": period.date_from}), (commission, {"amount": 1.0})):
            with self.subTest(model=record._name), self.assertRaisesRegex(AccessError, "reopens the period") as refusal:
                record.with_user(self.manager).write(vals)
            self.assertNotIn("Correct action", str(refusal.exception))
        self.assertEqual((commission.amount, period.state), (19.0, "closed"))

    def test_technician_reads_commissions_as_cards(self):
        commission = self._technician_visit(self.tech_a).commission_ids
        action = self.env.ref("aftersales_service.aftersales_commission_action_my")
        self.assertIn("kanban", action.view_mode.split(","), "the phone opens the cards")
        Commission = self.env["aftersales.commission"].with_user(self.tech_a.user_id)
        arch = Commission.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        self.assertIn('name="total"', arch)
        kanban_fields = ("total", "deduction", "line_type", "date", "state")
        spec = dict.fromkeys(kanban_fields, {}) | {"visit_id": {"fields": {"display_name": {}}}}
        records = Commission.web_search_read([], specification=spec)["records"]
        self.assertEqual(
            [(r["id"], r["total"], r["visit_id"]["display_name"]) for r in records],
            [(commission.id, 19.0, commission.visit_id.display_name)],
        )
