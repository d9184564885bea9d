from ast import literal_eval

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import PartsCommon

CLERK = "aftersales_parts.aftersales_parts_group_clerk"
DISPATCHER = "aftersales_service.aftersales_service_group_dispatcher"


@tagged("post_install", "-at_install")
class TestVanParts(PartsCommon):
    """A van is a location of its own beside the warehouse's stock: deliveries do not reserve it, its
    technician alone sees what it holds, and parts leave only his own van or a warehouse's stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="as_van_clerk", name="Vera Vans", groups=f"{CLERK},stock.group_production_lot"
        )
        cls.dispatcher = new_test_user(cls.env, login="as_van_dispatcher", name="Dora Dispatch", groups=DISPATCHER)
        cls.tech_b.with_user(cls.clerk).action_aftersales_create_van_location()
        cls.van_b = cls.tech_b.van_location_id
        cls.defective = cls.warehouse._aftersales_defective_location()
        cls._inventory(cls.pump, cls.van, 2.0)
        cls._inventory(cls.pump, cls.van_b, 5.0)
        cls._inventory(cls.pump, cls.defective, 3.0)

    def _quant_locations(self, user):
        quants = self.env["stock.quant"].with_user(user)
        return quants.search([("product_id", "=", self.pump.id), ("location_id.usage", "=", "internal")]).location_id

    def test_van_created_beside_the_warehouse_stock(self):
        """The parts clerk creates the van under the warehouse's view location, not under its stock."""
        self.assertEqual(self.van_b.location_id, self.warehouse.view_location_id)
        self.assertEqual(self.van_b.usage, "internal")
        self.assertEqual(self.van_b.warehouse_id, self.warehouse)
        self.assertEqual(self.van_b.company_id, self.company)
        self.assertFalse(self.van_b._child_of(self.warehouse.lot_stock_id))
        self.assertEqual(self.van_b.aftersales_technician_ids, self.tech_b)
        rule = self.warehouse.aftersales_van_route_id.rule_ids.filtered(
            lambda rule: rule.location_dest_id == self.van_b
        )
        self.assertEqual(rule.location_src_id, self.warehouse.lot_stock_id)
        self.assertEqual(rule.picking_type_id, self.warehouse.int_type_id)
        self.assertTrue(rule.location_dest_from_rule, "the internal transfers' destination is the stock, not the van")

    def test_van_is_not_warehouse_stock(self):
        """No technician's van is the warehouse's stock or a shelf of it."""
        shelf = self.env["stock.location"].create(
            {"name": "Shelf 3", "usage": "internal", "location_id": self.warehouse.lot_stock_id.id}
        )
        for location in (self.warehouse.lot_stock_id, shelf):
            with self.assertRaises(ValidationError) as refusal:
                self.tech_b.with_user(self.manager).write({"van_location_id": location.id})
            self.assertIn("cannot be the van of Ben Bolt", str(refusal.exception))
            self.assertEqual(self.tech_b.van_location_id, self.van_b)

    def test_delivery_does_not_reserve_van_stock(self):
        """A customer delivery takes from the warehouse's stock only; the vans still count in the warehouse."""
        stock_user = new_test_user(self.env, login="as_van_stock", groups="stock.group_stock_user")
        self._inventory(self.seal, self.van, 4.0)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [Command.create({"product_id": self.seal.id, "product_uom_qty": 2.0})],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        self.assertEqual(delivery.location_id, self.warehouse.lot_stock_id)
        delivery.with_user(stock_user).action_assign()
        self.assertEqual(delivery.state, "confirmed", "the van's seals are not for customers")
        self.assertFalse(delivery.move_line_ids)
        self._inventory(self.seal, self.warehouse.lot_stock_id, 1.0)
        delivery.with_user(stock_user).action_assign()
        self.assertEqual(delivery.move_line_ids.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(delivery.move_ids.quantity, 1.0)
        self.assertEqual(self._van_quantity(self.seal), 4.0)
        # valued and reported as the warehouse's stock, available in the warehouse's stock location only
        self.assertEqual(self.seal.with_context(warehouse_id=self.warehouse.id).qty_available, 5.0)
        self.assertEqual(self.seal.with_context(location=self.warehouse.lot_stock_id.id).qty_available, 1.0)

    def test_van_orderpoint_still_fills_the_van(self):
        """A min/max rule on the van fills it from the warehouse's stock, by an internal transfer."""
        self.env["stock.warehouse.orderpoint"].create(
            {
                "location_id": self.van_b.id,
                "product_id": self.seal.id,
                "product_min_qty": 2.0,
                "product_max_qty": 3.0,
                "route_id": self.warehouse.aftersales_van_route_id.id,
            }
        )
        self._inventory(self.seal, self.warehouse.lot_stock_id, 10.0)
        self.env["procurement.group"].run_scheduler()
        move = self.env["stock.move"].search(
            [("product_id", "=", self.seal.id), ("location_dest_id", "=", self.van_b.id)]
        )
        self.assertEqual(move.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(move.picking_id.location_dest_id, self.van_b)
        self.assertEqual(move.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(move.product_uom_qty, 3.0)
        self._validate(move.picking_id.with_user(self.clerk))
        self.assertEqual(self._van_quantity(self.seal, self.van_b), 3.0)

    def test_technician_sees_his_own_van_only(self):
        stock = self.warehouse.lot_stock_id
        self.assertEqual(self._quant_locations(self.tech_a.user_id), stock | self.van | self.defective)
        self.assertEqual(self._quant_locations(self.tech_b.user_id), stock | self.van_b | self.defective)
        other = self.env["stock.quant"].search([("product_id", "=", self.pump.id), ("location_id", "=", self.van_b.id)])
        with self.assertRaises(AccessError):
            other.with_user(self.tech_a.user_id).read(["quantity"])
        # the office sees every van
        for user in (self.clerk, self.dispatcher):
            self.assertEqual(self._quant_locations(user), stock | self.van | self.van_b | self.defective)

    def test_van_stock_menu(self):
        """Parts > Van Stock lists what the technician's own van holds; the parts clerk's lists every van."""
        for user, vans in (
            (self.tech_a.user_id, self.van),
            (self.tech_b.user_id, self.van_b),
            (self.clerk, self.van | self.van_b),
        ):
            action = (
                self.env["ir.actions.act_window"]
                .with_user(user)
                ._for_xml_id("aftersales_parts.stock_quant_action_aftersales_van")
            )
            quants = self.env["stock.quant"].with_user(user).search(literal_eval(action["domain"]))
            if user == self.clerk:
                # every van, those of the demo data too
                self.assertLessEqual(vans, quants.location_id)
                self.assertTrue(all(quants.location_id.mapped("aftersales_technician_ids")))
            else:
                self.assertEqual(quants.location_id, vans)

    def test_technician_refused_another_van_or_the_defective_parts(self):
        visit = self._start_visit([])
        technician = self.tech_a.user_id
        form = Form(visit.with_user(technician))
        with form.part_ids.new() as line:
            line.product_id = self.pump
            line.location_id = self.defective
        with self.assertRaises(ValidationError) as refusal:
            form.save()
        self.assertIn("Defective Parts", str(refusal.exception))
        self.assertFalse(visit.part_ids)
        # over RPC: another technician's van, a location beside the stock
        visit.with_user(technician).write({"part_ids": [Command.create({"product_id": self.pump.id})]})
        part = visit.part_ids
        self.assertEqual(part.location_id, self.van, "the technician's own van by default")
        inspection = self.env["stock.location"].create(
            {"name": "Inspection", "usage": "internal", "location_id": self.warehouse.view_location_id.id}
        )
        for location in (self.van_b, self.defective, inspection):
            with self.assertRaises(ValidationError) as refusal:
                part.with_user(technician).write({"location_id": location.id})
            self.assertIn(location.display_name, str(refusal.exception))
            self.assertEqual(part.location_id, self.van)
        # the warehouse's stock and its shelves are fine
        shelf = self.env["stock.location"].create(
            {"name": "Shelf 2", "usage": "internal", "location_id": self.warehouse.lot_stock_id.id}
        )
        part.with_user(technician).write({"location_id": shelf.id})
        self.assertEqual(part.location_id, shelf)

    def test_helper_takes_from_his_own_van(self):
        """On a visit with a helper, each technician takes from his own van; the dispatcher may book either van."""
        visit = self._start_visit([])
        visit.helper_ids = self.tech_b
        helper = self.tech_b.user_id
        self.env["aftersales.visit.part"].with_user(helper).create({"visit_id": visit.id, "product_id": self.pump.id})
        part = visit.part_ids
        self.assertEqual(part.location_id, self.van_b, "the helper's own van by default")
        with self.assertRaises(ValidationError) as refusal:
            part.with_user(helper).write({"location_id": self.van.id})
        self.assertIn("Tara Tech", str(refusal.exception))
        self.assertEqual(part.location_id, self.van_b)
        with self.assertRaises(ValidationError):
            part.with_user(self.tech_a.user_id).write({"location_id": self.van_b.id})
        part.with_user(self.dispatcher).write({"location_id": self.van.id})
        self.assertEqual(part.location_id, self.van)

    def test_clerk_moves_parts_between_vans(self):
        """Parts change vans by an ordinary internal transfer of the parts clerk."""
        picking = (
            self.env["stock.picking"]
            .with_user(self.clerk)
            .create(
                {
                    "picking_type_id": self.warehouse.int_type_id.id,
                    "location_id": self.van_b.id,
                    "location_dest_id": self.van.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": self.pump.name,
                                "product_id": self.pump.id,
                                "product_uom_qty": 2.0,
                                "location_id": self.van_b.id,
                                "location_dest_id": self.van.id,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        picking.action_assign()
        self._validate(picking)
        self.assertEqual(self._van_quantity(location=self.van), 4.0)
        self.assertEqual(self._van_quantity(location=self.van_b), 3.0)
