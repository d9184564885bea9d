from psycopg2 import IntegrityError

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common_sell_through import SellThroughCommon

REPORT = "aftersales.dealer.stock.report"


@tagged("post_install", "-at_install")
class TestDealerStockReportPortal(SellThroughCommon, HttpCase):
    """The dealer reports its stock on the portal, over HTTP; an agent validates; the sell-through follows."""

    def _new_report(self, user):
        self.authenticate(user.login, user.login)
        response = self.url_open(
            "/my/stock-reports/new",
            data={"month": str(self.month), "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertEqual(response.status_code, 200)
        return self.env[REPORT].search([("partner_id", "=", user.partner_id.commercial_partner_id.id)])

    def _post_figures(self, report, figures, submit=True):
        data = {"csrf_token": http.Request.csrf_token(self)}
        for line in report.line_ids:
            sold, on_hand = figures[line.product_id]
            data[f"sold_{line.id}"] = str(sold)
            data[f"on_hand_{line.id}"] = str(on_hand)
        if submit:
            data["submit"] = "1"
        return self.url_open(f"/my/stock-reports/{report.id}", data=data)

    def _rpc(self, user, model, method, args, kwargs=None):
        """Call ``method`` of ``model`` as ``user`` through /web/dataset/call_kw; returns the error, if any."""
        self.authenticate(user.login, user.login)
        try:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
            )
        except JsonRpcException as error:
            return str(error)
        return None

    def test_dealer_reports_agent_validates_sell_through_shows_it(self):
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        response = self.url_open("/my/home")
        self.assertIn('data-placeholder_count="stock_report_count"', response.text)
        response = self.url_open("/my/stock-reports")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_stock_report_new", response.text)

        report = self._new_report(self.dealer_user)
        self.assertEqual(len(report), 1)
        self.assertEqual((report.month, report.state), (self.month, "draft"))
        received = {line.product_id: line.received_qty for line in report.line_ids}
        self.assertEqual(
            received, {self.fridge: 20.0, self.oven: 10.0}, "our deliveries less its return; not the customer's"
        )
        response = self.url_open(report.access_url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("ST Fridge", response.text)
        self.assertIn(f'name="sold_{report.line_ids[0].id}"', response.text)

        response = self._post_figures(report, {self.fridge: (8, 12), self.oven: (4, 6)})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_stock_report_submitted", response.text)
        self.assertEqual(report.state, "submitted")
        self.assertEqual(report.submitted_by_id, self.dealer_user)
        self.assertFalse(report.difference_flag)
        self.assertFalse(self._sell_through(self.dealer), "a report counts once validated")

        # a second report of the month is refused
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env[REPORT].with_user(self.agent).create({"partner_id": self.dealer.id, "month": self.month})

        report.with_user(self.agent).action_validate()
        self.assertEqual((report.state, report.validated_by_id), ("validated", self.agent))

        rows = self._sell_through(self.dealer).with_user(self.agent)
        self.assertEqual(len(rows), 2)
        self.assertEqual(sum(rows.mapped("received_qty")), 30.0)
        self.assertEqual(sum(rows.mapped("sold_qty")), 12.0)
        self.assertEqual(sum(rows.mapped("on_hand_qty")), 18.0)
        self.assertEqual(set(rows.mapped("source")), {"report"})
        [(received, sold, on_hand, rate)] = rows._read_group(
            [("partner_id", "=", self.dealer.id)],
            [],
            ["received_qty:sum", "sold_qty:sum", "on_hand_qty:sum", "sell_through_rate:avg"],
        )
        self.assertEqual((received, sold, on_hand), (30.0, 12.0, 18.0))
        self.assertAlmostEqual(rate, 40.0)
        action = rows.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")

        # validated: the figures no longer change, even through the backend
        with self.assertRaises(UserError):
            report.line_ids[0].with_user(self.agent).sold_qty = 9

    def test_wrong_total_is_flagged_and_refused(self):
        report = self._new_report(self.dealer_user)
        self._post_figures(report, {self.fridge: (8, 15), self.oven: (4, 6)})
        self.assertEqual(report.state, "submitted")
        self.assertTrue(report.difference_flag)
        fridge_line = report.line_ids.filtered(lambda line: line.product_id == self.fridge)
        self.assertEqual(fridge_line.difference_qty, -3.0)
        self.assertTrue(fridge_line.difference_flag)
        response = self.url_open(report.access_url)
        self.assertIn("o_aftersales_stock_report_difference", response.text)

        with self.assertRaises(UserError):
            report.with_user(self.agent).action_refuse("")
        report.with_user(self.agent).action_refuse("The fridges do not add up: 3 more on hand than you had.")
        self.assertEqual(report.state, "refused")
        response = self.url_open(report.access_url)
        self.assertIn("3 more on hand", response.text)
        self._post_figures(report, {self.fridge: (8, 12), self.oven: (4, 6)})
        self.assertEqual(report.state, "submitted")
        self.assertFalse(report.difference_flag)

    def test_bad_figures_change_nothing(self):
        report = self._new_report(self.dealer_user)
        response = self._post_figures(report, {self.fridge: (-1, 12), self.oven: ("many", 6)})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_stock_report_errors", response.text)
        self.assertEqual(report.state, "draft")
        self.assertEqual(report.line_ids.mapped("sold_qty"), [0.0, 0.0])
        # the portal user cannot validate its own report
        with self.assertRaises(UserError):
            report.with_user(self.dealer_user).action_validate()

    def test_other_dealer_neither_reads_nor_writes(self):
        report = self._new_report(self.dealer_user)
        self.authenticate(self.other_dealer_user.login, self.other_dealer_user.login)
        self.assertEqual(self.url_open(report.access_url).status_code, 404)
        response = self.url_open(
            report.access_url,
            data={f"sold_{report.line_ids[0].id}": "1", "submit": "1", "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("ST Fridge", self.url_open("/my/stock-reports").text)
        self.assertEqual(report.state, "draft")
        self.assertFalse(self.env[REPORT].with_user(self.other_dealer_user).search([]))
        with self.assertRaises(AccessError):
            report.with_user(self.other_dealer_user).read(["state"])
        with self.assertRaises(AccessError):
            report.line_ids.with_user(self.other_dealer_user).read(["sold_qty"])
        # an ordinary customer's portal user reports nothing
        self.assertEqual(self.env[REPORT].with_user(self.dealer_user).search([]), report)

    def test_rpc_writes_of_received_and_state_refused(self):
        report = self._new_report(self.dealer_user)
        line = report.line_ids.filtered(lambda line: line.product_id == self.fridge)
        for user in (self.dealer_user, self.agent, self.manager):
            error = self._rpc(user, "aftersales.dealer.stock.report.line", "write", [line.ids, {"received_qty": 50}])
            self.assertTrue(error, f"{user.login} wrote the received quantity")
            error = self._rpc(user, REPORT, "write", [report.ids, {"state": "validated"}])
            self.assertTrue(error, f"{user.login} validated by a write")
        self.assertEqual(line.received_qty, 20.0)
        self.assertEqual(report.state, "draft")
        # the dealer's figures go through the portal only
        error = self._rpc(self.dealer_user, "aftersales.dealer.stock.report.line", "write", [line.ids, {"sold_qty": 5}])
        self.assertTrue(error)
        error = self._rpc(self.dealer_user, "aftersales.sell.through.report", "search_read", [[]], {"fields": ["id"]})
        self.assertTrue(error, "the sell-through report is ours")
        self.assertIsNone(
            self._rpc(self.agent, "aftersales.sell.through.report", "search_read", [[]], {"fields": ["sold_qty"]})
        )


@tagged("post_install", "-at_install")
class TestDealerConsignment(SellThroughCommon):
    """A dealer holding our products in consignment: its figures come from our moves, it reports nothing."""

    def test_consignment_figures_come_from_moves(self):
        with self.assertRaises(UserError):
            self.other_dealer.with_user(self.agent).action_aftersales_create_consignment_location()
        with self.assertRaises(AccessError):
            self.other_dealer.with_user(self.agent).aftersales_consignment_location_id = self.stock
        self.other_dealer.with_user(self.manager).action_aftersales_create_consignment_location()
        location = self.other_dealer.aftersales_consignment_location_id
        self.assertEqual(location.usage, "internal")
        self.assertFalse(location.warehouse_id)
        with self.assertRaises(UserError):
            self.other_dealer.with_user(self.manager).action_aftersales_create_consignment_location()

        internal = self.warehouse.int_type_id
        self._transfer(internal, self.stock, location, self.other_dealer, [(self.fridge, 15), (self.oven, 4)])
        self._transfer(self.warehouse.out_type_id, location, self.customers, self.customer, [(self.fridge, 5)])
        self._transfer(internal, location, self.stock, self.other_dealer, [(self.oven, 1)])

        rows = self._sell_through(self.other_dealer).with_user(self.agent)
        self.assertEqual(set(rows.mapped("source")), {"consignment"})
        fridge = rows.filtered(lambda row: row.product_id == self.fridge)
        oven = rows.filtered(lambda row: row.product_id == self.oven)
        self.assertEqual((fridge.received_qty, fridge.sold_qty, fridge.on_hand_qty), (15.0, 5.0, 10.0))
        self.assertAlmostEqual(fridge.sell_through_rate, 100.0 / 3)
        self.assertEqual((oven.received_qty, oven.sold_qty, oven.on_hand_qty), (3.0, 0.0, 3.0))
        quants = self.env["stock.quant"]._read_group(
            [("location_id", "child_of", location.id)], ["product_id"], ["quantity:sum"]
        )
        self.assertEqual(dict(quants), {self.fridge: 10.0, self.oven: 3.0})
        # no stock report for a consignment dealer, nor a reminder
        with self.assertRaises(ValidationError):
            self.env[REPORT].with_user(self.agent).create({"partner_id": self.other_dealer.id, "month": self.month})
        reports = self.env[REPORT]._remind_missing_reports(self.month)
        self.assertNotIn(self.other_dealer, reports.partner_id)

    def test_reminder_asks_once(self):
        # (the demo dealers may be asked too)
        reports = self.env[REPORT]._remind_missing_reports(self.month)
        reports = reports.filtered(lambda report: report.partner_id in self.dealer | self.other_dealer)
        self.assertEqual(reports.partner_id, self.dealer, "Omega received nothing: nothing to report")
        self.assertTrue(reports.reminder_sent)
        self.assertEqual(reports.line_ids.mapped("received_qty"), [20.0, 10.0])
        message = reports.message_ids.filtered(lambda message: message.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertIn(self.dealer_user.partner_id, message.partner_ids)
        self.assertFalse(self.env[REPORT]._remind_missing_reports(self.month), "asked once")
        with self.assertQueryCount(__system__=40):
            self.env[REPORT]._remind_missing_reports(self.month)

    def test_agent_cannot_force_guarded_fields(self):
        report = self.env[REPORT].with_user(self.agent).create({"partner_id": self.dealer.id, "month": self.month})
        with self.assertRaises(AccessError):
            report.write({"state": "validated"})
        with self.assertRaises(AccessError):
            report.line_ids[0].write({"received_qty": 99})
        with self.assertRaises(AccessError):
            self.env[REPORT].with_user(self.agent).create(
                {"partner_id": self.other_dealer.id, "month": self.month, "state": "validated"}
            )
        with self.assertRaises(UserError):
            report.action_validate()
        self.assertEqual(report.state, "draft")
