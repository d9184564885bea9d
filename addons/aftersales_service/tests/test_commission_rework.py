import io
from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common_fees import AftersalesFeesCommon

try:
    import openpyxl
except ImportError:
    openpyxl = None

# a Tuesday of June 2026: the first visit
FIRST_VISIT = datetime(2026, 6, 9, 10, 0)


class CommissionReworkCommon(AftersalesFeesCommon):
    """A percentage rule for repairs that withholds half of the commission on re-work within 30 days,
    and a fixed rule for the other visits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rule = cls.env["aftersales.commission.rule"]
        Rule.search([]).active = False
        cls.rule_repair = Rule.create(
            {
                "name": "Repairs",
                "sequence": 10,
                "visit_type_id": cls.type_repair_visit.id,
                "amount_type": "percentage",
                "percentage": 10.0,
                "rework_days": 30,
                "rework_deduction": 50.0,
            }
        )
        cls.rule_other = Rule.create(
            {"name": "Other visits", "sequence": 50, "amount_type": "fixed", "fixed_amount": 20.0, "rework_days": 0}
        )
        cls.type_maintenance = cls.env.ref("aftersales_service.visit_type_maintenance")
        cls.type_maintenance.fee_product_id = cls.fee_product

    def _technician_visit(self, technician, ticket=None, start=FIRST_VISIT, visit_type=None, lines=None):
        """A visit planned for ``technician`` and done by the technician's own user, with a call-out fee
        (or labour, travel and the fee: 190 billed)."""
        visit = self._visit(
            ticket=ticket,
            technician_id=technician.id,
            visit_type_id=(visit_type or self.type_repair_visit).id,
            assignment_forced=True,
            assignment_forced_reason="The technician who knows the customer",
        )
        if lines is None:
            lines = [{"line_type": "labour"}, {"line_type": "travel_zone"}, {"line_type": "fee"}]
        return self._do_visit(visit, start=start, lines=lines, user=technician.user_id)

    def _other_ticket(self, **values):
        """Another ticket on the same unit, reported by the customer and logged by an agent."""
        return self._ticket(name="Leaks again", lot_id=self.lot.id, **values)


@tagged("post_install", "-at_install")
class TestCommissionRework(CommissionReworkCommon):
    def test_revisit_the_week_after_deducts_the_first_technician(self):
        first = self._technician_visit(self.tech_a)
        commission = first.commission_ids
        self.assertEqual((commission.amount, commission.deduction, commission.total), (19.0, 0.0, 19.0))
        # a week later Ben comes back for the same machine, on a ticket of its own
        revisit = self._technician_visit(
            self.tech_b, ticket=self._other_ticket(), start=datetime(2026, 6, 16, 10, 0), lines=[]
        )
        self.assertEqual(commission.technician_id, self.tech_a, "the first technician pays for the re-work")
        self.assertEqual((commission.amount, commission.deduction, commission.total), (19.0, 9.5, 9.5))
        self.assertEqual(commission.rework_visit_id, revisit)
        self.assertEqual(commission.rework_ticket_id, revisit.ticket_id)
        self.assertEqual(commission.period_id.state, "open")
        second = revisit.commission_ids
        self.assertEqual((second.technician_id, second.deduction, second.rework_visit_id.id), (self.tech_b, 0.0, False))
        # Tara reads her own commission, with the re-work it was reduced for, and nothing of Ben's
        mine = self.env["aftersales.commission"].with_user(self.tech_a.user_id).search([])
        self.assertEqual(mine, commission)
        self.assertEqual(mine.read(["total", "rework_visit_id"])[0]["rework_visit_id"][0], revisit.id)
        with self.assertRaises(AccessError):
            second.with_user(self.tech_a.user_id).read(["total"])
        # computing again changes nothing
        commission.period_id.with_user(self.manager).action_compute()
        self.assertEqual((commission.deduction, commission.rework_visit_id), (9.5, revisit))
        self.assertFalse(self.env["aftersales.commission"].search([("line_type", "=", "deduction")]))

    def test_revisit_after_the_period_closed_is_deducted_in_the_next_period(self):
        first = self._technician_visit(self.tech_a, start=datetime(2026, 6, 26, 10, 0))
        commission = first.commission_ids
        june = commission.period_id
        june.with_user(self.manager).action_close()
        self.assertEqual((june.state, june.total), ("closed", 19.0))
        revisit = self._technician_visit(
            self.tech_b, ticket=self._other_ticket(), start=datetime(2026, 7, 3, 10, 0), lines=[]
        )
        july = revisit.commission_ids.period_id
        self.assertEqual((july.name, july.state), ("2026-07", "open"))
        # the closed period is unchanged
        self.assertEqual((commission.deduction, commission.total, commission.rework_visit_id.id), (0.0, 19.0, False))
        self.assertEqual(june.total, 19.0)
        # the deduction lands in July, linked to the June commission and the revisit
        late = commission.late_deduction_ids
        self.assertEqual(len(late), 1)
        self.assertEqual(late.line_type, "deduction")
        self.assertEqual(late.period_id, july)
        self.assertEqual((late.technician_id, late.visit_id, late.origin_id), (self.tech_a, first, commission))
        self.assertEqual(late.rework_visit_id, revisit)
        self.assertEqual((late.amount, late.deduction, late.total), (0.0, 9.5, -9.5))
        self.assertEqual(late.date, datetime(2026, 7, 3).date())
        self.assertEqual(july.total, revisit.commission_ids.total - 9.5)
        # the Excel export of July shows the deduction line
        if openpyxl:
            workbook = openpyxl.load_workbook(io.BytesIO(july.with_user(self.manager)._xlsx()))
            rows = list(workbook["Commissions"].iter_rows(values_only=True))
            deduction_rows = [row for row in rows if row[5] == "Late Deduction"]
            self.assertEqual(len(deduction_rows), 1)
            self.assertEqual(deduction_rows[0][0], "Tara Tech")
            self.assertEqual(deduction_rows[0][6], revisit.name)
            self.assertEqual(deduction_rows[0][9:], (0.0, 9.5, -9.5))
        # Tara sees the deduction among her commissions
        mine = self.env["aftersales.commission"].with_user(self.tech_a.user_id).search([])
        self.assertEqual(mine, commission | late)
        # the daily computation and the closing of July add no second deduction
        self.env["aftersales.commission.period"]._cron_compute_open_periods()
        july.with_user(self.manager).action_close()
        self.assertEqual(commission.late_deduction_ids, late)
        self.assertEqual((late.state, late.total), ("closed", -9.5))
        # June reopened and computed again: the re-work is withheld once, in July
        june.with_user(self.manager)._reopen("Forgotten bonus")
        june.with_user(self.manager).action_compute()
        self.assertEqual((commission.deduction, commission.total), (0.0, 19.0))
        # a deduction cannot be made up by hand
        with self.assertRaisesRegex(UserError, "closed"):
            late.unlink()

    def test_second_visit_on_the_same_ticket_is_rework(self):
        first = self._technician_visit(self.tech_a)
        revisit = self._technician_visit(self.tech_b, start=datetime(2026, 6, 12, 10, 0), lines=[])
        self.assertEqual(revisit.ticket_id, first.ticket_id)
        self.assertEqual((first.commission_ids.deduction, first.commission_ids.rework_visit_id), (9.5, revisit))

    def test_planned_maintenance_is_not_rework(self):
        first = self._technician_visit(self.tech_a)
        maintenance = self._technician_visit(
            self.tech_b,
            ticket=self._other_ticket(),
            start=datetime(2026, 6, 12, 10, 0),
            visit_type=self.type_maintenance,
            lines=[{"line_type": "fee"}],
        )
        self.assertEqual(maintenance.commission_ids.rule_id, self.rule_other)
        self.assertEqual((first.commission_ids.deduction, first.commission_ids.rework_visit_id.id), (0.0, False))

    def test_visit_on_another_unit_is_not_rework(self):
        first = self._technician_visit(self.tech_a)
        _order, other_lot = self._sell_and_deliver(self.customer, self.product, "WM7-0002")
        self._technician_visit(
            self.tech_b, ticket=self._ticket(lot_id=other_lot.id), start=datetime(2026, 6, 12, 10, 0), lines=[]
        )
        # a new ticket on the unit, with no visit, is no re-work either
        self._other_ticket(request_date=datetime(2026, 6, 13, 10, 0))
        first.commission_ids.period_id.action_compute()
        self.assertEqual(first.commission_ids.deduction, 0.0)

    def test_revisit_after_the_window_is_not_rework(self):
        first = self._technician_visit(self.tech_a)
        self._technician_visit(self.tech_b, ticket=self._other_ticket(), start=datetime(2026, 7, 10, 10, 0), lines=[])
        self.assertEqual(first.commission_ids.deduction, 0.0)

    def test_unit_without_serial(self):
        """Without a serial number the unit is the ticket: a revisit on the same ticket is re-work,
        a visit on another ticket for the same product and customer is not."""
        ticket = self._ticket(product_id=self.other_product.id)
        first = self._technician_visit(self.tech_a, ticket=ticket, lines=[{"line_type": "fee"}])
        self._technician_visit(
            self.tech_b,
            ticket=self._ticket(product_id=self.other_product.id),
            start=datetime(2026, 6, 11, 10, 0),
            lines=[],
        )
        self.assertEqual(first.commission_ids.deduction, 0.0)
        revisit = self._technician_visit(self.tech_b, ticket=ticket, start=datetime(2026, 6, 12, 10, 0), lines=[])
        self.assertEqual((first.commission_ids.deduction, first.commission_ids.rework_visit_id), (1.5, revisit))

    def test_computation_does_not_grow_with_the_visits(self):
        Period = self.env["aftersales.commission.period"]
        serials = iter(range(100))

        def queries_of_a_new_computation(count, hour):
            for day in range(count):
                _order, lot = self._sell_and_deliver(self.customer, self.product, f"WM7-Q{next(serials)}")
                self._technician_visit(
                    self.tech_a, ticket=self._ticket(lot_id=lot.id), start=datetime(2026, 6, 1 + day, hour, 0)
                )
            period = Period.search([("date_from", "=", "2026-06-01")])
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.cr.sql_log_count
            period.action_compute()
            self.env.flush_all()
            return self.cr.sql_log_count - before

        few = queries_of_a_new_computation(2, 10)
        many = queries_of_a_new_computation(4, 14)
        self.assertEqual(many, few, "computing a period again costs the same for 2 or 6 visits")


@tagged("post_install", "-at_install")
class TestCommissionReworkRpc(CommissionReworkCommon, HttpCase):
    def test_technician_cannot_write_commissions_over_rpc(self):
        commission = self._technician_visit(self.tech_a).commission_ids
        self.authenticate(self.tech_a.user_id.login, self.tech_a.user_id.login)
        read = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "aftersales.commission",
                "method": "read",
                "args": [commission.ids, ["total"]],
                "kwargs": {},
            },
        )
        self.assertEqual(read[0]["total"], 19.0, "the technician reads their own commission")
        calls = [
            ("write", [commission.ids, {"deduction": 0.0, "amount": 500.0}]),
            ("unlink", [commission.ids]),
            (
                "create",
                [
                    {
                        "visit_id": commission.visit_id.id,
                        "technician_id": self.tech_a.id,
                        "period_id": commission.period_id.id,
                        "rule_id": self.rule_repair.id,
                        "company_id": self.company.id,
                        "date": "2026-06-10",
                        "amount": 500.0,
                    }
                ],
            ),
        ]
        for method, args in calls:
            with (
                self.subTest(method=method),
                mute_logger("odoo.http"),
                self.assertRaises(JsonRpcException) as refusal,
            ):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {"model": "aftersales.commission", "method": method, "args": args, "kwargs": {}},
                )
            self.assertEqual(refusal.exception.args[0], "odoo.exceptions.AccessError")
        commission.invalidate_recordset()
        self.assertEqual((commission.amount, commission.total), (19.0, 19.0))
