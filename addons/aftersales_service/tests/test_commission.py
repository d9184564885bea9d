import io
import zipfile
from datetime import date, datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_fees import AftersalesFeesCommon

try:
    import openpyxl
except ImportError:
    openpyxl = None


@tagged("post_install", "-at_install")
class TestCommission(AftersalesFeesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rule = cls.env["aftersales.commission.rule"]
        Rule.search([]).active = False
        cls.rule_fixed = Rule.create(
            {"name": "Any visit", "sequence": 50, "amount_type": "fixed", "fixed_amount": 20.0, "rework_days": 0}
        )
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
        cls.type_install = cls.env.ref("aftersales_service.ticket_type_installation")
        cls.rule_install = Rule.create(
            {
                "name": "Installations",
                "sequence": 20,
                "ticket_type_id": cls.type_install.id,
                "amount_type": "fixed",
                "fixed_amount": 35.0,
            }
        )
        cls.parent_category = cls.env["product.category"].create({"name": "Appliances"})
        cls.category.parent_id = cls.parent_category
        cls.rule_category = Rule.create(
            {
                "name": "Appliances",
                "sequence": 30,
                "product_category_id": cls.parent_category.id,
                "amount_type": "fixed",
                "fixed_amount": 25.0,
            }
        )
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_dispatcher",
            name="Dora Dispatch",
            groups="aftersales_service.aftersales_service_group_dispatcher",
        )

    def _repair_with_fees(self, **kwargs):
        # 1.5 h x 80 + travel 40 + fee 30 = 190 billed
        return self._do_visit(
            self._visit(),
            lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}, {"line_type": "fee"}],
            **kwargs,
        )

    def test_rule_selection(self):
        Rule = self.env["aftersales.commission.rule"]
        repair = self._visit()
        follow_up = self._visit(visit_type_id=self.type_follow_up.id)
        self.assertEqual(Rule._rule_for(repair), self.rule_repair, "visit type and category match")
        self.assertEqual(Rule._rule_for(follow_up), self.rule_category, "category of a parent")
        self.ticket.ticket_type_id = self.type_install
        self.assertEqual(Rule._rule_for(follow_up), self.rule_install, "first in sequence")
        other_ticket = self._ticket(product_id=self.other_product.id)
        self.assertEqual(
            Rule._rule_for(self._visit(ticket=other_ticket, visit_type_id=self.type_follow_up.id)),
            self.rule_fixed,
        )
        self.rule_fixed.active = False
        self.assertFalse(Rule._rule_for(self._visit(ticket=other_ticket, visit_type_id=self.type_follow_up.id)))

    def test_bad_rules(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.rule_repair.percentage = 120.0
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.rule_fixed.fixed_amount = -1.0

    def test_percentage_and_fixed_commissions(self):
        visit = self._repair_with_fees(user=self.tech_a.user_id)
        commission = visit.commission_ids
        self.assertEqual(commission.technician_id, self.tech_a)
        self.assertEqual(commission.rule_id, self.rule_repair)
        self.assertEqual((commission.base_amount, commission.amount, commission.deduction), (190.0, 19.0, 0.0))
        self.assertEqual(commission.date, datetime(2026, 6, 9).date())
        self.assertEqual(commission.period_id.name, "2026-06")
        self.assertEqual(
            (commission.period_id.date_from.isoformat(), commission.period_id.date_to.isoformat()),
            ("2026-06-01", "2026-06-30"),
        )
        other_ticket = self._ticket(product_id=self.other_product.id)
        fixed = self._do_visit(
            self._visit(
                ticket=other_ticket,
                visit_type_id=self.type_follow_up.id,
                technician_id=self.tech_b.id,
                assignment_forced=True,
                assignment_forced_reason="Only free technician",
            ),
            start=datetime(2026, 6, 10, 10, 0),
        )
        self.assertEqual(fixed.commission_ids.rule_id, self.rule_fixed)
        self.assertEqual((fixed.commission_ids.amount, fixed.commission_ids.total), (20.0, 20.0))
        self.assertEqual(fixed.commission_ids.period_id, commission.period_id)

    def test_day_where_the_company_is(self):
        """A visit done at 15:30 UTC on 30 June, 03:30 on 1 July in Auckland: for a company there, its
        commission is of 1 July and counts in July, as its partners' settlements count the day."""
        self.company.partner_id.tz = "Pacific/Auckland"
        visit = self._repair_with_fees(start=datetime(2026, 6, 30, 14, 0), user=self.tech_a.user_id)
        commission = visit.commission_ids
        self.assertEqual(commission.date, date(2026, 7, 1))
        self.assertEqual(commission.period_id.name, "2026-07")
        self.assertEqual(str(commission.period_id.date_from), "2026-07-01")

    def test_rework_deduction(self):
        visit = self._repair_with_fees()
        period = visit.commission_ids.period_id
        # a new ticket for the same serial is not re-work by itself, nor a repair 40 days later
        late = self._ticket(name="Noisy again", lot_id=self.lot.id, request_date=datetime(2026, 7, 19, 10, 0))
        self._do_visit(self._visit(ticket=late, technician_id=self.tech_b.id), start=datetime(2026, 7, 20, 10, 0))
        period.action_compute()
        self.assertEqual(visit.commission_ids.deduction, 0.0)
        # a repair 10 days after the visit is
        rework = self._ticket(name="Still not draining", lot_id=self.lot.id, request_date=datetime(2026, 6, 19, 9, 0))
        revisit = self._do_visit(
            self._visit(ticket=rework, technician_id=self.tech_b.id), start=datetime(2026, 6, 19, 14, 0)
        )
        commission = visit.commission_ids
        self.assertEqual((commission.rework_visit_id, commission.rework_ticket_id), (revisit, rework))
        self.assertEqual((commission.amount, commission.deduction, commission.total), (19.0, 9.5, 9.5))

    def test_rework_without_serial(self):
        ticket = self._ticket(product_id=self.other_product.id)
        visit = self._do_visit(
            self._visit(ticket=ticket, assignment_forced=True, assignment_forced_reason="Urgent"),
            lines=[{"line_type": "fee"}],
        )
        self._do_visit(
            self._visit(ticket=ticket, assignment_forced=True, assignment_forced_reason="Urgent"),
            start=datetime(2026, 6, 12, 10, 0),
        )
        self.env["aftersales.commission.period"]._cron_compute_open_periods()
        self.assertEqual((visit.commission_ids.amount, visit.commission_ids.deduction), (3.0, 1.5))

    def test_closed_period_does_not_change(self):
        visit = self._repair_with_fees()
        commission = visit.commission_ids
        period = commission.period_id
        period.action_close()
        self.assertEqual((period.state, commission.state), ("closed", "closed"))
        # a visit done in a closed period earns nothing more
        late = self._do_visit(self._visit(visit_type_id=self.type_follow_up.id), start=datetime(2026, 6, 12, 10, 0))
        self.assertFalse(late.commission_ids)
        self.env["aftersales.commission"]._compute_for_visits(visit)
        self.assertEqual((commission.deduction, commission.total), (0.0, 19.0))
        with self.assertRaisesRegex(UserError, "closed"):
            period.action_compute()
        with self.assertRaisesRegex(UserError, "closed"):
            commission.amount = 50.0
        with self.assertRaisesRegex(UserError, "closed"):
            commission.unlink()
        period._reopen("Visit done late")
        period.action_compute()
        self.assertEqual(commission.deduction, 0.0, "a follow-up is no re-work")
        self.assertEqual(late.commission_ids.amount, 25.0)

    def test_period_dates(self):
        Period = self.env["aftersales.commission.period"]
        Period.create({"name": "Q1", "date_from": "2026-01-01", "date_to": "2026-03-31"})
        with self.assertRaisesRegex(ValidationError, "overlaps"):
            Period.create({"name": "March", "date_from": "2026-03-01", "date_to": "2026-03-31"})
        with self.assertRaisesRegex(ValidationError, "ends before"):
            Period.create({"name": "Bad", "date_from": "2026-05-31", "date_to": "2026-05-01"})

    def test_access(self):
        mine = self._repair_with_fees().commission_ids
        theirs = self._do_visit(
            self._visit(visit_type_id=self.type_follow_up.id, technician_id=self.tech_b.id),
            start=datetime(2026, 6, 10, 10, 0),
        ).commission_ids
        Commission = self.env["aftersales.commission"]
        user_a = self.tech_a.user_id
        self.assertEqual(Commission.with_user(user_a).search([]), mine)
        mine.with_user(user_a).read(["total"])
        with self.assertRaises(AccessError):
            theirs.with_user(user_a).read(["total"])
        with self.assertRaises(AccessError):
            mine.with_user(user_a).write({"amount": 100.0})
        technicians = self.tech_a | self.tech_b
        self.assertEqual(
            Commission.with_user(self.dispatcher).search([("technician_id", "in", technicians.ids)]), mine | theirs
        )
        with self.assertRaises(AccessError):
            mine.period_id.with_user(self.dispatcher).action_close()
        with self.assertRaises(AccessError):
            self.rule_fixed.with_user(self.dispatcher).fixed_amount = 1.0
        mine.period_id.with_user(self.manager).action_close()
        self.assertEqual(mine.period_id.state, "closed")

    def test_excel_export(self):
        visit = self._repair_with_fees()
        period = visit.commission_ids.period_id
        action = period.with_user(self.dispatcher).action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertEqual(attachment.name, "2026-06.xlsx")
        content = attachment.with_user(self.dispatcher).raw
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(content)))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            self.assertIn("xl/worksheets/sheet1.xml", archive.namelist())
        if openpyxl is None:
            return
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(workbook.sheetnames, ["Commissions", "Per Technician"])
        rows = list(workbook["Commissions"].iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Technician")
        self.assertEqual(rows[1][0], "Tara Tech")
        self.assertEqual(rows[1][2], visit.name)
        self.assertEqual(
            rows[0][5:],
            ("Type", "Re-work Visit", "Billed Fees", "Covered Fees", "Commission", "Deduction", "Net Commission"),
        )
        self.assertEqual(rows[1][5], "Commission")
        self.assertEqual(rows[1][7:], (190.0, 0.0, 19.0, 0.0, 19.0))
        summary = list(workbook["Per Technician"].iter_rows(values_only=True))
        self.assertEqual(summary[1], ("Tara Tech", 19.0))
