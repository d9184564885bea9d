from ast import literal_eval
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..models.aftersales_rma import REFUND_LOCK_KEY
from .common import PartsCommon


@tagged("post_install", "-at_install")
class TestSupplierRma(PartsCommon):
    """Defective goods sent back to their supplier against the vendor credit note expected."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env,
            login="as_srma_clerk",
            name="Sid Shipper",
            groups="stock.group_stock_user,stock.group_production_lot",
        )
        cls.accountant = new_test_user(
            cls.env, login="as_srma_accountant", name="Ada Accounts", groups="account.group_account_invoice"
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Boards Inc.", "is_company": True})
        cls.other_vendor = cls.env["res.partner"].create({"name": "Pumps Ltd.", "is_company": True})
        cls.env["product.supplierinfo"].create(
            {"partner_id": cls.vendor.id, "product_tmpl_id": cls.board.product_tmpl_id.id, "price": 55.0}
        )
        cls.old_board = cls.env["stock.lot"].create(
            {
                "name": "CB-OLD-1",
                "product_id": cls.board.id,
                "company_id": cls.company.id,
                "aftersales_supplier_id": cls.vendor.id,
                "aftersales_supplier_warranty_end": date(2027, 1, 1),
            }
        )
        cls.defective = cls.warehouse._aftersales_defective_location()
        cls.purchase_tax = cls.env["account.tax"].create(
            {"name": "Purchase 15%", "amount": 15.0, "amount_type": "percent", "type_tax_use": "purchase"}
        )
        cls.reason = cls.env.ref("aftersales_parts.rma_reason_defective")

    def _remove_board(self):
        visit = self._start_visit([])
        visit.part_ids = [Command.create({"product_id": self.board.id, "lot_id": self.old_board.id, "removed": True})]
        self._finish_visit(visit)
        return visit.part_ids

    def _ship(self, picking):
        """The clerk validates the transfer to the vendor in the usual screen."""
        picking = picking.with_user(self.clerk)
        picking.move_ids.picked = True
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")
        return picking

    def _bill(self, quantity=5.0, price=18.0, vendor=None):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": (vendor or self.vendor).id,
                "invoice_date": date(2026, 5, 1),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.pump.id,
                            "quantity": quantity,
                            "price_unit": price,
                            "tax_ids": [Command.set(self.purchase_tax.ids)],
                        }
                    )
                ],
            }
        )
        bill.action_post()
        return bill

    def _supplier_rma(self, lines, vendor=None):
        return self.env["aftersales.rma"].create(
            {
                "direction": "supplier",
                "partner_id": (vendor or self.vendor).id,
                "line_ids": [Command.create(dict({"reason_id": self.reason.id}, **vals)) for vals in lines],
            }
        )

    def test_vendor_claim(self):
        """A removed board under supplier warranty goes back to its vendor, who credits part of it."""
        part = self._remove_board()
        claim = part.claim_id
        self.assertEqual(claim.partner_id, self.vendor)
        with self.assertRaisesRegex(UserError, "needs parts received"):
            part.action_aftersales_return_to_supplier()
        self._validate(part.move_id.picking_id)
        self.assertEqual(part.defective_state, "received")

        part.action_aftersales_return_to_supplier()
        rma = claim.rma_id
        self.assertEqual(rma.direction, "supplier")
        self.assertEqual(rma.partner_id, self.vendor)
        self.assertEqual(rma.state, "draft")
        self.assertEqual(claim.state, "sent")
        line = rma.line_ids
        self.assertEqual(line.supplier_claim_id, claim)
        self.assertEqual(claim.rma_line_ids, line)
        self.assertEqual(line.lot_id, self.old_board)
        self.assertEqual(line.location_id, self.defective, "taken from where the serial waits")
        self.assertEqual(line.price_unit_claimed, 55.0, "the vendor's price of the board")
        self.assertEqual(rma.amount_claimed, 55.0)
        self.assertEqual(rma.credit_state, "to_claim")
        with self.assertRaisesRegex(UserError, "already returned"):
            claim.action_aftersales_return_to_supplier()

        rma.action_approve()
        picking = rma.return_picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(picking.partner_id, self.vendor)
        self.assertEqual(picking.location_id, self.defective)
        self.assertEqual(picking.location_dest_id, self.vendor.property_stock_supplier)
        self.assertEqual(picking.move_ids.aftersales_rma_line_id, line)
        self.assertEqual(picking.move_line_ids.lot_id, self.old_board)
        self.assertEqual(picking.aftersales_rma_id, rma)
        self.assertEqual(rma.return_picking_count, 1)
        returns = self.env["ir.actions.act_window"]._for_xml_id("aftersales_parts.stock_picking_action_aftersales_rma")
        self.assertIn(picking, self.env["stock.picking"].search(literal_eval(returns["domain"])))
        with self.assertRaisesRegex(UserError, "no units sent to the supplier"):
            rma.action_create_vendor_refund()

        self._ship(picking)
        self.assertEqual(line.qty_sent, 1.0)
        self.assertEqual(rma.state, "sent")
        self.assertEqual(part.defective_state, "supplier")
        self.assertEqual(self._van_quantity(product=self.board, location=self.defective), 0.0)

        rma.action_create_vendor_refund()
        refund = rma.refund_ids
        self.assertEqual(refund.move_type, "in_refund")
        self.assertEqual(refund.state, "draft")
        self.assertEqual(refund.partner_id, self.vendor)
        self.assertEqual(refund.aftersales_rma_id, rma)
        self.assertEqual(refund.amount_untaxed, rma.amount_claimed)
        self.assertEqual(line.refund_line_ids, refund.invoice_line_ids)
        self.assertEqual(line.qty_refunded, 1.0)
        self.assertEqual(rma.credit_state, "expected")
        with self.assertRaisesRegex(UserError, "no units sent to the supplier left to claim"):
            rma.action_create_vendor_refund()

        # the vendor credits 40 only: the accountant adjusts the draft and posts it
        refund = refund.with_user(self.accountant)
        refund.invoice_line_ids.price_unit = 40.0
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        self.assertEqual(rma.amount_claimed, 55.0)
        self.assertEqual(rma.amount_credited, 40.0)
        self.assertEqual(rma.credit_state, "partial")
        self.assertEqual(claim.state, "accepted")
        rma.action_done()
        self.assertEqual(rma.state, "done")

    def test_reversal_of_the_vendor_bill(self):
        """Two of five billed pumps go back: the credit note reverses the bill for those two."""
        bill = self._bill()
        bill_line = bill.invoice_line_ids
        rma = self._supplier_rma(
            [
                {
                    "product_id": self.pump.id,
                    "quantity": 2.0,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "vendor_bill_line_id": bill_line.id,
                }
            ]
        )
        line = rma.line_ids
        self.assertEqual(line.price_unit_claimed, 18.0, "the price of the vendor bill")
        self.assertEqual(rma.amount_claimed, 36.0)
        rma.action_approve()
        self.assertEqual(rma.return_picking_ids.location_id, self.warehouse.lot_stock_id)
        self._ship(rma.return_picking_ids)
        self.assertEqual(line.qty_sent, 2.0)

        rma.action_create_vendor_refund()
        refund = rma.refund_ids
        self.assertEqual(refund.move_type, "in_refund")
        self.assertEqual(refund.state, "draft")
        self.assertEqual(refund.reversed_entry_id, bill)
        refund_line = refund.invoice_line_ids
        self.assertEqual(refund_line.quantity, 2.0)
        self.assertEqual(refund_line.price_unit, bill_line.price_unit)
        self.assertEqual(refund_line.tax_ids, bill_line.tax_ids)
        self.assertEqual(refund_line.account_id, bill_line.account_id)
        self.assertAlmostEqual(refund.amount_untaxed, bill_line.price_subtotal * 2 / 5)
        self.assertAlmostEqual(refund.amount_tax, bill.amount_tax * 2 / 5)
        self.assertAlmostEqual(refund.amount_total, 41.4)
        self.assertEqual(refund.amount_untaxed, rma.amount_claimed)
        self.assertEqual(line.refund_line_ids, refund_line)

        # the same line is never credited twice
        with self.assertRaisesRegex(UserError, "left to claim"):
            rma.action_create_vendor_refund()
        self.assertEqual(len(rma.refund_ids), 1)
        refund.action_post()
        self.assertEqual(rma.credit_state, "credited")
        self.assertEqual(rma.amount_credited, 36.0)

        # nor more units than billed sent back against the bill
        again = self._supplier_rma(
            [
                {
                    "product_id": self.pump.id,
                    "quantity": 4.0,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "vendor_bill_line_id": bill_line.id,
                }
            ]
        )
        with self.assertRaisesRegex(UserError, "cannot be sent back against it"):
            again.action_approve()

    def test_wrong_input(self):
        stray = self.env["stock.lot"].create(
            {"name": "CB-STRAY", "product_id": self.board.id, "company_id": self.company.id}
        )
        rma = self._supplier_rma([{"product_id": self.board.id, "lot_id": stray.id, "location_id": self.defective.id}])
        with self.assertRaisesRegex(UserError, "Serial CB-STRAY is not in"):
            rma.action_approve()
        self.assertEqual(rma.state, "draft")
        self.assertFalse(rma.return_picking_ids)

        too_many = self._supplier_rma(
            [{"product_id": self.pump.id, "quantity": 50.0, "location_id": self.warehouse.lot_stock_id.id}]
        )
        with self.assertRaisesRegex(UserError, "Only 10.0 Units of Drain Pump DP-1 are available"):
            too_many.action_approve()

        no_serial = self._supplier_rma([{"product_id": self.board.id, "location_id": self.defective.id}])
        with self.assertRaisesRegex(UserError, "Choose the serial number"):
            no_serial.action_approve()

        other_bill = self._bill(vendor=self.other_vendor)
        with self.assertRaisesRegex(ValidationError, "is from Pumps Ltd., not from Boards Inc."):
            self._supplier_rma(
                [
                    {
                        "product_id": self.pump.id,
                        "location_id": self.warehouse.lot_stock_id.id,
                        "vendor_bill_line_id": other_bill.invoice_line_ids.id,
                    }
                ]
            )
        with self.assertRaisesRegex(ValidationError, "is for Drain Pump DP-1, not for Door Seal DS-7"):
            self._supplier_rma(
                [
                    {
                        "product_id": self.seal.id,
                        "location_id": self.warehouse.lot_stock_id.id,
                        "vendor_bill_line_id": self._bill().invoice_line_ids.id,
                    }
                ]
            )

    def test_actions_of_one_direction_only(self):
        supplier_rma = self._supplier_rma(
            [{"product_id": self.pump.id, "quantity": 1.0, "location_id": self.warehouse.lot_stock_id.id}]
        )
        self.assertEqual(supplier_rma.line_ids.price_unit_claimed, 18.0, "no vendor price: the product's cost")
        supplier_rma.action_approve()
        self._ship(supplier_rma.return_picking_ids)
        with self.assertRaisesRegex(UserError, "only for returns from customers"):
            supplier_rma._refund()
        with self.assertRaisesRegex(UserError, "only for returns from customers"):
            supplier_rma.line_ids.action_replace()
        with self.assertRaisesRegex(UserError, "only for returns from customers"):
            supplier_rma.line_ids.action_inspect()
        with self.assertRaisesRegex(UserError, "only for returns from customers"):
            supplier_rma.line_ids.action_send_back()

        customer_rma = self.env["aftersales.rma"].create(
            {
                "partner_id": self.customer.id,
                "line_ids": [Command.create({"product_id": self.pump.id, "reason_id": self.reason.id})],
            }
        )
        self.assertEqual(customer_rma.direction, "customer")
        self.assertFalse(customer_rma.line_ids.location_id)
        self.assertFalse(customer_rma.credit_state)
        with self.assertRaisesRegex(UserError, "only for returns to a supplier"):
            customer_rma.action_create_vendor_refund()
        with self.assertRaises(ValidationError):
            customer_rma.line_ids.vendor_bill_line_id = self._bill().invoice_line_ids

    def test_claims_return_per_vendor(self):
        Claim = self.env["aftersales.supplier.claim"]
        lots = self.env["stock.lot"].create(
            [
                {"name": name, "product_id": self.board.id, "company_id": self.company.id}
                for name in ("CB-A", "CB-B", "CB-C")
            ]
        )
        for lot in lots:
            self._inventory(self.board, self.defective, 1.0, lot=lot)
        claims = Claim.create(
            [
                {"partner_id": vendor.id, "lot_id": lot.id}
                for vendor, lot in zip((self.vendor, self.vendor, self.other_vendor), lots, strict=True)
            ]
        )
        claims.action_aftersales_return_to_supplier()
        rmas = claims.rma_id
        self.assertEqual(len(rmas), 2, "one return per vendor")
        board_rma = rmas.filtered(lambda rma: rma.partner_id == self.vendor)
        self.assertEqual(board_rma.line_ids.lot_id, lots[:2])
        self.assertEqual(board_rma.line_ids.location_id, self.defective)
        self.assertEqual(set(claims.mapped("state")), {"sent"})
        board_rma.action_approve()
        self.assertEqual(board_rma.return_picking_ids.move_line_ids.lot_id, lots[:2])
        # the serials are held for the vendor: another return cannot take them
        again = self._supplier_rma([{"product_id": self.board.id, "lot_id": lots[0].id}])
        with self.assertRaisesRegex(UserError, "CB-A"):
            again.action_approve()
        board_rma.action_cancel()
        self.assertEqual(board_rma.return_picking_ids.state, "cancel")

    def test_portal_never_sees_supplier_returns(self):
        """A vendor that is also a customer sees its own returns on the portal, never those sent to it."""
        portal = new_test_user(self.env, login="as_srma_vendor", name="Vera Vendor", groups="base.group_portal")
        portal.partner_id.parent_id = self.vendor
        supplier_rma = self._supplier_rma(
            [{"product_id": self.pump.id, "quantity": 1.0, "location_id": self.warehouse.lot_stock_id.id}]
        )
        customer_rma = self.env["aftersales.rma"].create(
            {
                "partner_id": self.vendor.id,
                "line_ids": [Command.create({"product_id": self.pump.id, "reason_id": self.reason.id})],
            }
        )
        Rma = self.env["aftersales.rma"].with_user(portal)
        self.assertEqual(Rma.search([("id", "in", (supplier_rma | customer_rma).ids)]), customer_rma)
        self.assertFalse(self.env["aftersales.rma.line"].with_user(portal).search([("rma_id", "=", supplier_rma.id)]))

    def _foreign_currency(self):
        """A second currency, active, worth half the company's: 2 units for 1."""
        currency = self.env.ref("base.EUR")
        if currency == self.company.currency_id:
            currency = self.env.ref("base.USD")
        currency.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "company_id": self.company.id, "name": date(2020, 1, 1), "rate": 2.0}
        )
        return currency

    def _sent_back(self, lines, vendor=None):
        """A return to ``vendor`` of ``lines`` from stock, approved and shipped."""
        rma = self._supplier_rma(
            [dict(vals, location_id=self.warehouse.lot_stock_id.id) for vals in lines], vendor=vendor
        )
        rma.action_approve()
        self._ship(rma.return_picking_ids)
        return rma

    def test_vendor_credit_note_in_the_price_list_currency(self):
        """Pumps Ltd. sells in a foreign currency: the credit note is in that currency at its prices."""
        foreign = self._foreign_currency()
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.other_vendor.id,
                "product_tmpl_id": self.pump.product_tmpl_id.id,
                "price": 40.0,
                "currency_id": foreign.id,
            }
        )
        rma = self._sent_back([{"product_id": self.pump.id, "quantity": 2.0}], vendor=self.other_vendor)
        self.assertEqual(rma.line_ids.price_unit_claimed, 20.0, "claimed in the company's currency")
        self.assertEqual(rma.amount_claimed, 40.0)
        rma.action_create_vendor_refund()
        refund = rma.refund_ids
        self.assertEqual(refund.currency_id, foreign)
        self.assertEqual(refund.invoice_line_ids.price_unit, 40.0, "the vendor's own price")
        self.assertEqual(refund.amount_untaxed, 80.0)
        self.assertEqual(abs(refund.amount_untaxed_signed), 40.0, "the claimed amount in the company's currency")
        refund.action_post()
        self.assertEqual(rma.amount_credited, 40.0)
        self.assertEqual(rma.credit_state, "credited")

    def test_vendor_credit_note_in_company_currency_for_mixed_prices(self):
        """A vendor price in a foreign currency next to a product's cost, or next to a price set by
        hand: the credit note is in the company's currency, the vendor's price converted."""
        foreign = self._foreign_currency()
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.other_vendor.id,
                "product_tmpl_id": self.pump.product_tmpl_id.id,
                "price": 40.0,
                "currency_id": foreign.id,
            }
        )
        self.seal.standard_price = 7.0
        self._inventory(self.seal, self.warehouse.lot_stock_id, 5.0)
        mixed = self._sent_back(
            [{"product_id": self.pump.id, "quantity": 1.0}, {"product_id": self.seal.id, "quantity": 3.0}],
            vendor=self.other_vendor,
        )
        mixed.action_create_vendor_refund()
        refund = mixed.refund_ids
        self.assertEqual(refund.currency_id, self.company.currency_id)
        pump_line = refund.invoice_line_ids.filtered(lambda line: line.product_id == self.pump)
        seal_line = refund.invoice_line_ids - pump_line
        self.assertEqual(pump_line.price_unit, 20.0, "40 at 2 for 1")
        self.assertEqual(seal_line.price_unit, 7.0, "no vendor price: the product's cost")
        self.assertEqual(refund.amount_untaxed, mixed.amount_claimed)
        # a claimed price set by hand is no longer the vendor's price
        by_hand = self._supplier_rma(
            [{"product_id": self.pump.id, "quantity": 1.0, "location_id": self.warehouse.lot_stock_id.id}],
            vendor=self.other_vendor,
        )
        by_hand.line_ids.price_unit_claimed = 15.0
        by_hand.action_approve()
        self._ship(by_hand.return_picking_ids)
        by_hand.action_create_vendor_refund()
        self.assertEqual(by_hand.refund_ids.currency_id, self.company.currency_id)
        self.assertEqual(by_hand.refund_ids.invoice_line_ids.price_unit, 15.0)

    def test_vendor_credit_note_lock(self):
        """Two users never ask for the credit note of the same return at once."""
        user = new_test_user(
            self.env, login="as_srma_user", name="Uma User", groups="aftersales_service.aftersales_service_group_user"
        )
        rma = self._supplier_rma(
            [{"product_id": self.pump.id, "quantity": 3.0, "location_id": self.warehouse.lot_stock_id.id}]
        )
        rma.with_user(user).action_approve()
        self._ship(rma.return_picking_ids)
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REFUND_LOCK_KEY, rma.id])
            with self.assertRaisesRegex(UserError, "Another user is refunding this return"):
                rma.with_user(user).action_create_vendor_refund()
            self.assertFalse(rma.refund_ids)
            other_cr.rollback()
        rma.with_user(user).action_create_vendor_refund()
        self.assertEqual(rma.line_ids.qty_refunded, 3.0)
        self.assertEqual(rma.refund_ids.amount_untaxed, 54.0)
        self.assertEqual(rma.refund_ids.state, "draft")

    def test_supplier_return_roles(self):
        """Parts clerks approve, cancel and close the returns to suppliers; accountants only claim the credit note."""
        clerk = new_test_user(
            self.env,
            login="as_srma_parts_clerk",
            name="Pia Parts",
            groups="aftersales_parts.aftersales_parts_group_clerk,stock.group_production_lot",
        )
        accountant = new_test_user(
            self.env,
            login="as_srma_aftersales_acc",
            name="Abe Accounts",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        lines = [{"product_id": self.pump.id, "quantity": 3.0, "location_id": self.warehouse.lot_stock_id.id}]
        rma = self._supplier_rma(lines)
        self.assertTrue(rma.with_user(clerk).can_approve)
        self.assertTrue(rma.with_user(clerk).can_handle)
        self.assertFalse(rma.with_user(accountant).can_approve)
        self.assertFalse(rma.with_user(accountant).can_handle)
        with self.assertRaises(AccessError):
            rma.with_user(clerk).write({"state": "approved"})
        with self.assertRaises(AccessError):
            rma.with_user(accountant).action_approve()
        self.assertEqual(rma.state, "draft")
        rma.with_user(clerk).action_approve()
        self.assertEqual(rma.state, "approved")
        self._ship(rma.return_picking_ids)
        self.assertEqual(rma.state, "sent")
        with self.assertRaises(AccessError):
            rma.with_user(clerk).action_create_vendor_refund()
        with self.assertRaises(AccessError):
            rma.with_user(accountant).write({"description": "<p>Changed by the accountant.</p>"})
        rma.with_user(accountant).action_create_vendor_refund()
        self.assertEqual(rma.refund_ids.move_type, "in_refund")
        self.assertEqual(rma.refund_ids.amount_untaxed, 54.0)
        with self.assertRaises(AccessError):
            rma.with_user(accountant).action_done()
        rma.with_user(clerk).action_done()
        self.assertEqual(rma.state, "done")
        other = self._supplier_rma(lines)
        other.with_user(clerk).action_cancel()
        self.assertEqual(other.state, "cancelled")
        other.with_user(clerk).action_draft()
        wizard = Form.from_action(self.env(user=clerk), other.with_user(clerk).action_reject())
        wizard.reason = "The vendor takes no returns"
        wizard.save().action_reject()
        self.assertEqual(other.state, "rejected")
