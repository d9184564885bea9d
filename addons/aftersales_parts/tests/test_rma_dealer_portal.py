from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common_dealer import DealerRmaCommon


@tagged("post_install", "-at_install")
class TestRmaDealerPortal(DealerRmaCommon, HttpCase):
    """The dealer's portal user sends units back by serial; the agent approves the draft."""

    def _post(self, serials, **values):
        data = {
            "serials": serials,
            "dealer_reason": "unsold_stock",
            "reason_id": str(self.reason.id),
            "comment": "Failed on the shelf.",
            "csrf_token": http.Request.csrf_token(self),
            **values,
        }
        return self.url_open("/my/rmas/dealer", data=data)

    def _dealer_rmas(self):
        return self.env["aftersales.rma"].search([("commercial_partner_id", "=", self.dealer.id)]) - self.earlier

    def test_bulk_return_from_the_portal(self):
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        response = self.url_open("/my/rmas")
        self.assertIn("o_aftersales_rma_dealer_new", response.text)
        response = self.url_open("/my/rmas/dealer")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="serials"', response.text)

        # a serial that is not ours: the whole request is refused, listing it, and nothing is created
        lots = self.lots_b[:5]
        response = self._post("\n".join([*lots.mapped("name"), "NOT-OURS-1", self.returned_lot.name]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_rma_errors", response.text)
        self.assertIn("NOT-OURS-1: Unknown serial number.", response.text)
        self.assertIn(f"{self.returned_lot.name}: Already returned.", response.text)
        self.assertIn(lots[0].name, response.text, "the list is kept to correct it")
        self.assertFalse(self._dealer_rmas())

        response = self._post("\n".join(lots.mapped("name")))
        rma = self._dealer_rmas()
        self.assertEqual(len(rma), 1)
        self.assertIn(f"/my/rmas/{rma.id}", response.url)
        self.assertRecordValues(rma, [{"state": "draft", "dealer_return": True, "partner_id": self.dealer_contact.id}])
        self.assertEqual(rma.line_ids.lot_id, lots)
        self.assertEqual(set(rma.line_ids.mapped("dealer_reason")), {"unsold_stock"})
        self.assertIn("Failed on the shelf.", "".join(rma.message_ids.mapped("body")))
        # the dealer follows it on the portal
        response = self.url_open("/my/rmas")
        self.assertIn(rma.name, response.text)

        # the agent approves the draft
        rma.with_user(self.rma_user).action_approve()
        self.assertEqual(rma.state, "approved")
        self.assertEqual(rma.sudo().return_picking_ids.move_line_ids.lot_id, lots)

    def test_only_dealers_return_by_serial(self):
        contact = self.env["res.partner"].create({"name": "Wade Washer", "parent_id": self.customer.id})
        customer_user = new_test_user(
            self.env, login="as_dealer_wade", groups="base.group_portal", partner_id=contact.id
        )
        self.authenticate(customer_user.login, customer_user.login)
        self.assertNotIn("o_aftersales_rma_dealer_new", self.url_open("/my/rmas").text)
        self.assertEqual(self.url_open("/my/rmas/dealer").status_code, 404)
        self.assertEqual(self._post(self.lots_b[0].name).status_code, 404)
        self.assertFalse(self._dealer_rmas())

    @mute_logger("odoo.http")
    def test_guarded_fields_over_rpc(self):
        rma = self._dealer_rma()
        customer_rma = self._dealer_rma(partner=self.customer)
        for user, record, values in (
            (self.rma_user, rma, {"dealer_return": False}),
            (self.rma_user, customer_rma, {"dealer_return": True}),
            (self.rma_user, rma, {"state": "approved"}),
            (self.dealer_user, rma, {"dealer_return": False}),
        ):
            with self.subTest(user=user.login, values=values):
                self.authenticate(user.login, user.login)
                with self.assertRaises(JsonRpcException):
                    self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {"model": "aftersales.rma", "method": "write", "args": [record.ids, values], "kwargs": {}},
                    )
        # nor over RPC may the dealer add serials to a return
        self.authenticate(self.dealer_user.login, self.dealer_user.login)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "aftersales.rma",
                    "method": "action_add_dealer_serials",
                    "args": [rma.ids, self.lots_b[0].name, "customer_unit", self.reason.id],
                    "kwargs": {},
                },
            )
        self.assertTrue(rma.dealer_return)
        self.assertFalse(customer_rma.dealer_return)
        self.assertEqual(rma.state, "draft")
        self.assertFalse(rma.line_ids)
