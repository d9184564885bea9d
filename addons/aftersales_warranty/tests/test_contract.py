import base64
import io
from datetime import date

import openpyxl
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestContract(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service_product = cls.env["product.product"].create(
            {"name": "Maintenance Plan", "type": "service", "list_price": 400.0}
        )
        cls.contract_policy = cls.env["aftersales.sla.policy"].create(
            {
                "name": "Contract Gold",
                "sequence": 50,
                "calendar_id": cls.calendar.id,
                "response_hours": 1.0,
                "resolution_hours": 2.0,
            }
        )
        cls.Contract = cls.env["aftersales.contract"]

    def _contract(self, **values):
        vals = {
            "partner_id": self.customer.id,
            "product_id": self.service_product.id,
            "start_date": date(2026, 1, 1),
            "term_months": 12,
            "invoicing_period": "quarterly",
            "recurring_amount": 300.0,
            "visits_per_year": 4,
            "visit_lead_days": 14,
            "team_id": self.team.id,
            "lot_ids": [Command.set(self.lot.ids)],
        }
        vals.update(values)
        return self.Contract.create(vals)

    def _reminders(self, contract):
        return contract.message_ids.filtered(lambda m: m.subject and "ends soon" in m.subject)

    def test_cron_plans_visits_and_invoices_once(self):
        contract = self._contract()
        self.assertTrue(contract.name.startswith("CTR/"))
        self.assertEqual(contract.end_date, date(2026, 12, 31))
        self.assertEqual(
            contract._planned_dates(),
            [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)],
            "four visits a year: every three months from the start",
        )
        with freeze_time("2026-01-01"):
            contract.action_start()
            self.Contract._cron_process()
            self.assertEqual(contract.occurrence_ids.mapped("planned_date"), [date(2026, 1, 1)])
            self.assertEqual(len(contract.invoice_ids), 1)
            # running twice creates nothing more
            self.Contract._cron_process()
            self.assertEqual(len(contract.occurrence_ids), 1)
            self.assertEqual(len(contract.invoice_ids), 1)
        occurrence = contract.occurrence_ids
        self.assertEqual(occurrence.ticket_id.contract_id, contract)
        self.assertEqual(occurrence.ticket_id.lot_id, self.lot)
        self.assertEqual(occurrence.ticket_id.team_id, self.team)
        self.assertEqual(occurrence.visit_id.ticket_id, occurrence.ticket_id)
        self.assertEqual(occurrence.visit_id.state, "draft")
        self.assertEqual(occurrence.visit_id.scheduled_start.date(), date(2026, 1, 1))
        invoice = contract.invoice_ids
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual(invoice.invoice_date, date(2026, 1, 1))
        self.assertEqual(invoice.invoice_line_ids.product_id, self.service_product)
        self.assertEqual(invoice.amount_untaxed, 300.0)
        self.assertIn(contract.name, invoice.invoice_line_ids.name)
        self.assertIn("2026", invoice.invoice_line_ids.name)
        self.assertEqual(contract.next_invoice_date, date(2026, 4, 1))
        # the cron did not run for months: the missed visits and periods are caught up, once
        with freeze_time("2026-07-10"):
            self.Contract._cron_process()
            self.Contract._cron_process()
        self.assertEqual(
            contract.occurrence_ids.mapped("planned_date"),
            [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)],
        )
        self.assertEqual(len(contract.ticket_ids), 3)
        self.assertEqual(
            sorted(contract.invoice_ids.mapped("aftersales_period_start")),
            [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)],
        )
        self.assertEqual(
            sorted(contract.invoice_ids.mapped("aftersales_period_end")),
            [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)],
        )
        self.assertEqual(contract.invoice_count, 3)
        self.assertEqual(contract.visit_count, 3)
        # the fourth visit is planned 14 days ahead of its date
        with freeze_time("2026-09-16"):
            self.Contract._cron_process()
        self.assertEqual(len(contract.occurrence_ids), 3)
        with freeze_time("2026-09-17"):
            self.Contract._cron_process()
        self.assertEqual(len(contract.occurrence_ids), 4)
        # consumption counts the done visits of the contract's tickets
        contract.occurrence_ids[0].visit_id.write({"state": "done", "time_spent": 1.5})
        contract.invalidate_recordset(["visits_used", "hours_used"])
        self.assertEqual(contract.visits_used, 1)
        self.assertEqual(contract.hours_used, 1.5)
        # the whole term is invoiced at the end, nothing after it
        with freeze_time("2027-02-01"):
            self.Contract._cron_process()
        self.assertEqual(len(contract.invoice_ids), 4)
        self.assertFalse(contract.next_invoice_date)
        self.assertEqual(contract.state, "expired")

    def test_cron_does_not_grow_with_contracts(self):
        """The cron's queries for contracts with nothing to do stay the same, however many they are."""
        with freeze_time("2026-02-01"):
            first = self._contract(lot_ids=False)
            first.action_start()
            self.Contract._cron_process()
            self.env.flush_all()
            self.env.invalidate_all()
            queries_before = self.cr.sql_log_count
            self.Contract._cron_process()
            one = self.cr.sql_log_count - queries_before
            others = self.Contract.create(
                [
                    {
                        "partner_id": self.customer.id,
                        "product_id": self.service_product.id,
                        "start_date": date(2026, 1, 1),
                        "recurring_amount": 100.0,
                        "invoicing_period": "yearly",
                    }
                    for _index in range(5)
                ]
            )
            others.action_start()
            self.Contract._cron_process()
            self.env.flush_all()
            self.env.invalidate_all()
            queries_before = self.cr.sql_log_count
            self.Contract._cron_process()
            many = self.cr.sql_log_count - queries_before
        self.assertEqual(len(others.invoice_ids), 5)
        self.assertLessEqual(many, one + 2)

    def test_renewal_reminder_and_auto_renew(self):
        contract = self._contract(
            invoicing_period="yearly", recurring_amount=1000.0, renewal_amount=1100.0, visits_per_year=0
        )
        with freeze_time("2026-01-01"):
            contract.action_start()
            self.Contract._cron_process()
        with freeze_time("2026-11-30"):
            self.Contract._cron_process()
        self.assertEqual(contract.state, "running")
        self.assertFalse(self._reminders(contract))
        with freeze_time("2026-12-01"):
            self.Contract._cron_process()
            self.Contract._cron_process()
        self.assertEqual(contract.state, "to_renew")
        reminder = self._reminders(contract)
        self.assertEqual(len(reminder), 1, "the end reminder is sent once")
        self.assertIn(self.customer, reminder.partner_ids)
        with freeze_time("2026-12-10"):
            self.Contract._cron_process()
            order = self.env["sale.order"].browse(contract.action_renew()["res_id"])
            self.assertEqual(order.amount_untaxed, 1100.0, "the next year at the renewal price")
            order.action_confirm()
            renewal = contract.renewal_contract_id
        self.assertEqual(len(self._reminders(contract)), 1)
        self.assertEqual(contract.renewal_contract_id, renewal)
        self.assertEqual(renewal.previous_contract_id, contract)
        self.assertEqual(renewal.start_date, date(2027, 1, 1), "the new term follows the old one")
        self.assertEqual(renewal.end_date, date(2027, 12, 31))
        self.assertEqual(renewal.renewal_amount, 1100.0, "the next renewal is quoted at the same price")
        self.assertEqual(renewal.sale_order_id, order)
        self.assertEqual(renewal.lot_ids, self.lot)
        self.assertEqual(renewal.state, "running")
        with self.assertRaises(UserError):
            contract.action_renew()
        with freeze_time("2027-01-02"):
            self.Contract._cron_process()
        self.assertEqual(contract.state, "expired")
        self.assertFalse(renewal.invoice_ids, "the renewal order bills the term")
        self.assertEqual(self.Contract._running_for(self.lot, None, date(2027, 3, 1)), renewal)
        self.assertFalse(
            self.Contract._running_for(self.lot, None, date(2026, 3, 1)),
            "an expired contract covers nothing",
        )

        # auto-renew: at the end the contract continues by itself
        other_lot = self.env["stock.lot"].create({"name": "WM7-0099", "product_id": self.product.id})
        auto = self._contract(
            lot_ids=[Command.set(other_lot.ids)], auto_renew=True, renewal_amount=350.0, visits_per_year=0
        )
        with freeze_time("2026-01-01"):
            auto.action_start()
        with freeze_time("2027-01-01"):
            self.Contract._cron_process()
            self.Contract._cron_process()
        self.assertEqual(auto.state, "expired")
        self.assertTrue(auto.renewal_contract_id)
        self.assertEqual(auto.renewal_contract_id.start_date, date(2027, 1, 1))
        self.assertEqual(auto.renewal_contract_id.recurring_amount, 350.0)
        self.assertEqual(self.Contract.search_count([("previous_contract_id", "=", auto.id)]), 1)

    def test_sale_creates_contract_once(self):
        self.service_product.write(
            {
                "aftersales_contract_template": True,
                "aftersales_contract_months": 24,
                "aftersales_contract_visits_per_year": 2,
                "aftersales_contract_invoicing": "yearly",
                "aftersales_contract_price": 180.0,
                "aftersales_contract_sla_policy_id": self.contract_policy.id,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.service_product.id, "product_uom_qty": 1.0})],
            }
        )
        order.action_confirm()
        contract = order.aftersales_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.partner_id, self.customer)
        self.assertEqual(contract.product_id, self.service_product)
        self.assertEqual(contract.sale_order_id, order)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.visits_per_year, 2)
        self.assertEqual(contract.renewal_amount, 180.0)
        self.assertEqual(contract.sla_policy_id, self.contract_policy)
        self.assertEqual(contract.end_date, contract.start_date + relativedelta(months=24, days=-1))
        self.assertFalse(contract._invoice_due(contract.end_date), "the order pays the first term")
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(self.Contract.search_count([("sale_order_id", "=", order.id)]), 1, "once")
        self.assertEqual(order.aftersales_contract_count, 1)
        # the serials already delivered on an order are covered
        self.sale_order.order_line = [Command.create({"product_id": self.service_product.id})]
        self.sale_order._aftersales_create_contracts()
        self.assertEqual(self.sale_order.aftersales_contract_ids.lot_ids, self.lot)

    def test_ticket_uses_contract_sla(self):
        ticket_before = self._ticket(lot_id=self.lot.id)
        self.assertEqual(ticket_before.sla_policy_id, self.policy_standard)
        contract = self._contract(start_date=date.today(), sla_policy_id=self.contract_policy.id, covers_travel=False)
        contract.action_start()
        ticket = self._ticket(lot_id=self.lot.id)
        self.assertEqual(ticket.contract_id, contract)
        self.assertEqual(ticket.sla_policy_id, self.contract_policy)
        self.assertTrue(ticket.sla_resolve_deadline)
        other_lot = self.env["stock.lot"].create({"name": "WM7-0002", "product_id": self.product.id})
        other = self._ticket(lot_id=other_lot.id)
        self.assertFalse(other.contract_id)
        self.assertEqual(other.sla_policy_id, self.policy_standard)
        # a site contract covers the tickets of that address
        site = self.env["res.partner"].create({"name": "Wendy's laundry", "parent_id": self.customer.id})
        site_contract = self._contract(start_date=date.today(), lot_ids=False, site_partner_ids=[Command.set(site.ids)])
        site_contract.action_start()
        self.assertEqual(self._ticket(partner_id=site.id).contract_id, site_contract)
        self.assertEqual(self.Contract._running_for(other_lot, site), site_contract)
        self.assertEqual(self.Contract._running_for(self.lot, site), contract, "the serial wins")
        self.assertTrue(contract._covers("labour"))
        self.assertFalse(contract._covers("travel"))
        self.assertFalse(contract._covers("parts", date(2000, 1, 1)))
        contract.action_cancel()
        self.assertFalse(contract._covers("parts"))
        self.assertFalse(self.Contract._running_for(self.lot, None))

    def test_bad_input(self):
        with self.assertRaises(ValidationError):
            self._contract(end_date=date(2025, 12, 1))
        with self.assertRaises(ValidationError):
            self._contract(recurring_amount=-5.0)
        with self.assertRaises(ValidationError):
            self._contract(term_months=0)
        contract = self._contract()
        with self.assertRaises(UserError):
            contract.action_invoice()  # draft
        contract.action_start()
        with self.assertRaises(UserError):
            contract.action_start()
        contract.action_cancel()
        with self.assertRaises(UserError):
            contract.action_invoice()
        with self.assertRaises(UserError):
            contract.unlink()
        with freeze_time("2026-05-01"):
            self.Contract._cron_process()
        self.assertFalse(contract.invoice_ids, "a cancelled contract is not invoiced by the cron")
        self.assertFalse(contract.occurrence_ids)

    def test_portal_reads_own_contracts_only(self):
        portal_user = new_test_user(self.env, login="as_portal_ctr", groups="base.group_portal", name="Wendy Portal")
        portal_user.partner_id.parent_id = self.customer
        own = self._contract()
        stranger = self.env["res.partner"].create({"name": "Someone Else", "is_company": True})
        foreign = self._contract(partner_id=stranger.id, lot_ids=False)
        self.assertEqual(own.with_user(portal_user).name, own.name)
        self.assertEqual(self.Contract.with_user(portal_user).search([]), own)
        with self.assertRaises(AccessError):
            foreign.with_user(portal_user).read(["name"])
        with self.assertRaises(AccessError):
            own.with_user(portal_user).write({"recurring_amount": 1.0})

    def test_excel_exports_open(self):
        contract = self._contract()
        action = contract.with_user(self.agent).action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        sheet = book.active
        self.assertEqual(sheet.cell(1, 1).value, "Reference")
        self.assertEqual(sheet.cell(2, 1).value, contract.name)
        self.assertEqual(sheet.cell(2, 2).value, self.customer.display_name)
        self.assertEqual(sheet.cell(2, 7).value, 300.0)
        self.assertEqual(sheet.cell(2, 12).value, "WM7-0001")

        warranty = self._warranty(lot_id=self.lot.id)
        warranty._start(date(2026, 1, 1))
        action = warranty.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/web/content/")[1].split("?")[0]))
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas))).active
        self.assertEqual(sheet.cell(2, 1).value, warranty.name)
        self.assertEqual(sheet.cell(2, 4).value, "WM7-0001")
        self.assertEqual(sheet.cell(2, 8).value.date(), date(2027, 12, 31))
