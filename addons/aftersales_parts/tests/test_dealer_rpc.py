from dateutil.relativedelta import relativedelta

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common_sell_through import SellThroughCommon

REPORT = "aftersales.dealer.stock.report"
LINE = "aftersales.dealer.stock.report.line"


@tagged("post_install", "-at_install")
class TestDealerRpc(SellThroughCommon, HttpCase):
    """The dealers' stock reports tried over JSON-RPC by the agents and the dealers' portal users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Report = cls.env[REPORT]
        cls.heater = cls.env["product.product"].create({"name": "ST Heater", "is_storable": True})
        # this month's report, filled by the dealer and validated by an agent
        cls.validated = Report.create({"partner_id": cls.dealer.id, "month": cls.month})
        for line in cls.validated.line_ids:
            line.write({"sold_qty": line.received_qty, "on_hand_qty": 0.0})
        cls.validated.with_user(cls.dealer_user).sudo().action_submit()
        cls.validated.with_user(cls.agent).action_validate()
        cls.sold = {line: line.sold_qty for line in cls.validated.line_ids}
        # last month's report, still a draft, with a product the validated report does not have
        cls.draft = Report.create({"partner_id": cls.dealer.id, "month": cls.month - relativedelta(months=1)})
        cls.draft_line = cls.env[LINE].create({"report_id": cls.draft.id, "product_id": cls.heater.id, "sold_qty": 7})
        # two months ago: submitted by the dealer, refused by an agent
        cls.refused = Report.create(
            {"partner_id": cls.dealer.id, "month": cls.month - relativedelta(months=2), "line_ids": []}
        )
        cls.env[LINE].create({"report_id": cls.refused.id, "product_id": cls.oven.id, "sold_qty": 3})
        cls.refused.with_user(cls.dealer_user).sudo().action_submit()
        cls.refused.with_user(cls.agent).action_refuse("The oven figures do not add up.")

    def _call(self, user, model, method, args, kwargs=None):
        """``method`` of ``model`` called as ``user`` over /web/dataset/call_kw: the error's class, or None."""
        self.authenticate(user.login, user.login)
        try:
            with mute_logger("odoo.http"):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
                )
        except JsonRpcException as error:
            return error.args[0]
        return None

    def test_line_stays_on_its_report(self):
        """Hole: an agent moved a draft report's line into a validated report by writing its report, changing
        the validated figures that the sell-through report shows."""
        self.assertEqual(self.validated.state, "validated")
        before = self._sell_through(self.dealer).filtered(lambda row: row.month == self.month)
        error = self._call(self.agent, LINE, "write", [self.draft_line.ids, {"report_id": self.validated.id}])
        self.assertEqual(error, "odoo.exceptions.UserError")
        self.env.invalidate_all()
        self.assertEqual(self.draft_line.report_id, self.draft)
        self.assertNotIn(self.heater, self.validated.line_ids.product_id)
        self.assertEqual({line: line.sold_qty for line in self.validated.line_ids}, self.sold)
        after = self._sell_through(self.dealer).filtered(lambda row: row.month == self.month)
        self.assertEqual(after.mapped("sold_qty"), before.mapped("sold_qty"))
        # nor into another draft: a line is created on the report it counts in
        other = self.env[REPORT].create({"partner_id": self.other_dealer.id, "month": self.month})
        error = self._call(self.agent, LINE, "write", [self.draft_line.ids, {"report_id": other.id}])
        self.assertEqual(error, "odoo.exceptions.UserError")
        # the dealer's figures of the draft line stay writable
        self.assertIsNone(self._call(self.agent, LINE, "write", [self.draft_line.ids, {"sold_qty": 8}]))
        self.draft_line.invalidate_recordset()
        self.assertEqual(self.draft_line.sold_qty, 8)

    def test_submitted_report_keeps_dealer_and_month(self):
        """Hole: the dealer, month and company of a refused report (the form shows them read-only) could be
        written, handing one dealer's submitted figures to another dealer's portal."""
        for vals in (
            {"partner_id": self.other_dealer.id},
            {"month": str(self.month - relativedelta(months=5))},
        ):
            with self.subTest(vals=vals):
                error = self._call(self.agent, REPORT, "write", [self.refused.ids, vals])
                self.assertEqual(error, "odoo.exceptions.UserError")
        self.env.invalidate_all()
        self.assertEqual(
            (self.refused.partner_id, self.refused.month, self.refused.state),
            (self.dealer, self.month - relativedelta(months=2), "refused"),
        )
        # the other dealer's portal user does not see it
        self.assertEqual(self.env[REPORT].with_user(self.other_dealer_user).search_count([]), 0)
        # the same values, and a draft's month, are still accepted
        self.assertIsNone(self._call(self.agent, REPORT, "write", [self.refused.ids, {"partner_id": self.dealer.id}]))
        month = self.month - relativedelta(months=3)
        self.assertIsNone(self._call(self.agent, REPORT, "write", [self.draft.ids, {"month": str(month)}]))
        self.draft.invalidate_recordset()
        self.assertEqual(self.draft.month, month)

    def test_dealer_cannot_bypass_portal(self):
        """Sound: the dealer's portal user reads its reports, and changes them only through the portal's forms."""
        user = self.dealer_user
        line = self.refused.line_ids[:1]
        calls = [
            (REPORT, "action_submit", [self.refused.ids]),
            (REPORT, "action_validate", [self.refused.ids]),
            (REPORT, "write", [self.refused.ids, {"state": "validated"}]),
            (REPORT, "create", [{"partner_id": self.dealer.id, "month": str(self.month - relativedelta(months=4))}]),
            (LINE, "write", [line.ids, {"sold_qty": 1}]),
            (REPORT, "read", [self.env[REPORT].create({"partner_id": self.other_dealer.id}).ids, ["name"]]),
        ]
        for model, method, args in calls:
            with self.subTest(model=model, method=method):
                self.assertEqual(self._call(user, model, method, args), "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertEqual((self.refused.state, line.sold_qty), ("refused", 3))
        # agents validate; the refused report comes back only through the dealer's submission
        self.assertEqual(
            self._call(self.agent, REPORT, "action_validate", [self.refused.ids]), "odoo.exceptions.UserError"
        )
        self.assertEqual(
            self._call(self.agent, REPORT, "write", [self.validated.ids, {"state": "draft"}]),
            "odoo.exceptions.AccessError",
        )
