from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import SIGNATURE, AftersalesCommon


@tagged("post_install", "-at_install")
class TestInstallation(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_installation = cls.env.ref("aftersales_service.ticket_type_installation")
        cls.visit_type_installation = cls.env.ref("aftersales_service.visit_type_installation")
        cls.oven = cls.env["product.product"].create(
            {
                "name": "Built-in Oven OV-2",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.category.id,
                "aftersales_requires_installation": True,
            }
        )
        cls.hood = cls.env["product.product"].create(
            {"name": "Cooker Hood CH-1", "is_storable": True, "aftersales_requires_installation": True}
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "Wendy's holiday home",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "street": "1 Beach Road",
                "city": "Ostend",
            }
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        users = [
            new_test_user(
                cls.env,
                login=login,
                name=name,
                groups="base.group_user,aftersales_service.aftersales_service_group_technician",
            )
            for login, name in (("as_inst_a", "Ivy Installer"), ("as_inst_b", "Otto Other"))
        ]
        cls.tech_a, cls.tech_b = cls.env["aftersales.technician"].create(
            [{"user_id": user.id, "resource_calendar_id": cls.calendar.id} for user in users]
        )

    @classmethod
    def _stock(cls, product, quantity, serials=()):
        for serial in serials:
            lot = cls.env["stock.lot"].create({"name": serial, "product_id": product.id, "company_id": cls.company.id})
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, 1.0, lot_id=lot)
        if not serials:
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, quantity)

    def _sell(self, lines, **values):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "partner_shipping_id": self.site.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty}) for product, qty in lines
                ],
                **values,
            }
        )
        order.action_confirm()
        return order

    def _validate(self, picking):
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def _visits(self, order):
        return self.env["aftersales.visit"].search([("ticket_id.sale_order_id", "=", order.id)])

    def _installation_visit(self, technician=None):
        self._stock(self.oven, 1, serials=["OV2-9001"])
        order = self._sell([(self.oven, 1)])
        self._validate(order.picking_ids)
        visit = self._visits(order)
        with visit._assignment_checked():
            visit.write(
                {"technician_id": (technician or self.tech_a).id, "scheduled_start": datetime(2026, 6, 9, 10, 0)}
            )
        visit.action_schedule()
        return visit

    def test_delivery_opens_installations_per_serial(self):
        self._stock(self.oven, 2, serials=["OV2-0001", "OV2-0002"])
        order = self._sell([(self.oven, 2)])
        picking = order.picking_ids
        self.assertFalse(self._visits(order), "nothing before the delivery is done")
        self._validate(picking)
        visits = self._visits(order)
        self.assertEqual(len(visits), 2, "one installation per serial number")
        oven_line = order.order_line
        self.assertEqual(visits.ticket_id.lot_id.mapped("name"), ["OV2-0001", "OV2-0002"])
        for visit in visits:
            ticket = visit.ticket_id
            self.assertRecordValues(
                ticket,
                [
                    {
                        "ticket_type_id": self.type_installation.id,
                        "partner_id": self.customer.id,
                        "product_id": self.oven.id,
                        "sale_order_id": order.id,
                        "sale_line_id": oven_line.id,
                        "channel": "delivery",
                        "company_id": self.company.id,
                    }
                ],
            )
            self.assertRecordValues(
                visit,
                [
                    {
                        "visit_type_id": self.visit_type_installation.id,
                        "state": "draft",
                        "partner_id": self.site.id,
                        "picking_id": picking.id,
                        "lot_id": ticket.lot_id.id,
                        "product_id": self.oven.id,
                        "sale_order_id": order.id,
                    }
                ],
            )
            self.assertEqual(len(visit.installation_card_ids), 1, "the card comes with the visit")
            self.assertRecordValues(visit.installation_card_id, [{"state": "draft", "lot_id": ticket.lot_id.id}])
        self.assertEqual(picking.aftersales_installation_count, 2)
        self.assertEqual(picking.action_view_aftersales_installations()["domain"], [("picking_id", "=", picking.id)])
        note = picking.message_ids.filtered(lambda m: "Installation tickets opened" in (m.body or ""))
        self.assertEqual(len(note), 1)
        for ticket in visits.ticket_id:
            self.assertIn(ticket.reference, note.body)

        # the hook running again opens nothing more
        picking._aftersales_open_installations()
        picking._action_done()
        self.assertEqual(self._visits(order), visits)

        # the return of a unit opens nothing
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=picking.ids, active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 1
        return_picking = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self.assertEqual(return_picking.picking_type_code, "incoming")
        return_picking.action_assign()
        return_picking.move_ids.move_line_ids.unlink()
        return_picking.move_ids.move_line_ids = [
            Command.create(
                {
                    "product_id": self.oven.id,
                    "lot_id": visits[0].lot_id.id,
                    "quantity": 1,
                    "location_id": return_picking.location_id.id,
                    "location_dest_id": return_picking.location_dest_id.id,
                    "picking_id": return_picking.id,
                }
            )
        ]
        return_picking.move_ids.picked = True
        return_picking.button_validate()
        self.assertEqual(return_picking.state, "done")
        self.assertEqual(self._visits(order), visits)
        self.assertFalse(return_picking.aftersales_installation_count)

    def test_warehouse_user_without_service_role_delivers(self):
        clerk = new_test_user(
            self.env, login="as_clerk", name="Carl Clerk", groups="base.group_user,stock.group_stock_user"
        )
        self._stock(self.oven, 1, serials=["OV2-7001"])
        order = self._sell([(self.oven, 1)])
        picking = order.picking_ids.with_user(clerk)
        self._validate(picking)
        visit = self._visits(order)
        self.assertEqual(len(visit), 1)
        self.assertEqual(visit.ticket_id.lot_id.name, "OV2-7001")
        with self.assertRaises(AccessError):
            visit.with_user(clerk).read(["name"])

    def test_untracked_product_one_installation_per_move(self):
        self._stock(self.hood, 3)
        order = self._sell([(self.hood, 3), (self.other_product, 1)])
        self._stock(self.other_product, 1, serials=["DR3-0001"])
        self._validate(order.picking_ids)
        visits = self._visits(order)
        self.assertEqual(len(visits), 1, "the dryer is not marked; the hoods share one installation")
        self.assertRecordValues(visits.ticket_id, [{"product_id": self.hood.id, "lot_id": False}])
        self.assertEqual(visits.partner_id, self.site)

    def test_unmarked_products_and_receipts_open_nothing(self):
        order = self._sell([(self.product, 1)])
        self._stock(self.product, 1, serials=["WM7-5555"])
        self._validate(order.picking_ids)
        self.assertFalse(self._visits(order))
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "partner_id": self.customer.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.hood.name,
                            "product_id": self.hood.id,
                            "product_uom_qty": 2,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": self.warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        self._validate(receipt)
        self.assertFalse(self.env["aftersales.visit"].search([("picking_id", "=", receipt.id)]))

    def test_card_flow_and_bad_transitions(self):
        visit = self._installation_visit()
        card = visit.installation_card_id
        self._flush_tracking()
        self.assertEqual(card.installed_by_id, self.tech_a, "the visit's technician by default")
        with self.assertRaisesRegex(UserError, "current state"):
            card.action_confirm()
        with self.assertRaisesRegex(UserError, "when and by whom"):
            card.action_return()
        with freeze_time("2026-06-09 10:02:00"):
            visit.action_start()
        self.assertEqual(card.installed_date, datetime(2026, 6, 9, 10, 2), "installed when the visit started")
        visit.step_ids.filtered("required").write({"done": True})
        visit.write({"work_report": "<p>Oven built in and tested.</p>", "signature": SIGNATURE, "signed_by": "Wendy"})
        with self.assertRaisesRegex(UserError, "confirm the installation card"):
            visit.action_done()
        card.write({"location": "Kitchen, ground floor"})
        card.action_return()
        self.assertEqual(card.state, "returned")
        with self.assertRaisesRegex(UserError, "name of the customer"):
            card.action_confirm()
        card.action_reset_draft()
        card.action_return()
        card.customer_name = "Wendy Washer"
        with self.assertRaisesRegex(UserError, "confirm the installation card"):
            visit.action_done()
        with freeze_time("2026-06-09 11:50:00"):
            card.action_confirm()
        self.assertRecordValues(card, [{"state": "confirmed", "customer_confirmed_on": datetime(2026, 6, 9, 11, 50)}])
        with self.assertRaisesRegex(UserError, "handed in"):
            visit._unlink_except_installation_recorded()
        for action in (card.action_return, card.action_confirm, card.action_reset_draft):
            with self.assertRaises(UserError):
                action()
        self._flush_tracking()
        card.invalidate_recordset(["message_ids"])
        self.assertIn("Confirmed", card.message_ids.tracking_value_ids.mapped("new_value_char"))
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            card.unlink()
        visit.action_done()
        self.assertEqual(visit.state, "done")

    def test_card_follows_the_visit_type(self):
        ticket = self._ticket(ticket_type_id=self.type_installation.id)
        visit = self.env["aftersales.visit"].create(
            {"ticket_id": ticket.id, "visit_type_id": self.env.ref("aftersales_service.visit_type_repair").id}
        )
        self.assertFalse(visit.installation_card_ids)
        visit.visit_type_id = self.visit_type_installation
        self.assertEqual(len(visit.installation_card_ids), 1)
        visit.visit_type_id = self.visit_type_installation
        self.assertEqual(len(visit.installation_card_ids), 1, "never a second card")
        self.assertEqual(visit.action_view_installation_card()["res_id"], visit.installation_card_id.id)

    def test_technician_does_the_whole_flow_alone(self):
        visit = self._installation_visit()
        user = self.tech_a.user_id
        self.assertFalse(user.has_group("aftersales_service.aftersales_service_group_user"))
        visit = visit.with_user(user)
        card = visit.installation_card_id.with_user(user)
        visit.action_start()
        photo = (
            self.env["ir.attachment"]
            .with_user(user)
            .create(
                {
                    "name": "serial-plate.png",
                    "datas": SIGNATURE,
                    "res_model": "aftersales.visit",
                    "res_id": visit.id,
                }
            )
        )
        visit.write(
            {
                "photo_ids": [Command.link(photo.id)],
                "work_report": "<p>Installed and levelled.</p>",
                "time_spent": 1.25,
            }
        )
        self.assertEqual(visit.photo_ids.datas, SIGNATURE, "the technician reads their photos")
        card.write({"location": "Kitchen", "customer_name": "Wendy Washer"})
        card.action_return()
        card.action_confirm()
        visit.write({"signature": SIGNATURE, "signed_by": "Wendy Washer"})
        self.assertTrue(visit.signed_on)
        visit.action_stop()
        with self.assertRaisesRegex(UserError, "Run a test cycle"):
            visit.action_done()
        visit.step_ids.filtered("required").write({"done": True})
        visit.action_done()
        self.assertRecordValues(visit, [{"state": "done", "signed_by": "Wendy Washer"}])
        self.assertEqual(card.state, "confirmed")
        visit.message_post(body="All good.", message_type="comment")

        # the other technician sees neither the visit, nor its card, nor its photos
        other = self.tech_b.user_id
        with self.assertRaises(AccessError):
            visit.with_user(other).read(["name"])
        with self.assertRaises(AccessError):
            card.with_user(other).read(["state"])
        with self.assertRaises(AccessError):
            photo.with_user(other).read(["datas"])
        self.assertFalse(self.env["aftersales.installation.card"].with_user(other).search([]))
        with self.assertRaises(AccessError):
            self.env["aftersales.installation.card"].with_user(user).create({"visit_id": visit.id})

    def test_installation_fee_sold_with_the_unit(self):
        install_fee = self.env["product.product"].create(
            {"name": "Oven Installation", "type": "service", "list_price": 90.0, "taxes_id": [Command.clear()]}
        )
        bracket = self.env["product.product"].create(
            {"name": "Wall Bracket Fitting", "type": "service", "list_price": 20.0, "taxes_id": [Command.clear()]}
        )
        self.visit_type_installation.fee_product_id = install_fee
        self._stock(self.oven, 1, serials=["OV2-7001"])
        order = self._sell([(self.oven, 1), (install_fee, 1)])
        self._validate(order.picking_ids)
        visit = self._visits(order)
        sold_line = order.order_line.filtered(lambda line: line.product_id == install_fee)
        self.assertEqual(visit.installation_sale_line_id, sold_line)
        self.assertEqual(visit.installation_sold_on, order.name)
        with visit._assignment_checked():
            visit.write({"technician_id": self.tech_a.id, "scheduled_start": datetime(2026, 6, 9, 10, 0)})
        visit.action_schedule()

        user = self.tech_a.user_id
        visit = visit.with_user(user)
        self.assertEqual(visit.installation_sold_on, order.name, "the technician sees the fee is paid")
        visit.write({"line_ids": [Command.create({"line_type": "fee"})]})
        self.assertRecordValues(visit.line_ids, [{"product_id": install_fee.id, "presold": True, "price_subtotal": 0}])
        self.assertEqual(visit.fee_amount, 0.0)
        with self.assertRaisesRegex(UserError, "nothing to pay"):
            visit.action_send_quotation()
        # a fee the customer did not buy with the unit is billed as usual
        visit.write({"line_ids": [Command.create({"line_type": "fee", "product_id": bracket.id})]})
        self.assertEqual(visit.fee_amount, 20.0)
        with self.assertRaises(AccessError):
            visit.line_ids.filtered(lambda line: line.product_id == bracket).write({"presold": True})

        visit.action_start()
        card = visit.installation_card_id.with_user(user)
        card.write({"location": "Kitchen", "customer_name": "Wendy Washer"})
        card.action_return()
        card.action_confirm()
        visit.write({"work_report": "<p>Installed.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        visit.action_done()
        fee_order = visit.ticket_id.fee_order_id
        self.assertEqual(fee_order.order_line.product_id, bracket, "the installation fee is not billed twice")
        self.assertEqual(fee_order.amount_untaxed, 20.0)
        self.assertEqual(sold_line.qty_invoiced + sold_line.qty_to_invoice, 1.0)

        # the link is the delivery's bookkeeping: nobody points a visit to another order line
        with self.assertRaises(AccessError):
            visit.with_user(self.manager).write({"installation_sale_line_id": order.order_line[0].id})
