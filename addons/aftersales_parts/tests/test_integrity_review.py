from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import PartsCommon

AGENT = "aftersales_service.aftersales_service_group_user"
CLERK = "aftersales_parts.aftersales_parts_group_clerk"


@tagged("post_install", "-at_install")
class TestIntegrityReview(PartsCommon):
    """Holes a security review found in the parts flows, closed as the roles meet them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_user = new_test_user(cls.env, login="as_rev_agent", name="Ada Agent", groups=AGENT)
        cls.clerk_user = new_test_user(
            cls.env, login="as_rev_clerk", name="Carl Clerk", groups=f"{CLERK},stock.group_production_lot"
        )
        cls.tech_b.action_aftersales_create_van_location()
        cls._inventory(cls.pump, cls.tech_b.van_location_id, 5.0)

    def test_parts_only_from_the_visits_own_sources(self):
        visit = self._start_visit([])
        other_van = self.tech_b.van_location_id
        with self.assertRaises(ValidationError) as refusal:
            visit.with_user(self.tech_a.user_id).write(
                {"part_ids": [Command.create({"product_id": self.pump.id, "location_id": other_van.id})]}
            )
        self.assertIn("cannot be taken from", str(refusal.exception))
        self.assertFalse(visit.part_ids)
        # the technician's own van and the branch's warehouse are fine
        visit.with_user(self.tech_a.user_id).write(
            {
                "part_ids": [
                    Command.create({"product_id": self.pump.id}),
                    Command.create({"product_id": self.pump.id, "location_id": self.warehouse.lot_stock_id.id}),
                ]
            }
        )
        self.assertEqual(visit.part_ids.location_id, self.van | self.warehouse.lot_stock_id)

    def test_unused_parts_returned_by_the_visits_people(self):
        visit = self._start_visit([])
        self._validate(self._request(3.0, visit=visit).picking_id)
        self._finish_visit(visit)
        with self.assertRaises(AccessError):
            visit.with_user(self.agent_user).action_aftersales_return_unused_parts()
        with self.assertRaises(AccessError):
            visit.with_user(self.tech_b.user_id).action_aftersales_return_unused_parts()
        self.assertFalse(visit.picking_ids.filtered(lambda p: p.location_id == self.van))
        visit.with_user(self.clerk_user).action_aftersales_return_unused_parts()
        self.assertTrue(visit.picking_ids.filtered(lambda p: p.location_id == self.van))

    def test_consignment_location_set_by_managers_and_clerks(self):
        location = self.env["stock.location"].create({"name": "Fixit shelf", "usage": "internal"})
        partner = self.env["res.partner"].create({"name": "Fixit Ltd", "is_company": True})
        agent = new_test_user(self.env, login="as_rev_agent2", groups=f"{AGENT},base.group_partner_manager")
        with self.assertRaises(AccessError):
            partner.with_user(agent).write({"aftersales_partner_location_id": location.id})
        self.assertFalse(partner.aftersales_partner_location_id)
        clerk = new_test_user(self.env, login="as_rev_clerk2", groups=f"{CLERK},base.group_partner_manager")
        partner.with_user(clerk).write({"aftersales_partner_location_id": location.id})
        self.assertEqual(partner.aftersales_partner_location_id, location)

    def test_repair_order_link_set_by_the_return_only(self):
        repair = self.env["repair.order"].create({"product_id": self.product.id, "partner_id": self.customer.id})
        rma = self.env["aftersales.rma"].create(
            {
                "partner_id": self.customer.id,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": self.pump.id,
                            "quantity": 1.0,
                            "reason_id": self.env.ref("aftersales_parts.rma_reason_defective").id,
                        }
                    )
                ],
            }
        )
        stock_manager = new_test_user(self.env, login="as_rev_stock", groups="stock.group_stock_manager")
        with self.assertRaises(AccessError):
            repair.with_user(stock_manager).write({"aftersales_rma_line_id": rma.line_ids.id})
        self.assertFalse(repair.aftersales_rma_line_id)
        repair.with_user(stock_manager).write({"internal_notes": "<p>Checked.</p>"})
