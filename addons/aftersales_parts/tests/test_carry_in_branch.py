from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_reception import CarryInReceptionCommon


@tagged("post_install", "-at_install")
class TestCarryInBranch(CarryInReceptionCommon):
    """A branch's service centre keeps its units: its warehouse, and only its users see them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wh_south = cls.env["stock.warehouse"].create({"name": "South Service Centre", "code": "SSC"})
        Branch = cls.env["aftersales.branch"]
        cls.north = Branch.create({"name": "North", "code": "N", "warehouse_ids": [Command.link(cls.warehouse.id)]})
        cls.south = Branch.create({"name": "South", "code": "S", "warehouse_ids": [Command.link(cls.wh_south.id)]})
        groups = "aftersales_service.aftersales_service_group_user"
        cls.north_agent = new_test_user(cls.env, login="as_ci_north", name="Nina North", groups=groups)
        cls.south_agent = new_test_user(cls.env, login="as_ci_south", name="Sam South", groups=groups)
        cls.north.user_ids = cls.north_agent
        cls.south.user_ids = cls.south_agent
        cls.team.branch_id = cls.north
        cls.south_team = cls.env["aftersales.team"].create({"name": "South Counter", "branch_id": cls.south.id})
        cls.south_ticket = cls.env["aftersales.ticket"].create(
            {
                "name": "Engine stalls",
                "partner_id": cls.customer.id,
                "product_id": cls.motorcycle.id,
                "team_id": cls.south_team.id,
            }
        )

    def test_the_unit_goes_to_the_branch_service_centre(self):
        north = self._new_carry_in(user=self.north_agent)
        self.assertEqual((north.branch_id, north.warehouse_id), (self.north, self.warehouse))
        south = self._new_carry_in(ticket=self.south_ticket, user=self.south_agent)
        self.assertEqual((south.branch_id, south.warehouse_id), (self.south, self.wh_south))
        self.assertEqual(south.location_id.warehouse_id, self.wh_south)
        self.assertNotEqual(south.location_id, north.location_id)

    def test_branch_users_see_their_branch_units_only(self):
        north = self._new_carry_in(user=self.north_agent)
        south = self._new_carry_in(ticket=self.south_ticket, user=self.south_agent)
        CarryIn = self.env["aftersales.carry.in"]
        self.assertEqual(CarryIn.with_user(self.north_agent).search([("id", "in", (north + south).ids)]), north)
        self.assertEqual(CarryIn.with_user(self.south_agent).search([("id", "in", (north + south).ids)]), south)
        with self.assertRaises(AccessError):
            north.with_user(self.south_agent).read(["name"])
        with self.assertRaises(AccessError):
            north.with_user(self.south_agent).write({"problem": "Not mine"})
        # headquarters (no branch) sees both
        self.assertEqual(CarryIn.with_user(self.counter).search([("id", "in", (north + south).ids)]), north + south)
