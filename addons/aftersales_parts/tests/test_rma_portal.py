from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestRmaPortal(RmaCommon, HttpCase):
    """Returns asked for, listed and followed on the customer portal, through real HTTP requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Wade Washer", "email": "wade@example.com", "parent_id": cls.customer.id}
        )
        cls.portal_user = new_test_user(
            cls.env, login="as_rportal_wade", groups="base.group_portal", partner_id=cls.contact.id
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Olga Other", "email": "olga@example.com", "is_company": True}
        )
        cls.other_portal_user = new_test_user(
            cls.env, login="as_rportal_olga", groups="base.group_portal", partner_id=cls.other_customer.id
        )

    def _post(self, csrf=True, **values):
        data = {
            f"qty_{self.box_move.id}": "2",
            "reason_id": str(self.reason.id),
            "resolution": "refund",
            "comment": "Two boxes arrived crushed.",
            **values,
        }
        if csrf:
            data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open("/my/rmas/new", data=data)

    def _customer_rmas(self):
        return self.env["aftersales.rma"].search([("commercial_partner_id", "=", self.customer.id)])

    def test_return_two_boxes_from_the_portal_to_the_credit_note(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/home")
        self.assertEqual(response.status_code, 200)
        self.assertIn('data-placeholder_count="rma_count"', response.text)

        response = self.url_open("/my/rmas/new")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.box.name, response.text)
        self.assertIn(self.kettle.name, response.text)
        self.assertIn(f'name="qty_{self.box_move.id}"', response.text)
        self.assertIn(self.lot.name, response.text, "a serial product is returned serial by serial")
        self.assertIn(self.reason.name, response.text)

        response = self.url_open(f"/my/orders/{self.order.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_rma_order_link", response.text, "the order page offers to return products")

        response = self._post()
        self.assertEqual(response.status_code, 200)
        rma = self._customer_rmas()
        self.assertEqual(len(rma), 1)
        self.assertIn(f"/my/rmas/{rma.id}", response.url)
        self.assertIn("o_aftersales_rma_created", response.text)
        self.assertEqual(rma.state, "draft")
        self.assertEqual(rma.partner_id, self.contact)
        self.assertEqual(rma.sale_order_id, self.order)
        self.assertEqual(rma.picking_id, self.delivery)
        self.assertEqual(rma.invoice_id, self.invoice)
        self.assertNotEqual(rma.user_id, self.portal_user, "staff are responsible for the return")
        line = rma.line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.move_id, self.box_move)
        self.assertEqual(line.product_id, self.box)
        self.assertEqual(line.quantity, 2.0)
        self.assertEqual(line.reason_id, self.reason)
        self.assertEqual(line.resolution, "refund")
        self.assertEqual(line.invoice_line_id, self.box_line.invoice_lines)
        self.assertIn("crushed", rma.description)
        self.assertTrue(rma.activity_ids, "the after-sales team is asked to review the return")
        self.assertFalse(rma.activity_ids.user_id.share)
        self.assertIn(self.contact, rma.message_partner_ids, "the customer follows the return")

        # the detail page, the list and the counter
        response = self.url_open(f"/my/rmas/{rma.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(rma.name, response.text)
        self.assertIn(self.reason.name, response.text)
        self.assertIn('id="discussion"', response.text, "the portal chatter is on the page")
        response = self.url_open("/my/rmas")
        self.assertEqual(response.status_code, 200)
        self.assertIn(rma.name, response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["rma_count"]})
        self.assertEqual(counters["rma_count"], 1)
        # the boxes on the open return are no longer offered in full
        returnable = self.env["aftersales.rma"]._portal_returnable(self.contact)
        self.assertEqual(returnable[self.box_move][0], 3.0)

        # the staff process it up to the credit note
        rma.with_user(self.rma_user).action_approve()
        self.assertEqual(rma.state, "approved")
        self._validate(rma.sudo().return_picking_ids)
        self.assertEqual(rma.state, "received")
        rma.with_user(self.rma_user)._refund("Refund agreed")
        refund = rma.sudo().refund_ids
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.state, "draft")
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.reversed_entry_id, self.invoice)
        self.assertEqual(refund.invoice_line_ids.product_id, self.box)
        self.assertEqual(refund.invoice_line_ids.quantity, 2.0)

        # another customer neither sees nor opens it
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        response = self.url_open(f"/my/rmas/{rma.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(rma.name, response.text)
        response = self.url_open("/my/rmas")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(rma.name, response.text)
        response = self.url_open("/my/rmas/new")
        self.assertNotIn(self.box.name, response.text, "nothing was delivered to this customer")

    def test_reason_and_resolution_per_product(self):
        """Each product may have its own reason and resolution; the others take the request's."""
        damaged = self.env.ref("aftersales_parts.rma_reason_damaged")
        wrong_item = self.env.ref("aftersales_parts.rma_reason_wrong_item")
        wm_move = self.sale_order.order_line.move_ids
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/rmas/new")
        self.assertIn(f'name="reason_{self.box_move.id}"', response.text)
        self.assertIn(f'name="resolution_{self.kettle_move.id}"', response.text)

        response = self._post(
            **{
                f"qty_{self.kettle_move.id}": "1",
                f"lot_{wm_move.id}_{self.lot.id}": "on",
                f"reason_{self.box_move.id}": str(damaged.id),
                f"resolution_{self.box_move.id}": "replacement",
                f"reason_{self.kettle_move.id}": "",
                f"resolution_{self.kettle_move.id}": "",
                f"reason_{wm_move.id}": str(wrong_item.id),
                f"resolution_{wm_move.id}": "repair",
                "reason_id": str(self.reason.id),
                "resolution": "refund",
            }
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("o_aftersales_rma_errors", response.text)
        rma = self._customer_rmas()
        self.assertEqual(len(rma), 1)
        lines = {line.product_id: line for line in rma.line_ids}
        self.assertEqual(len(lines), 3)
        self.assertEqual((lines[self.box].reason_id, lines[self.box].resolution), (damaged, "replacement"))
        self.assertEqual((lines[self.box].quantity, lines[self.kettle].quantity), (2.0, 1.0))
        self.assertEqual(
            (lines[self.kettle].reason_id, lines[self.kettle].resolution),
            (self.reason, "refund"),
            "the request's reason and resolution by default",
        )
        wm_line = lines[wm_move.product_id]
        self.assertEqual((wm_line.reason_id, wm_line.resolution, wm_line.lot_id), (wrong_item, "repair", self.lot))

        # every product with its own reason: none is needed for the whole request
        rma.sudo().action_cancel()
        response = self._post(
            **{
                f"reason_{self.box_move.id}": str(damaged.id),
                "reason_id": "",
            }
        )
        self.assertNotIn("o_aftersales_rma_errors", response.text)
        last = self._customer_rmas() - rma
        self.assertEqual(last.line_ids.reason_id, damaged)
        # a product without a reason when the request has none is refused, and so is a wrong resolution
        last.sudo().action_cancel()
        for values, message in (
            ({f"qty_{self.kettle_move.id}": "1", "reason_id": ""}, "Choose the reason"),
            ({f"resolution_{self.box_move.id}": "cash"}, "Choose what you expect"),
        ):
            response = self._post(**{f"reason_{self.box_move.id}": str(damaged.id), **values})
            self.assertIn(message, response.text)
        self.assertEqual(len(self._customer_rmas()), 2)

    def test_tampered_requests_are_refused(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._post(**{f"qty_{self.box_move.id}": "9"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_rma_errors", response.text)
        self.assertIn("can still be returned", response.text)
        self.assertFalse(self._customer_rmas(), "nothing is created")

        # a delivery of another customer, an unknown reason, a bad quantity, nothing chosen
        other_order = self.env["sale.order"].create(
            {"partner_id": self.other_customer.id, "order_line": [(0, 0, {"product_id": self.box.id})]}
        )
        other_order.action_confirm()
        self._validate(other_order.picking_ids)
        other_move = other_order.order_line.move_ids
        for values, message in (
            ({f"qty_{other_move.id}": "1", f"qty_{self.box_move.id}": "0"}, "Only the products delivered to you"),
            ({"reason_id": "999999999"}, "Choose the reason"),
            ({"resolution": "cash"}, "Choose what you expect"),
            ({f"qty_{self.box_move.id}": "-1"}, "positive numbers"),
            ({f"qty_{self.box_move.id}": "abc"}, "positive numbers"),
            ({f"qty_{self.box_move.id}": "0"}, "at least one product"),
        ):
            response = self._post(**values)
            self.assertEqual(response.status_code, 200)
            self.assertIn(message, response.text)
        self.assertFalse(self._customer_rmas())
        self.assertFalse(self.env["aftersales.rma"].search([("commercial_partner_id", "=", self.other_customer.id)]))

        with self.assertLogs("odoo.http", "WARNING"):
            response = self._post(csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._customer_rmas())

    def test_serials_and_model_checks(self):
        returnable = self.env["aftersales.rma"]._portal_returnable(self.contact)
        wm_move = self.sale_order.order_line.move_ids
        self.assertEqual(returnable[wm_move][1], self.lot)
        line = {"reason_id": self.reason.id, "resolution": "repair"}
        with self.assertRaisesRegex(UserError, "Choose the serial numbers"):
            self.env["aftersales.rma"]._portal_create(self.contact, [dict(line, move_id=wm_move.id, quantity=1)])
        rma = self.env["aftersales.rma"]._portal_create(
            self.contact, [dict(line, move_id=wm_move.id, lot_id=self.lot.id, quantity=1)]
        )
        self.assertEqual(rma.line_ids.lot_id, self.lot)
        self.assertEqual(rma.line_ids.resolution, "repair")
        self.assertNotIn(wm_move, self.env["aftersales.rma"]._portal_returnable(self.contact))
        # the same serial twice is refused by the return lines' own checks
        with self.assertRaisesRegex(ValidationError, "can still be returned"), self.env.cr.savepoint():
            self.env["aftersales.rma"]._portal_create(
                self.contact, [dict(line, move_id=wm_move.id, lot_id=self.lot.id, quantity=1)]
            )

    def _returnable_queries(self):
        self.env.invalidate_all()
        queries = self.cr.sql_log_count
        self.env["aftersales.rma"]._portal_returnable(self.contact)
        return self.cr.sql_log_count - queries

    def test_returnable_queries_do_not_grow_with_deliveries(self):
        self._returnable_queries()
        before = self._returnable_queries()
        for _index in range(3):
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        (0, 0, {"product_id": self.box.id, "product_uom_qty": 1.0}),
                        (0, 0, {"product_id": self.kettle.id, "product_uom_qty": 1.0}),
                    ],
                }
            )
            order.action_confirm()
            self._validate(order.picking_ids)
        self._returnable_queries()
        after = self._returnable_queries()
        self.assertEqual(len(self.env["aftersales.rma"]._portal_returnable(self.contact)), 9)
        self.assertGreater(before, 0)
        self.assertLessEqual(after, before, "listing what can be returned does not grow with the deliveries")
