from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import PartsCommon


@tagged("post_install", "-at_install")
class TestBranchParts(PartsCommon):
    """Vans leave from their technician's branch; branch users finish visits with parts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wh_south = cls.env["stock.warehouse"].create({"name": "South Parts", "code": "SPRT"})
        Branch = cls.env["aftersales.branch"]
        cls.north = Branch.create({"name": "North", "code": "N", "warehouse_ids": [Command.link(cls.warehouse.id)]})
        cls.south = Branch.create({"name": "South", "code": "S", "warehouse_ids": [Command.link(cls.wh_south.id)]})
        cls.team.branch_id = cls.north
        cls.tech_a.branch_id = cls.north
        cls.north_user = new_test_user(
            cls.env,
            login="as_parts_north",
            name="Nils North",
            groups="aftersales_service.aftersales_service_group_dispatcher,stock.group_stock_user",
        )
        cls.north.user_ids = cls.north_user | cls.tech_a.user_id

    def test_van_leaves_from_the_branch_warehouse(self):
        self.tech_b.branch_id = self.south
        self.tech_b.action_aftersales_create_van_location()
        van = self.tech_b.van_location_id
        self.assertEqual(van.location_id, self.wh_south.view_location_id)
        self.assertEqual(van.warehouse_id, self.wh_south)
        rule = self.wh_south.aftersales_van_route_id.rule_ids.filtered(lambda rule: rule.location_dest_id == van)
        self.assertEqual(rule.location_src_id, self.wh_south.lot_stock_id)

    def test_branch_user_finishes_a_visit_with_parts(self):
        self._validate(self._request(3.0).picking_id)
        visit = self._start_visit([])
        self.assertEqual(visit.branch_id, self.north)
        visit.part_ids = [Command.create({"product_id": self.pump.id, "quantity": 2.0})]
        visit.part_ids = [Command.create({"product_id": self.seal.id, "quantity": 1.0, "removed": True})]
        self._finish_visit(visit.with_user(self.north_user))
        self.assertEqual(visit.state, "done")
        used = visit.part_ids.filtered(lambda part: not part.removed)
        self.assertEqual(used.move_id.location_id, self.van)
        self.assertEqual(used.move_id.state, "done")
        self.assertEqual(self._van_quantity(), 1.0)
        removed = visit.part_ids.filtered("removed")
        self.assertEqual(removed.move_id.picking_id.picking_type_id, self.warehouse.int_type_id)
