from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .test_coverage import CoverageCommon
from .test_warranty_portal import WarrantyPortalCommon

REPAIR_START = datetime(2026, 6, 9, 10, 0)
MAINTENANCE_START = datetime(2026, 6, 10, 10, 0)


class TermsCommon(CoverageCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="as_terms_accountant",
            name="Ada Accountant",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        cls.seller = new_test_user(
            cls.env, login="as_terms_seller", name="Sam Seller", groups="sales_team.group_sale_salesman"
        )
        cls.stock_user = new_test_user(
            cls.env, login="as_terms_stock", name="Will Warehouse", groups="stock.group_stock_user"
        )
        cls.type_maintenance = cls.env["aftersales.visit.type"].create(
            {
                "name": "Yearly Maintenance",
                "kind": "maintenance",
                "labour_product_id": cls.type_repair_visit.labour_product_id.id,
            }
        )
        cls.consumables = cls.env["product.category"].create({"name": "Consumables"})
        cls.filters = cls.env["product.category"].create({"name": "Filters", "parent_id": cls.consumables.id})
        cls.filter_product = cls.env["product.product"].create(
            {
                "name": "Drain filter",
                "type": "service",
                "categ_id": cls.filters.id,
                "list_price": 12.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.policy.write(
            {
                "excluded_visit_type_ids": [Command.set(cls.type_maintenance.ids)],
                "excluded_categ_ids": [Command.set(cls.consumables.ids)],
                "excludes_misuse": True,
            }
        )

    def _technician_visit(self, visit, lines, start=REPAIR_START, misuse=None):
        """The dispatcher plans ``visit``; its technician starts it, adds ``lines``, writes the work
        report (flagging ``misuse`` when given) and finishes it."""
        visit.write({"technician_id": self.tech_a.id, "scheduled_start": start})
        visit.action_schedule()
        tech_visit = visit.with_user(self.tech_a.user_id)
        with freeze_time(start):
            tech_visit.action_start()
        tech_visit.write({"line_ids": [Command.create(vals) for vals in lines]})
        with Form(tech_visit, view="aftersales_service.aftersales_visit_view_form_technician") as form:
            form.work_report = "<p>Replaced the drain pump.</p>"
            if misuse:
                form.misuse = True
                form.misuse_note = misuse
        tech_visit.write({"signature": SIGNATURE, "signed_by": "Wendy Washer"})
        with freeze_time(start + timedelta(hours=1.5)):
            tech_visit.action_done()
        return visit

    def _billed(self, line):
        """The service order line of ``line``, as the accountant reads it: (subtotal, discount)."""
        sale_line = self.env["sale.order.line"].with_user(self.accountant).browse(line.sale_line_ids.ids)
        self.assertEqual(len(sale_line), 1)
        return sale_line.price_subtotal, sale_line.discount


@tagged("post_install", "-at_install")
class TestWarrantyTerms(TermsCommon):
    def test_policy_change_leaves_sold_warranties(self):
        old = self._running_warranty(start=date(2025, 6, 1))
        self.assertEqual((old.duration, old.duration_unit, old.grace_days), (2, "year", 10))
        self.assertEqual(old.excluded_visit_type_ids, self.type_maintenance)
        with Form(self.policy.with_user(self.manager)) as form:
            form.duration = 3
            form.grace_days = 30
            form.covers_travel = True
        self.assertEqual(self.policy.duration, 3)
        self.assertEqual(
            (old.duration, old.grace_days, old.end_date, old.covered_until, old.covers_travel),
            (2, 10, date(2027, 5, 31), date(2027, 6, 10), False),
            "last year's warranty stays as sold",
        )

        # a unit delivered now gets the new terms
        _order, lot = self._sell_and_deliver(self.customer, self.product, "WM7-0002")
        new = self.env["aftersales.warranty"].search([("lot_id", "=", lot.id)])
        self.assertEqual((new.duration, new.grace_days, new.covers_travel), (3, 30, True))
        self.assertEqual(new.end_date, new.start_date + relativedelta(years=3, days=-1))

        # only a manager applies the new terms to the warranties sold, and says why
        with self.assertRaises(AccessError):
            self.policy.with_user(self.agent).action_open_apply_to_warranties()
        with self.assertRaises(AccessError):
            self.policy.with_user(self.agent).action_apply_to_warranties("The range is better")
        with self.assertRaises(UserError):
            self.policy.with_user(self.manager).action_apply_to_warranties(" ")
        self.assertEqual(old.duration, 2)

        action = self.policy.with_user(self.manager).action_open_apply_to_warranties()
        wizard = Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"]))
        self.assertEqual(wizard.warranty_count, 2, "the window says how many warranties change")
        wizard.reason = "The manufacturer extended the range"
        wizard.save().action_apply()
        self.assertEqual(
            (old.duration, old.grace_days, old.end_date, old.covered_until, old.covers_travel),
            (3, 30, date(2028, 5, 31), date(2028, 6, 30), True),
        )
        logs = self.env["aftersales.audit.log"].search(
            [("action", "=", "warranty_terms_applied"), ("res_model", "=", "aftersales.warranty")]
        )
        self.assertEqual(set(logs.mapped("res_id")), {old.id, new.id})
        old_log = logs.filtered(lambda log: log.res_id == old.id)
        self.assertEqual(old_log.user_id, self.manager)
        self.assertEqual(old_log.reason, "The manufacturer extended the range")
        self.assertIn("2 Years, 10 grace days", old_log.old_value)
        self.assertIn("3 Years, 30 grace days", old_log.new_value)
        self.assertIn("Terms applied to 2 running warranties", self.policy.message_ids[0].body)

    def test_maintenance_billed_repair_covered(self):
        warranty = self._running_warranty()
        repair = self._technician_visit(self._visit(), [{"line_type": "labour"}])
        maintenance = self._technician_visit(
            self._visit(visit_type_id=self.type_maintenance.id), [{"line_type": "labour"}], start=MAINTENANCE_START
        )
        self.assertEqual(repair.line_ids.coverage, "warranty")
        self.assertEqual(repair.line_ids.covering_warranty_id, warranty)
        self.assertFalse(repair.line_ids.coverage_note)
        self.assertEqual(maintenance.line_ids.coverage, "billable")
        self.assertEqual(maintenance.line_ids.coverage_note, "Not covered: Yearly Maintenance visit")
        self.assertEqual(self._billed(repair.line_ids), (0.0, 100.0))
        self.assertEqual(self._billed(maintenance.line_ids), (120.0, 0.0))

    def test_misuse_flagged_by_technician_bills_the_repair(self):
        self._running_warranty()
        visit = self._visit()
        visit.write({"technician_id": self.tech_a.id, "scheduled_start": REPAIR_START})
        visit.action_schedule()
        with freeze_time(REPAIR_START):
            visit.with_user(self.tech_a.user_id).action_start()
        with self.assertRaises(ValidationError):
            visit.with_user(self.tech_a.user_id).write({"misuse": True})
        # the technician flags misuse in the work report of the next visit of the unit
        other = self._technician_visit(
            self._visit(), [{"line_type": "labour"}], start=MAINTENANCE_START, misuse="Coins in the drain pump"
        )
        line = other.line_ids
        self.assertTrue(other.misuse)
        self.assertEqual(line.coverage, "billable")
        self.assertEqual(line.coverage_note, "Not covered: misuse")
        self.assertEqual(self._billed(line), (120.0, 0.0))
        report = self.env.ref("aftersales_service.action_report_visit_service")
        html = report.with_user(self.tech_a.user_id)._render_qweb_html(report.report_name, other.ids)[0].decode()
        self.assertIn("Not covered: misuse", html)
        self.assertIn("Coins in the drain pump", html)

    def test_consumable_billed_on_covered_repair(self):
        self._running_warranty()
        visit = self._technician_visit(
            self._visit(),
            [{"line_type": "labour"}, {"line_type": "fee", "product_id": self.filter_product.id, "quantity": 1.0}],
        )
        labour, consumable = visit.line_ids
        self.assertEqual(labour.coverage, "warranty")
        self.assertEqual(consumable.coverage, "billable")
        self.assertEqual(consumable.coverage_note, "Not covered: consumable (Consumables)")
        self.assertEqual(self._billed(labour), (0.0, 100.0))
        self.assertEqual(self._billed(consumable), (12.0, 0.0))
        report = self.env.ref("aftersales_service.action_report_visit_service")
        html = report._render_qweb_html(report.report_name, visit.ids)[0].decode()
        self.assertIn("Not covered: consumable (Consumables)", html)

    def test_contract_still_covers_an_excluded_visit(self):
        self._running_warranty()
        contract = self.env["aftersales.contract"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.fee_product.id,
                "start_date": date(2026, 1, 1),
                "term_months": 12,
                "recurring_amount": 100.0,
                "covers_labour": True,
                "lot_ids": [Command.set(self.lot.ids)],
            }
        )
        contract.action_start()
        self.ticket.invalidate_recordset(["contract_id"])
        self.ticket._compute_contract_id()
        visit = self._technician_visit(
            self._visit(visit_type_id=self.type_maintenance.id), [{"line_type": "labour"}], start=MAINTENANCE_START
        )
        self.assertEqual(visit.line_ids.coverage, "contract", "the warranty's exclusions leave contracts alone")
        self.assertEqual(visit.line_ids.covering_contract_id, contract)

    def test_applying_terms_does_not_query_per_warranty(self):
        queries = []
        for count in (1, 6):
            policy = self.policy.copy({"name": f"Policy for {count}"})
            for index in range(count):
                lot = self.env["stock.lot"].create({"name": f"WM7-Q{count}-{index}", "product_id": self.product.id})
                self._warranty(lot_id=lot.id, policy_id=policy.id)._start(date(2026, 1, 1))
            policy.write({"duration": 3, "grace_days": 20})
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            policy.with_user(self.manager).action_apply_to_warranties("The range gets three years")
            self.env.flush_all()
            queries.append(self.cr.sql_log_count - start)
            self.assertEqual(
                set(self.env["aftersales.warranty"].search([("policy_id", "=", policy.id)]).mapped("duration")), {3}
            )
        self.assertLessEqual(queries[1], queries[0] + 4, f"applying the terms must not query per warranty: {queries}")

    def test_terms_and_misuse_are_not_written_by_hand(self):
        warranty = self._running_warranty()
        with self.assertRaises(AccessError):
            warranty.with_user(self.manager).write({"duration": 5})
        with self.assertRaises(AccessError):
            warranty.with_user(self.manager).write({"manual_end_date": date(2030, 1, 1)})
        self.assertEqual(warranty.duration, 2)


@tagged("post_install", "-at_install")
class TestWarrantyExtensionTerms(TermsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dryers = cls.env["product.category"].create({"name": "Dryers"})
        cls.other_product.write({"categ_id": cls.dryers.id, "aftersales_warranty_policy_id": cls.policy.id})

    def test_extension_sold_with_the_dryer_starts_at_delivery(self):
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        lot = self.env["stock.lot"].create({"name": "DR3-0001", "product_id": self.other_product.id})
        self.env["stock.quant"]._update_available_quantity(self.other_product, warehouse.lot_stock_id, 1.0, lot_id=lot)
        form = Form(self.env["sale.order"].with_user(self.seller))
        form.partner_id = self.customer
        with form.order_line.new() as line:
            line.product_id = self.other_product
        with form.order_line.new() as line:
            line.product_id = self.extension_product
        order = form.save()
        order.action_confirm()
        extension = order.order_line.aftersales_extension_ids
        dryer_line = order.order_line.filtered(lambda line: line.product_id == self.other_product)
        self.assertEqual(extension.state, "pending", "the extension waits for the delivery of the dryer")
        self.assertEqual(extension.appliance_line_id, dryer_line)
        self.assertFalse(extension.lot_id)

        picking = order.picking_ids.with_user(self.stock_user)
        picking.action_assign()
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, lot)
        picking.move_ids.picked = True
        picking.button_validate()
        warranty = self.env["aftersales.warranty"].search([("lot_id", "=", lot.id)])
        self.assertEqual(warranty.state, "active")
        self.assertEqual((extension.state, extension.lot_id, extension.warranty_id), ("active", lot, warranty))
        self.assertEqual(warranty.extension_months, 12)
        self.assertEqual(warranty.end_date, warranty.start_date + relativedelta(years=3, days=-1))
        self.assertTrue(
            self.env["aftersales.audit.log"].search_count(
                [("action", "=", "warranty_extension_added"), ("res_id", "=", warranty.id)]
            )
        )

    def test_two_appliances_need_the_line_chosen(self):
        order = (
            self.env["sale.order"]
            .with_user(self.seller)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id}),
                        Command.create({"product_id": self.other_product.id}),
                        Command.create({"product_id": self.extension_product.id}),
                    ],
                }
            )
        )
        with self.assertRaises(UserError):
            order.with_user(self.seller).action_confirm()
        dryer_line = order.order_line.filtered(lambda line: line.product_id == self.other_product)
        order.order_line[-1].with_user(self.seller).aftersales_appliance_line_id = dryer_line
        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.order_line.aftersales_extension_ids.appliance_line_id, dryer_line)

    def test_manual_end_kept_under_extension(self):
        warranty = self._running_warranty(start=date(2026, 1, 1))
        self.assertEqual(warranty.end_date, date(2027, 12, 31))
        action = warranty.with_user(self.manager).action_open_extend()
        wizard = Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"]))
        wizard.end_date = date(2028, 6, 30)
        wizard.reason = "Goodwill after two pump failures"
        wizard.save().action_extend()
        self.assertEqual((warranty.end_date, warranty.manual_end_date), (date(2028, 6, 30), date(2028, 6, 30)))

        order = (
            self.env["sale.order"]
            .with_user(self.seller)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.extension_product.id,
                                "aftersales_extended_lot_ids": [Command.set(self.lot.ids)],
                            }
                        )
                    ],
                }
            )
        )
        order.with_user(self.seller).action_confirm()
        self.assertEqual(warranty.end_date, date(2029, 6, 30), "the manual end plus the 12 months sold")
        self.assertEqual(warranty.manual_end_date, date(2028, 6, 30))
        logs = self.env["aftersales.audit.log"].search(
            [("res_model", "=", "aftersales.warranty"), ("res_id", "=", warranty.id)]
        )
        by_hand = logs.filtered(lambda log: log.action == "warranty_extended")
        added = logs.filtered(lambda log: log.action == "warranty_extension_added")
        self.assertIn("2028-06-30", by_hand.new_value)
        self.assertIn("2028-06-30", added.old_value)
        self.assertIn("2029-06-30", added.new_value)
        self.assertEqual(added.reason, order.name)

        order.with_user(self.seller)._action_cancel()
        self.assertEqual(warranty.end_date, date(2028, 6, 30), "without the extension, the manager's end stays")

    def test_extension_for_another_customer_or_product_refused(self):
        stranger = self.env["res.partner"].create({"name": "Sid Stranger"})
        _order, stranger_lot = self._sell_and_deliver(stranger, self.product, "WM7-0099")
        self._running_warranty()

        def sell(lot):
            return (
                self.env["sale.order"]
                .with_user(self.seller)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.extension_product.id,
                                    "aftersales_extended_lot_ids": [Command.set(lot.ids)],
                                }
                            )
                        ],
                    }
                )
            )

        with self.assertRaisesRegex(ValidationError, "under warranty for another customer"):
            sell(stranger_lot).with_user(self.seller).action_confirm()
        self.extension_product.aftersales_extension_categ_ids = self.dryers
        with self.assertRaisesRegex(ValidationError, "extends the warranty of Dryers only"):
            sell(self.lot).with_user(self.seller).action_confirm()
        self.extension_product.aftersales_extension_categ_ids = self.category
        order = sell(self.lot)
        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.order_line.aftersales_extension_ids.state, "active")


@tagged("post_install", "-at_install")
class TestWarrantyTermsPortal(WarrantyPortalCommon, HttpCase):
    def test_portal_shows_the_conditions_sold(self):
        self.warranty.invalidate_recordset()
        self.policy.with_user(self.manager).conditions = "<p>New terms: filters are consumables.</p>"
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/warranties/{self.warranty.id}")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("New terms: filters are consumables.", response.text, "the warranty keeps its own terms")
        self.policy.with_user(self.manager).action_apply_to_warranties("The new conditions apply to every unit")
        response = self.url_open(f"/my/warranties/{self.warranty.id}")
        self.assertIn("New terms: filters are consumables.", response.text)
