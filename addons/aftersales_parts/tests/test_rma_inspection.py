from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestRmaInspection(RmaCommon):
    """Returned units wait in the inspection location until the warehouse decides on them, by quantity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inspector = new_test_user(
            cls.env,
            login="as_inspector",
            name="Ivan Inspector",
            groups="stock.group_stock_user,aftersales_parts.aftersales_parts_group_clerk",
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Filter Works"})
        cls.box.write({"seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 40.0})]})
        cls.inspection_location = cls.warehouse.aftersales_inspection_location_id
        cls.stock_location = cls.warehouse.lot_stock_id

    def _approved(self, quantity=5.0, **extra):
        rma = self._rma([(self.box_move, quantity, extra)])
        rma.with_user(self.rma_user).action_approve()
        return rma

    def _on_hand(self, location):
        return self.env["stock.quant"]._get_available_quantity(self.box, location)

    def _new_decision(self, line, decision, quantity=None, condition="good"):
        """Decide on units of ``line`` as the inspector, in the dialog of the Split button."""
        action = line.with_user(self.inspector).action_open_inspection()
        with Form.from_action(self.env(user=self.inspector), action) as form:
            if quantity is not None:
                form.quantity = quantity
            form.condition = condition
            form.decision = decision
            return form.save()

    def _decide(self, line, decision, quantity=None, condition="good"):
        inspection = self._new_decision(line, decision, quantity=quantity, condition=condition)
        inspection.action_apply()
        return inspection

    def test_receipt_waits_in_inspection(self):
        self.assertTrue(self.inspection_location)
        self.assertEqual(self.inspection_location.usage, "internal")
        self.assertFalse(self.inspection_location._child_of(self.stock_location))
        stock_before = self._on_hand(self.stock_location)
        rma = self._approved()
        receipt = rma.sudo().return_picking_ids
        self.assertEqual(receipt.location_dest_id, self.inspection_location)
        self.assertEqual(receipt.move_ids.location_dest_id, self.inspection_location)
        self.assertEqual(receipt.move_ids.aftersales_rma_line_id, rma.line_ids)
        self._validate(receipt.with_user(self.inspector))
        self.assertEqual(rma.line_ids.qty_received, 5.0)
        self.assertEqual(rma.line_ids.qty_to_inspect, 5.0)
        self.assertFalse(rma.line_ids.decision_applied)
        self.assertEqual(self._on_hand(self.inspection_location), 5.0)
        self.assertEqual(self._on_hand(self.stock_location), stock_before, "nothing sellable came back yet")
        # a new delivery reserves only what the warehouse stock holds
        delivery = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.customer.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.box.name,
                            "product_id": self.box.id,
                            "product_uom_qty": stock_before + 5.0,
                            "product_uom": self.box.uom_id.id,
                            "location_id": self.stock_location.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        delivery.action_confirm()
        delivery.action_assign()
        self.assertEqual(delivery.move_ids.quantity, stock_before)
        self.assertFalse(delivery.move_line_ids.filtered(lambda ml: ml.location_id == self.inspection_location))

    def test_push_rules_wait_for_the_inspection(self):
        """A push rule from the inspection location does not move the returned units when the receipt is
        validated: the inspection's decision does."""
        route = self.env["stock.route"].create(
            {
                "name": "Inspection to stock",
                "warehouse_selectable": True,
                "warehouse_ids": [Command.link(self.warehouse.id)],
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Inspection to stock",
                            "action": "push",
                            "location_src_id": self.inspection_location.id,
                            "location_dest_id": self.stock_location.id,
                            "picking_type_id": self.warehouse.int_type_id.id,
                            "warehouse_id": self.warehouse.id,
                        }
                    )
                ],
            }
        )
        self.warehouse.route_ids = [Command.link(route.id)]
        rma = self._approved()
        receipt = rma.sudo().return_picking_ids
        self._validate(receipt.with_user(self.inspector))
        self.assertFalse(receipt.move_ids.move_dest_ids, "no transfer pushed before the inspection")
        self.assertEqual(self._on_hand(self.inspection_location), 5.0)
        self.assertEqual(receipt.move_ids.location_final_id, self.inspection_location)
        # units that came with no delivery of ours, by a plain receipt from the customer, wait as well
        loose = (
            self.env["aftersales.rma"]
            .with_user(self.rma_user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.box.id,
                                "quantity": 1.0,
                                "reason_id": self.reason.id,
                                "resolution": "repair",
                            }
                        )
                    ],
                }
            )
        )
        loose.with_user(self.rma_user).action_approve()
        loose_receipt = loose.sudo().return_picking_ids
        self.assertFalse(loose_receipt.return_id, "no delivery returned")
        self._validate(loose_receipt.with_user(self.inspector))
        self.assertFalse(loose_receipt.move_ids.move_dest_ids, "no transfer pushed before the inspection")
        self.assertEqual(self._on_hand(self.inspection_location), 6.0)
        # the rule holds for the warehouse's other moves into the inspection location
        rule = self.env["procurement.group"]._get_push_rule(
            self.box, self.inspection_location, {"warehouse_id": self.warehouse}
        )
        self.assertEqual(rule.route_id, route)

    def test_new_warehouse_has_an_inspection_location(self):
        warehouse = self.env["stock.warehouse"].create({"name": "North Depot", "code": "NDP"})
        location = warehouse.aftersales_inspection_location_id
        self.assertEqual(location.usage, "internal")
        self.assertEqual(location.location_id, warehouse.view_location_id)

    def test_inspection_location_stays_outside_the_stock(self):
        """A stock manager cannot make the returns wait where deliveries reserve."""
        manager = new_test_user(
            self.env, login="insp_stock_manager", name="Stan Stock", groups="stock.group_stock_manager"
        )
        warehouse = self.warehouse.with_user(manager)
        shelf = self.env["stock.location"].create({"name": "Shelf 9", "location_id": self.stock_location.id})
        for location in (self.stock_location, shelf):
            with self.assertRaises(ValidationError) as cm:
                warehouse.write({"aftersales_inspection_location_id": location.id})
            self.assertIn("where deliveries never reserve them", str(cm.exception))
        self.assertEqual(self.warehouse.aftersales_inspection_location_id, self.inspection_location)

    def test_split_decision(self):
        """5 received: the warehouse scraps 2, restocks 2 and sends 1 back to the vendor."""
        rma = self._approved()
        self._validate(rma.sudo().return_picking_ids.with_user(self.inspector))
        line = rma.line_ids
        stock_before = self._on_hand(self.stock_location)
        scrapped = self._decide(line, "scrap", quantity=2.0, condition="defective")
        self.assertTrue(scrapped.applied)
        self.assertEqual(scrapped.scrap_id.state, "done")
        self.assertEqual(scrapped.scrap_id.scrap_qty, 2.0)
        self.assertEqual(scrapped.scrap_id.location_id, self.inspection_location)
        self.assertEqual(line.qty_to_inspect, 3.0)
        self.assertFalse(line.decision_applied, "3 units still wait for a decision")
        restocked = self._decide(line, "stock", quantity=2.0)
        transfer = restocked.picking_id
        self.assertEqual(transfer.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(transfer.location_id, self.inspection_location)
        self.assertEqual(transfer.location_dest_id, self.stock_location)
        self.assertEqual(transfer.move_ids.product_uom_qty, 2.0)
        self.assertFalse(line.out_picking_ids, "a restocking is no delivery of the return")
        to_vendor = self._decide(line, "vendor", condition="damaged")
        self.assertEqual(to_vendor.quantity, 1.0, "the dialog proposes the units left")
        shipment = to_vendor.picking_id
        self.assertEqual(shipment.partner_id, self.vendor)
        self.assertEqual(shipment.location_id, self.inspection_location)
        self.assertEqual(shipment.location_dest_id.usage, "supplier")
        self.assertTrue(line.decision_applied)
        self.assertEqual(line.qty_inspected, 5.0)
        self.assertEqual(line.qty_to_inspect, 0.0)
        self._validate(transfer.with_user(self.inspector))
        self._validate(shipment.with_user(self.inspector))
        self.assertEqual(self._on_hand(self.stock_location), stock_before + 2.0)
        self.assertEqual(self._on_hand(self.inspection_location), 0.0)
        self.assertEqual(len(rma.inspection_ids), 3)
        # an applied decision is final
        with self.assertRaises(UserError) as cm:
            restocked.with_user(self.inspector).action_apply()
        self.assertIn("already applied", str(cm.exception))
        with self.assertRaises(UserError) as cm:
            restocked.with_user(self.inspector).write({"quantity": 1.0})
        self.assertIn("can no longer change", str(cm.exception))
        with self.assertRaises(UserError):
            restocked.with_user(self.inspector).unlink()
        with self.assertRaises(AccessError):
            self.env["aftersales.rma.inspection"].with_user(self.inspector).create(
                {"rma_line_id": line.id, "quantity": 1.0, "decision": "stock", "applied": True}
            )

    def test_decisions_applied_together(self):
        """Decisions applied at once: each restocking gets its own transfer, made with the others, and a
        scrap decided between them still finds its units."""
        rma = self._approved()
        self._validate(rma.sudo().return_picking_ids.with_user(self.inspector))
        line = rma.line_ids
        first = self._new_decision(line, "stock", quantity=2.0)
        scrapped = self._new_decision(line, "scrap", quantity=2.0, condition="defective")
        second = self._new_decision(line, "stock", quantity=1.0)
        (first | scrapped | second).with_user(self.inspector).action_apply()
        self.assertEqual((first | scrapped | second).mapped("applied"), [True] * 3)
        self.assertEqual(scrapped.scrap_id.state, "done")
        self.assertEqual(scrapped.scrap_id.scrap_qty, 2.0)
        transfers = first.picking_id | second.picking_id
        self.assertEqual(len(transfers), 2, "a transfer per restocking decision")
        self.assertEqual(first.picking_id.move_ids.product_uom_qty, 2.0)
        self.assertEqual(second.picking_id.move_ids.product_uom_qty, 1.0)
        self.assertEqual(transfers.mapped("state"), ["assigned", "assigned"], "confirmed and reserved")
        self.assertEqual(transfers.location_id, self.inspection_location)
        self.assertEqual(transfers.location_dest_id, self.stock_location)
        self.assertTrue(line.decision_applied)
        stock_before = self._on_hand(self.stock_location)
        self._validate(transfers.with_user(self.inspector))
        self.assertEqual(self._on_hand(self.stock_location), stock_before + 3.0)
        self.assertEqual(self._on_hand(self.inspection_location), 0.0)

    def test_decisions_above_received_refused(self):
        rma = self._approved()
        self._validate(rma.sudo().return_picking_ids.with_user(self.inspector))
        line = rma.line_ids
        self._decide(line, "stock", quantity=4.0)
        Inspection = self.env["aftersales.rma.inspection"].with_user(self.inspector)
        with self.assertRaises(UserError) as cm:
            Inspection.create({"rma_line_id": line.id, "quantity": 2.0, "decision": "scrap"})
        self.assertIn("Only 1.0 Units", str(cm.exception))
        self.assertIn("2.0 Units is too many", str(cm.exception))
        with self.assertRaises(UserError) as cm:
            Inspection.create({"rma_line_id": line.id, "quantity": 0.0, "decision": "scrap"})
        self.assertIn("positive quantity", str(cm.exception))
        self.assertEqual(len(line.inspection_ids), 1)
        self.assertEqual(line.qty_to_inspect, 1.0)

    def test_not_received_refused(self):
        rma = self._approved()
        line = rma.line_ids
        with self.assertRaises(UserError) as cm:
            line.with_user(self.inspector).action_open_inspection()
        self.assertIn("not received yet", str(cm.exception))
        with self.assertRaises(UserError) as cm:
            self.env["aftersales.rma.inspection"].with_user(self.inspector).create(
                {"rma_line_id": line.id, "quantity": 1.0, "decision": "scrap"}
            )
        self.assertIn("not received yet", str(cm.exception))
        self.assertFalse(line.inspection_ids)

    def test_late_receipt_gets_its_own_decision(self):
        rma = self._approved()
        receipt = rma.sudo().return_picking_ids.with_user(self.inspector)
        receipt.action_assign()
        receipt.move_ids.quantity = 3.0
        receipt.move_ids.picked = True
        Form.from_action(self.env, receipt.button_validate()).save().with_user(self.inspector).process()
        line = rma.line_ids
        self.assertEqual(line.qty_received, 3.0)
        self._decide(line, "stock")
        self.assertTrue(line.decision_applied)
        self.assertEqual(line.inspection_ids.quantity, 3.0)
        backorder = rma.sudo().return_picking_ids - receipt
        self.assertEqual(backorder.move_ids.aftersales_rma_line_id, line)
        self._validate(backorder.with_user(self.inspector))
        self.assertEqual(rma.state, "received")
        self.assertEqual(line.qty_received, 5.0)
        self.assertEqual(line.qty_to_inspect, 2.0)
        self.assertFalse(line.decision_applied, "the late units are not inspected yet")
        late = self._decide(line, "scrap", condition="defective")
        self.assertEqual(late.quantity, 2.0)
        self.assertEqual(late.scrap_id.scrap_qty, 2.0)
        self.assertTrue(line.decision_applied)

    def test_only_refunds_lower_the_delivered_quantity(self):
        """A replacement or a repair owes no credit note: only the units to refund leave the sale's deliveries."""
        self.assertEqual(self.box_line.qty_delivered, 5.0)
        self.assertEqual(self.box_line.qty_to_invoice, 0.0)
        rma = self._rma(
            [(self.box_move, 2.0, {"resolution": "replacement"}), (self.box_move, 1.0, {"resolution": "refund"})]
        )
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.sudo().return_picking_ids
        self.assertEqual(len(receipt), 1, "one receipt returns the delivery")
        replaced, refunded = rma.line_ids
        self.assertFalse(replaced.stock_move_ids.to_refund)
        self.assertTrue(refunded.stock_move_ids.to_refund)
        self._validate(receipt.with_user(self.inspector))
        self.assertEqual(replaced.qty_received, 2.0)
        self.assertEqual(refunded.qty_received, 1.0)
        self.assertEqual(self.box_line.qty_delivered, 4.0, "only the refunded unit came off the deliveries")
        self.assertEqual(self.box_line.qty_to_invoice, -1.0)
        replacement = replaced.with_user(self.rma_user).action_replace()
        self._validate(replacement.with_user(self.inspector))
        self.assertEqual(self.box_line.qty_delivered, 4.0, "the replacement is no new sale")
        self.assertEqual(self.box_line.qty_to_invoice, -1.0)

    def test_wrong_decisions_refused(self):
        rma = self._rma([(self.kettle_move, 2.0, {})])
        rma.with_user(self.rma_user).action_approve()
        self._validate(rma.sudo().return_picking_ids.with_user(self.inspector))
        line = rma.line_ids
        # a warehouse user who is no parts clerk reads the returns, and decides nothing
        with self.assertRaises(AccessError):
            self.env["aftersales.rma.inspection"].with_user(self.stock_user).create(
                {"rma_line_id": line.id, "quantity": 1.0, "decision": "scrap"}
            )
        with self.assertRaises(AccessError):
            line.with_user(self.stock_user).action_inspect()
        # a decision is on the units that came back, not on a serial that never left the customer
        with self.assertRaises(ValidationError) as cm:
            self.env["aftersales.rma.inspection"].with_user(self.inspector).create(
                {"rma_line_id": line.id, "quantity": 1.0, "decision": "scrap", "lot_id": self.lot.id}
            )
        self.assertIn("did not come back with", str(cm.exception))
        self.assertFalse(line.inspection_ids)
        inspection = self._new_decision(line, "vendor", condition="damaged")
        with self.assertRaises(UserError) as cm:
            inspection.action_apply()
        self.assertIn("has no vendor", str(cm.exception))
        self.assertFalse(inspection.applied)
        self.assertFalse(inspection.picking_id)
        self.assertFalse(line.decision_applied)
        # the decision is corrected and applied
        inspection.write({"decision": "stock"})
        inspection.action_apply()
        self.assertEqual(inspection.picking_id.move_ids.product_uom_qty, 2.0)
        self.assertTrue(line.decision_applied)
        messages = " ".join(rma.message_ids.mapped("body"))
        self.assertIn("Back to Stock", messages)
        # every received unit is decided: nothing is left to decide on
        with self.assertRaises(UserError):
            self.env["aftersales.rma.inspection"].with_user(self.inspector).create(
                {"rma_line_id": line.id, "quantity": 3.0, "decision": "scrap"}
            )
