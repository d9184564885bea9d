from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestBranchTree(AftersalesCommon):
    """Headquarters -> North (region) -> North-1, North-2 (service points); headquarters -> South -> South-1.

    A user of a branch sees the work of its branch and of every branch below it; headquarters sees all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Branch = cls.env["aftersales.branch"]
        Warehouse = cls.env["stock.warehouse"]
        cls.hq = Branch.create({"name": "Headquarters", "code": "T-HQ", "branch_type": "headquarters"})
        cls.north = Branch.create(
            {"name": "North Region", "code": "T-NR", "branch_type": "region", "parent_id": cls.hq.id}
        )
        cls.south = Branch.create(
            {"name": "South Region", "code": "T-SR", "branch_type": "region", "parent_id": cls.hq.id}
        )
        cls.wh_n1 = Warehouse.create({"name": "North-1 Depot", "code": "N1D"})
        cls.wh_s1 = Warehouse.create({"name": "South-1 Depot", "code": "S1D"})
        cls.n1 = Branch.create(
            {
                "name": "North-1",
                "code": "T-N1",
                "parent_id": cls.north.id,
                "warehouse_ids": [Command.link(cls.wh_n1.id)],
            }
        )
        cls.n2 = Branch.create({"name": "North-2", "code": "T-N2", "parent_id": cls.north.id})
        cls.s1 = Branch.create(
            {
                "name": "South-1",
                "code": "T-S1",
                "parent_id": cls.south.id,
                "warehouse_ids": [Command.link(cls.wh_s1.id)],
            }
        )
        Team = cls.env["aftersales.team"]
        cls.teams = {
            branch: Team.create({"name": f"{branch.code} Crew", "branch_id": branch.id})
            for branch in (cls.north, cls.n1, cls.n2, cls.south, cls.s1)
        }
        Ticket = cls.env["aftersales.ticket"]
        cls.tickets = {
            branch: Ticket.create({"name": f"Leak at {branch.code}", "team_id": team.id, "partner_id": cls.customer.id})
            for branch, team in cls.teams.items()
        }
        visit_type = cls.env.ref("aftersales_service.visit_type_repair")
        cls.visits = {
            branch: cls.env["aftersales.visit"].create({"ticket_id": ticket.id, "visit_type_id": visit_type.id})
            for branch, ticket in cls.tickets.items()
        }
        groups = "aftersales_service.aftersales_service_group_manager,stock.group_stock_user"
        cls.north_manager = new_test_user(cls.env, login="tree_north_mgr", name="Nora North", groups=groups)
        cls.n1_agent = new_test_user(
            cls.env,
            login="tree_n1_agent",
            name="Ned North-1",
            groups="aftersales_service.aftersales_service_group_user,stock.group_stock_user",
        )
        cls.hq_manager = new_test_user(cls.env, login="tree_hq_mgr", name="Hana HQ", groups=groups)
        cls.north.write({"manager_id": cls.north_manager.id, "user_ids": [Command.link(cls.north_manager.id)]})
        cls.n1.user_ids = cls.n1_agent
        cls.hq.user_ids = cls.hq_manager

    def _seen(self, user, model="aftersales.ticket", records=None):
        records = records or self.tickets
        return self.env[model].with_user(user).search([("id", "in", [r.id for r in records.values()])])

    def _of(self, records, *branches):
        return self.env[next(iter(records.values()))._name].union(*(records[branch] for branch in branches))

    def test_regional_manager_sees_the_region_and_its_points_not_the_south(self):
        self.assertEqual(self._seen(self.north_manager), self._of(self.tickets, self.north, self.n1, self.n2))
        self.assertEqual(
            self._seen(self.north_manager, "aftersales.visit", self.visits),
            self._of(self.visits, self.north, self.n1, self.n2),
        )
        with self.assertRaises(AccessError):
            self.tickets[self.s1].with_user(self.north_manager).read(["name"])
        with self.assertRaises(AccessError):
            self.tickets[self.south].with_user(self.north_manager).write({"name": "Taken over"})
        # the region's stock: transfers of a point's warehouse, not of the South's
        Picking = self.env["stock.picking"]
        n1_move = Picking.create(
            {
                "picking_type_id": self.wh_n1.int_type_id.id,
                "location_id": self.wh_n1.lot_stock_id.id,
                "location_dest_id": self.wh_n1.lot_stock_id.id,
            }
        )
        s1_move = Picking.create(
            {
                "picking_type_id": self.wh_s1.int_type_id.id,
                "location_id": self.wh_s1.lot_stock_id.id,
                "location_dest_id": self.wh_s1.lot_stock_id.id,
            }
        )
        seen = Picking.with_user(self.north_manager).search([("id", "in", (n1_move | s1_move).ids)])
        self.assertEqual(seen, n1_move)

    def test_service_point_user_sees_its_point_only(self):
        self.assertEqual(self._seen(self.n1_agent), self.tickets[self.n1])
        with self.assertRaises(AccessError):
            self.tickets[self.north].with_user(self.n1_agent).read(["name"])

    def test_headquarters_sees_everything(self):
        every = self._of(self.tickets, *self.tickets)
        self.assertEqual(self._seen(self.hq_manager), every, "a user of the headquarters branch")
        self.assertFalse(self.hq_manager._aftersales_branches(), "not restricted")
        self.assertFalse(self.north_manager._aftersales_is_headquarters())
        self.assertEqual(self._seen(self.manager), every, "a user in no branch")

    def test_counts_roll_up_the_tree(self):
        self.assertEqual(self.n1.ticket_count, 1)
        self.assertEqual(self.north.ticket_count, 3)
        self.assertEqual(self.hq.ticket_count, 5)
        self.assertEqual(self.hq.visit_count, 5)
        self.assertEqual(self.north.child_count, 2)
        self.assertEqual(self.hq.child_count, 2)
        action = self.north.with_user(self.north_manager).action_view_tickets()
        self.assertEqual(
            self.env["aftersales.ticket"].with_user(self.north_manager).search(action["domain"]),
            self._of(self.tickets, self.north, self.n1, self.n2),
        )
        children = self.north.action_view_children()
        self.assertEqual(self.env["aftersales.branch"].search(children["domain"]), self.n1 | self.n2)

    def test_moving_a_point_moves_what_its_region_sees(self):
        self.assertNotIn(self.tickets[self.s1], self._seen(self.north_manager))
        self.s1.parent_id = self.north
        self.assertIn(self.tickets[self.s1], self._seen(self.north_manager))
        self.assertEqual(self.north.ticket_count, 4)

    def test_new_records_fall_in_the_user_own_branch(self):
        """A regional manager's ticket without a team falls in the region, not in one of its points."""
        self.assertEqual(self.north_manager._aftersales_default_branch(self.company), self.north)
        ticket = self.env["aftersales.ticket"].with_user(self.north_manager).create({"name": "Walk-in"})
        self.assertEqual(ticket.branch_id, self.north)

    def test_a_branch_cannot_sit_below_itself(self):
        with self.assertRaises(ValidationError):
            self.north.parent_id = self.n1
        with self.assertRaises(ValidationError):
            self.north.parent_id = self.north
        other = self.env["res.company"].create({"name": "Tree Other Co"})
        foreign = self.env["aftersales.branch"].create({"name": "Abroad", "code": "T-AB", "company_id": other.id})
        with self.assertRaises(ValidationError):
            self.n2.parent_id = foreign

    def test_only_managers_build_the_tree(self):
        with self.assertRaises(AccessError):
            self.n2.with_user(self.n1_agent).write({"parent_id": self.south.id})
        form = Form(self.env["aftersales.branch"].with_user(self.hq_manager))
        form.name = "North-3"
        form.code = "N3"
        form.branch_type = "service_point"
        form.parent_id = self.north
        point = form.save()
        self.assertIn(point, self.north.child_ids)
        self.assertEqual(len(self.env["aftersales.branch"].search([("parent_id", "child_of", self.north.id)])), 4)
