"""Fixtures of the end of a carry-in stay: a unit received at the service centre, its workshop job and
its repair order, brought to the stage a test needs.

The stages before the hand-over are reached here by hand (``_receive``, ``_workshop_job``, ``_repair``):
once the reception and the workshop flows are merged, these helpers are the place to call their actions
instead."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common import PartsCommon

JOB_START = datetime(2026, 6, 9, 10, 0)


class CarryInCommon(PartsCommon):
    """Wendy Washer's company leaves its washing machine WM7-0001 at the service centre; Tara Tech is the
    workshop technician, Adam Agent the counter agent, Wendy's portal login follows the unit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"email": "service@example.com", "aftersales_carry_in_hours": "Monday to Friday, 9-18"})
        cls.technician_user = cls.tech_a.user_id
        cls.portal_contact = cls.env["res.partner"].create(
            {"name": "Wendy at Home", "email": "wendy.home@example.com", "parent_id": cls.customer.id}
        )
        cls.portal_user = new_test_user(
            cls.env, login="as_portal_wendy", groups="base.group_portal", partner_id=cls.portal_contact.id
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Otto Other", "email": "otto@example.com"})
        cls.other_portal_user = new_test_user(
            cls.env,
            login="as_portal_otto",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"].create({"name": "Otto", "parent_id": cls.other_customer.id}).id,
        )
        cls.customers_location = cls.env.ref("stock.stock_location_customers")
        cls.type_repair_visit.write({"fee_product_id": cls.fee_product.id})

    # ------------------------------------------------------------------
    # The stages before the hand-over, reached by hand
    # ------------------------------------------------------------------

    def _carry_in(self, lot=None, partner=None, ticket=None):
        lot = lot or self.lot
        partner = partner or self.customer
        ticket = ticket or self.env["aftersales.ticket"].create(
            {
                "name": "Drum noise, brought to the counter",
                "partner_id": partner.id,
                "lot_id": lot.id,
                "product_id": lot.product_id.id,
                "team_id": self.team.id,
                "ticket_type_id": self.type_repair.id,
            }
        )
        return self.env["aftersales.carry.in"].create(
            {"ticket_id": ticket.id, "user_id": self.agent.id, "expected_date": "2026-06-12"}
        )

    def _receive(self, carry_in):
        """The unit enters the carry-in location as the customer's stock, by a validated receipt."""
        warehouse = carry_in.warehouse_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": carry_in.partner_id.id,
                "owner_id": carry_in.partner_id.id,
                "location_id": self.customers_location.id,
                "location_dest_id": carry_in.location_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": carry_in.product_id.name,
                            "product_id": carry_in.product_id.id,
                            "product_uom_qty": 1.0,
                            "product_uom": carry_in.product_id.uom_id.id,
                            "location_id": self.customers_location.id,
                            "location_dest_id": carry_in.location_id.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        # the customer's own serial, not a new one
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.move_line_ids = [
            Command.create(
                {
                    "product_id": carry_in.product_id.id,
                    "lot_id": carry_in.lot_id.id,
                    "quantity": 1.0,
                    "location_id": self.customers_location.id,
                    "location_dest_id": carry_in.location_id.id,
                    "owner_id": carry_in.partner_id.id,
                }
            )
        ]
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        carry_in._set_stage(
            "received",
            received_date=fields.Datetime.now(),
            received_by_id=self.agent.id,
            reception_picking_id=picking.id,
        )
        return carry_in

    def _workshop_job(self, carry_in, lines=(), parts=(), finish=True, start=JOB_START):
        """Tara Tech's job on the unit at the centre, from ``start``; done when ``finish``."""
        visit = self._visit(carry_in.ticket_id, technician_id=self.tech_a.id, scheduled_start=start)
        with carry_in._unguard("visit_id"):
            carry_in.visit_id = visit
        carry_in._set_stage("in_repair", approved_date=fields.Datetime.now())
        visit.action_schedule()
        with freeze_time(start):
            visit.with_user(self.technician_user).action_start()
        if lines:
            visit.write({"line_ids": [Command.create(vals) for vals in lines]})
        if parts:
            visit.write(
                {
                    "aftersales_part_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": quantity,
                                "location_id": self.warehouse.lot_stock_id.id,
                            }
                        )
                        for product, quantity in parts
                    ]
                }
            )
        if finish:
            self._finish_job(visit)
        return visit

    def _finish_job(self, visit):
        visit.write({"work_report": "<p>Drum bearing replaced.</p>", "signature": SIGNATURE, "signed_by": "Wendy"})
        with freeze_time(visit.check_in + timedelta(hours=2)):
            visit.with_user(self.technician_user).action_done()
        return visit

    def _repair(self, carry_in, parts=(), done=True):
        """The Odoo repair order of the unit: the parts leave the centre's stock as its moves."""
        repair = self.env["repair.order"].create(
            {
                "product_id": carry_in.product_id.id,
                "lot_id": carry_in.lot_id.id,
                "partner_id": carry_in.partner_id.id,
                "picking_type_id": carry_in.warehouse_id.repair_type_id.id,
                "location_id": carry_in.warehouse_id.lot_stock_id.id,
                "product_location_src_id": carry_in.location_id.id,
                "product_location_dest_id": carry_in.location_id.id,
                "aftersales_ticket_id": carry_in.ticket_id.id,
                "move_ids": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity, "repair_line_type": "add"})
                    for product, quantity in parts
                ],
            }
        )
        with carry_in._unguard("repair_id"):
            carry_in.repair_id = repair
        if done:
            repair.action_validate()
            repair.action_repair_start()
            for move in repair.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            repair.action_repair_end()
            self.assertEqual(repair.state, "done")
        return repair

    def _ready_carry_in(self, lines=({"line_type": "labour"},), parts=(), repair_parts=()):
        """A received unit whose job (and repair order) is done: ready, as no inspection check is required."""
        carry_in = self._receive(self._carry_in())
        if repair_parts:
            self._repair(carry_in, repair_parts)
        self._workshop_job(carry_in, lines=lines, parts=parts)
        return carry_in

    def _sign_handover(self, carry_in, name="Wendy Washer"):
        """The customer signs the hand-over (the reception's signature wizard does it once merged)."""
        with carry_in._unguard("handover_signature", "handover_signed_by"):
            carry_in.write({"handover_signature": SIGNATURE, "handover_signed_by": name})

    def _quant_quantity(self, location, owner=None, product=None, lot=None):
        domain = [("product_id", "=", (product or self.product).id), ("location_id", "=", location.id)]
        if owner is not None:
            domain.append(("owner_id", "=", owner.id if owner else False))
        if lot:
            domain.append(("lot_id", "=", lot.id))
        return sum(self.env["stock.quant"].search(domain).mapped("quantity"))
