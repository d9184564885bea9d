import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestIntegrityPortalRma(RmaCommon, HttpCase):
    """The return form's onchange, called by another customer with the ids of the shared
    customer's order, delivery, invoice and moves, says nothing of them; a parts clerk, who
    only reads tickets, writes notes on them but not to the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Olga Other", "email": "olga@example.com", "is_company": True}
        )
        cls.other_portal_user = new_test_user(
            cls.env, login="as_i13_rportal_olga", groups="base.group_portal", partner_id=cls.other_customer.id
        )

    def _secrets(self):
        return (
            self.customer.name,
            self.customer.email,
            self.order.name,
            self.delivery.name,
            self.invoice.name,
            self.box.name,
            self.kettle.name,
        )

    def _assert_nothing_of_the_customer(self, result):
        text = json.dumps(result, default=str)
        for secret in self._secrets():
            self.assertNotIn(secret, text)

    def _rma_spec(self):
        m2o = {"fields": {"display_name": {}}}
        return {
            "partner_id": m2o,
            "commercial_partner_id": m2o,
            "sale_order_id": m2o,
            "picking_id": m2o,
            "invoice_id": m2o,
            "line_ids": {"fields": self._line_spec()},
        }

    def _line_spec(self):
        m2o = {"fields": {"display_name": {}}}
        return {
            "product_id": m2o,
            "move_id": m2o,
            "invoice_line_id": m2o,
            "lot_id": m2o,
            "quantity": {},
            "amount_total": {},
        }

    def _leaky_values(self):
        return [
            ({"sale_order_id": self.order.id}, ["sale_order_id"]),
            ({"picking_id": self.delivery.id}, ["picking_id"]),
            ({"invoice_id": self.invoice.id}, ["invoice_id"]),
        ]

    def test_return_form_onchange_shows_nothing_of_another_customer(self):
        Rma = self.env["aftersales.rma"].with_user(self.other_portal_user)
        for values, names in self._leaky_values():
            with self.subTest(values=values):
                result = Rma.onchange(dict(values, partner_id=self.other_customer.id), names, self._rma_spec())
                self._assert_nothing_of_the_customer(result)
                self.assertFalse(result["value"].get("line_ids"), "no line proposed from another's delivery")
        Line = self.env["aftersales.rma.line"].with_user(self.other_portal_user)
        result = Line.onchange(
            {"move_id": self.box_move.id, "rma_id": {"partner_id": self.other_customer.id}},
            ["move_id"],
            self._line_spec(),
        )
        self._assert_nothing_of_the_customer(result)

    def test_return_form_onchange_by_json_rpc_shows_nothing_of_another_customer(self):
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        calls = [
            ("aftersales.rma", dict(values, partner_id=self.other_customer.id), names, self._rma_spec())
            for values, names in self._leaky_values()
        ]
        calls.append(("aftersales.rma.line", {"move_id": self.box_move.id}, ["move_id"], self._line_spec()))
        for model, values, names, spec in calls:
            with self.subTest(model=model, values=values):
                try:
                    result = self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {"model": model, "method": "onchange", "args": [[], values, names, spec], "kwargs": {}},
                    )
                except JsonRpcException as error:
                    result = str(error)
                self._assert_nothing_of_the_customer(result)

    def test_the_return_form_still_proposes_the_lines_to_the_team(self):
        Rma = self.env["aftersales.rma"].with_user(self.rma_user)
        result = Rma.onchange({"sale_order_id": self.order.id}, ["sale_order_id"], self._rma_spec())
        self.assertEqual(len(result["value"]["line_ids"]), 2)

    def test_parts_clerk_writes_notes_not_to_the_customer(self):
        clerk = new_test_user(
            self.env, login="as_i13_parts_clerk", groups="aftersales_parts.aftersales_parts_group_clerk"
        )
        ticket = self.env["aftersales.ticket"].create(
            {"name": "Kettle leaks", "partner_id": self.customer.id, "team_id": self.team.id}
        )
        as_clerk = ticket.with_user(clerk)
        self.assertTrue(as_clerk.has_access("read"))
        with self.assertRaises(AccessError):
            as_clerk.message_post(body="Your part is late.", message_type="comment", subtype_xmlid="mail.mt_comment")
        note = as_clerk.message_post(body="Part ordered from the supplier.", message_type="comment")
        self.assertTrue(note.subtype_id.internal)
