from datetime import datetime

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestBranch(AftersalesCommon):
    """Two branches in the main company and one in a second company: branch users see only
    the work of their branches, headquarters (users in no branch) sees everything."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Branch Test Company B"})
        Warehouse = cls.env["stock.warehouse"]
        cls.wh_north = Warehouse.search([("company_id", "=", cls.company.id)], limit=1)
        cls.wh_south = Warehouse.create({"name": "South Depot", "code": "SDEP", "company_id": cls.company.id})
        cls.wh_east = Warehouse.search([("company_id", "=", cls.company_b.id)], limit=1)
        Branch = cls.env["aftersales.branch"]
        cls.north = Branch.create(
            {"name": "North Centre", "code": "N", "warehouse_ids": [Command.link(cls.wh_north.id)]}
        )
        cls.south = Branch.create(
            {"name": "South Point", "code": "S", "warehouse_ids": [Command.link(cls.wh_south.id)]}
        )
        cls.east = Branch.create(
            {
                "name": "East Centre",
                "code": "E",
                "company_id": cls.company_b.id,
                "warehouse_ids": [Command.link(cls.wh_east.id)],
            }
        )
        cls.team.branch_id = cls.north
        Team = cls.env["aftersales.team"]
        cls.team_south = Team.create({"name": "South Crew", "branch_id": cls.south.id})
        cls.team_east = Team.create({"name": "East Crew", "branch_id": cls.east.id, "company_id": cls.company_b.id})
        groups = "aftersales_service.aftersales_service_group_user,stock.group_stock_user"
        cls.north_user = new_test_user(cls.env, login="as_north", name="Nina North", groups=groups)
        cls.south_user = new_test_user(cls.env, login="as_south", name="Sid South", groups=groups)
        cls.travelling_user = new_test_user(
            cls.env,
            login="as_travel",
            name="Tom Travel",
            groups=groups,
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
        )
        cls.north.user_ids = cls.north_user
        cls.south.user_ids = cls.south_user
        cls.travelling_user.aftersales_branch_ids = cls.north | cls.east
        cls.other_customer = cls.env["res.partner"].create({"name": "Sam Spinner", "is_company": True})
        Ticket = cls.env["aftersales.ticket"]
        cls.ticket_north = Ticket.create({"name": "North leak", "team_id": cls.team.id, "partner_id": cls.customer.id})
        cls.ticket_south = Ticket.create(
            {"name": "South noise", "team_id": cls.team_south.id, "partner_id": cls.other_customer.id}
        )
        cls.ticket_east = Ticket.create(
            {"name": "East error", "team_id": cls.team_east.id, "company_id": cls.company_b.id}
        )
        cls.be = cls.env.ref("base.be")
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_repair")
        Visit = cls.env["aftersales.visit"]
        cls.visit_north = Visit.create({"ticket_id": cls.ticket_north.id, "visit_type_id": cls.visit_type.id})
        cls.visit_south = Visit.create({"ticket_id": cls.ticket_south.id, "visit_type_id": cls.visit_type.id})

    def _tickets(self, user, companies=None):
        env = self.env(user=user, context=dict(self.env.context, allowed_company_ids=(companies or self.company).ids))
        return env["aftersales.ticket"].search(
            [("id", "in", (self.ticket_north | self.ticket_south | self.ticket_east).ids)]
        )

    # ------------------------------------------------------------------
    # Where records fall
    # ------------------------------------------------------------------

    def test_ticket_and_visit_take_the_team_branch(self):
        self.assertEqual(self.ticket_north.branch_id, self.north)
        self.assertEqual(self.ticket_south.branch_id, self.south)
        self.assertEqual(self.visit_north.branch_id, self.north)
        self.ticket_north.team_id = self.team_south
        self.assertEqual(self.ticket_north.branch_id, self.south)
        self.assertEqual(self.visit_north.branch_id, self.south, "the visits follow their ticket")

    def test_team_joining_a_branch_takes_its_tickets_along(self):
        team = self.env["aftersales.team"].create({"name": "Loose Team"})
        ticket = self.env["aftersales.ticket"].create({"name": "Loose ticket", "team_id": team.id})
        self.assertFalse(ticket.branch_id)
        team.branch_id = self.south
        self.assertEqual(ticket.branch_id, self.south)

    def test_counts_and_smart_buttons(self):
        self.assertEqual(self.north.ticket_count, 1)
        self.assertEqual(self.north.visit_count, 1)
        self.assertEqual(self.north.warehouse_count, 1)
        self.assertEqual(self.north.team_count, 1)
        self.assertEqual(self.north.user_count, 2)
        action = self.north.action_view_tickets()
        self.assertEqual(self.env["aftersales.ticket"].search(action["domain"]), self.ticket_north)
        action = self.north.action_view_visits()
        self.assertEqual(self.env["aftersales.visit"].search(action["domain"]), self.visit_north)
        self.assertEqual(self.north.display_name, "[N] North Centre")

    # ------------------------------------------------------------------
    # Who sees what
    # ------------------------------------------------------------------

    def test_branch_user_sees_only_its_branch(self):
        self.assertEqual(self._tickets(self.north_user), self.ticket_north)
        self.assertEqual(self._tickets(self.south_user), self.ticket_south)
        visits = self.env["aftersales.visit"].with_user(self.north_user).search([])
        self.assertIn(self.visit_north, visits)
        self.assertNotIn(self.visit_south, visits)
        with self.assertRaises(AccessError):
            self.ticket_south.with_user(self.north_user).read(["name"])
        with self.assertRaises(AccessError):
            self.visit_south.with_user(self.north_user).read(["name"])
        with self.assertRaises(AccessError):
            self.ticket_south.with_user(self.north_user).write({"name": "Taken over"})

    def test_follow_up_calls_of_another_branch_hidden(self):
        Followup = self.env["aftersales.followup"]
        south_call = Followup.create({"ticket_id": self.ticket_south.id, "partner_id": self.other_customer.id})
        north_call = Followup.create({"ticket_id": self.ticket_north.id, "partner_id": self.customer.id})
        care_call = Followup.create({"partner_id": self.other_customer.id, "kind": "care"})
        calls = Followup.with_user(self.north_user).search([("id", "in", (south_call | north_call | care_call).ids)])
        self.assertEqual(calls, north_call | care_call, "calls without a ticket stay visible")
        with self.assertRaises(AccessError):
            south_call.with_user(self.north_user).read(["state"])

    def test_visit_fees_and_cards_of_another_branch_hidden(self):
        fee_product = self.env["product.product"].create({"name": "Call-out", "type": "service"})
        fee = self.env["aftersales.visit.line"].create(
            {"visit_id": self.visit_south.id, "line_type": "fee", "product_id": fee_product.id, "quantity": 1.0}
        )
        card = self.env["aftersales.installation.card"].create({"visit_id": self.visit_south.id})
        self.assertFalse(self.env["aftersales.visit.line"].with_user(self.north_user).search([("id", "=", fee.id)]))
        self.assertTrue(self.env["aftersales.visit.line"].with_user(self.south_user).search([("id", "=", fee.id)]))
        with self.assertRaises(AccessError):
            card.with_user(self.north_user).read(["state"])
        self.assertTrue(card.with_user(self.south_user).read(["state"]))

    def test_headquarters_sees_every_branch(self):
        self.assertEqual(self._tickets(self.agent), self.ticket_north | self.ticket_south)
        self.agent.company_ids = self.company | self.company_b
        self.assertEqual(
            self._tickets(self.agent, self.company | self.company_b),
            self.ticket_north | self.ticket_south | self.ticket_east,
        )
        visits = self.env["aftersales.visit"].with_user(self.agent).search([])
        self.assertIn(self.visit_north, visits)
        self.assertIn(self.visit_south, visits)

    def test_user_with_branches_in_two_companies(self):
        both = self.company | self.company_b
        self.assertEqual(self._tickets(self.travelling_user, both), self.ticket_north | self.ticket_east)
        self.assertEqual(self._tickets(self.travelling_user, self.company_b), self.ticket_east)
        with self.assertRaises(AccessError):
            self.ticket_south.with_user(self.travelling_user).with_context(allowed_company_ids=both.ids).read(["name"])

    def test_stock_locations_and_transfers(self):
        Location = self.env["stock.location"].with_user(self.north_user)
        both = self.wh_north.lot_stock_id | self.wh_south.lot_stock_id
        # Odoo's stock reads every warehouse's locations: branch users read them, but change only their own
        self.assertEqual(Location.search([("id", "in", both.ids)]), both)
        self.assertTrue(self.wh_south.lot_stock_id.with_user(self.north_user).read(["name"]))
        with self.assertRaises(AccessError):
            self.wh_south.lot_stock_id.with_user(self.north_user).check_access("write")
        self.wh_north.lot_stock_id.with_user(self.north_user).check_access("read")
        customers = self.env.ref("stock.stock_location_customers")
        self.assertTrue(Location.search([("id", "=", customers.id)]), "locations outside warehouses stay visible")
        self.assertTrue(self.wh_south.lot_stock_id.with_user(self.agent).read(["name"]))
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.wh_south.int_type_id.id,
                "location_id": self.wh_south.lot_stock_id.id,
                "location_dest_id": self.wh_south.lot_stock_id.id,
            }
        )
        self.assertFalse(self.env["stock.picking"].with_user(self.north_user).search([("id", "=", picking.id)]))
        self.assertTrue(self.env["stock.picking"].with_user(self.south_user).search([("id", "=", picking.id)]))

    def test_branch_user_works_with_odoo_stock(self):
        """Quantities on hand, sale orders and transfers read every warehouse: a branch user uses them."""
        seller = new_test_user(
            self.env,
            login="as_north_seller",
            name="Nora Seller",
            groups="aftersales_service.aftersales_service_group_user,stock.group_stock_user,"
            "sales_team.group_sale_salesman",
        )
        self.north.user_ids |= seller
        part = self.env["product.product"].create({"name": "Drain pump", "is_storable": True, "list_price": 30.0})
        self.env["stock.quant"]._update_available_quantity(part, self.wh_north.lot_stock_id, 5.0)
        self.env["stock.quant"]._update_available_quantity(part, self.wh_south.lot_stock_id, 3.0)
        part.invalidate_recordset()
        self.assertEqual(part.with_user(seller).qty_available, 8.0)
        self.assertEqual(part.with_user(seller).with_context(warehouse_id=self.wh_north.id).qty_available, 5.0)
        form = Form(self.env["sale.order"].with_user(seller))
        form.partner_id = self.customer
        form.warehouse_id = self.wh_north
        with form.order_line.new() as line:
            line.product_id = part
            line.product_uom_qty = 2.0
        order = form.save()
        order.action_confirm()
        picking = order.picking_ids.with_user(seller)
        self.assertEqual(picking.location_id, self.wh_north.lot_stock_id)
        picking.action_assign()
        picking.move_ids.quantity = 2.0
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        part.invalidate_recordset()
        self.assertEqual(part.with_user(seller).qty_available, 6.0)

    def test_reports_of_another_branch_hidden(self):
        north_manager = new_test_user(
            self.env,
            login="as_north_manager",
            name="Nestor North",
            groups="aftersales_service.aftersales_service_group_manager",
        )
        self.north.user_ids |= north_manager
        self.env.flush_all()
        kpis = self.env["aftersales.ticket.kpi"].with_user(north_manager).search([])
        self.assertIn(self.ticket_north, kpis.ticket_id)
        self.assertNotIn(self.ticket_south, kpis.ticket_id)
        self.assertIn(self.ticket_south, self.env["aftersales.ticket.kpi"].with_user(self.manager).search([]).ticket_id)
        self.ticket_south.lot_id = self.lot
        self.env.flush_all()
        domain = [("res_model", "=", "aftersales.ticket"), ("res_id", "=", self.ticket_south.id)]
        Event = self.env["aftersales.unit.event"]
        self.assertTrue(Event.with_user(self.manager).search(domain))
        self.assertEqual(Event.with_user(self.manager).search(domain).branch_id, self.south)
        self.assertFalse(Event.with_user(north_manager).search(domain))

    def test_portal_user_still_sees_its_tickets(self):
        contact = self.env["res.partner"].create({"name": "Wendy's Contact", "parent_id": self.customer.id})
        portal = new_test_user(self.env, login="as_portal_branch", groups="base.group_portal", partner_id=contact.id)
        tickets = self.env["aftersales.ticket"].with_user(portal).search([])
        self.assertIn(self.ticket_north, tickets)
        self.assertNotIn(self.ticket_south, tickets)
        visits = self.env["aftersales.visit"].with_user(portal).search([])
        self.assertIn(self.visit_north, visits)
        self.assertNotIn(self.visit_south, visits)

    # ------------------------------------------------------------------
    # Working in a branch
    # ------------------------------------------------------------------

    def test_branch_user_works_end_to_end(self):
        zone = self.env["aftersales.zone"].create(
            {"name": "Brussels", "zip_from": "1000", "zip_to": "1999", "country_ids": [Command.set(self.be.ids)]}
        )
        self.customer.write({"zip": "1050", "country_id": self.be.id, "city": "Brussels"})
        technician = self._create_technicians(zone, branch_id=self.north.id)[0]
        form = Form(self.env["aftersales.ticket"].with_user(self.north_user))
        form.name = "Washer stops"
        form.partner_id = self.customer
        form.product_id = self.product
        ticket = form.save()
        self.assertEqual(ticket.team_id, self.team, "the branch user's default team is one of its branch")
        self.assertEqual(ticket.branch_id, self.north)
        visit = (
            self.env["aftersales.visit"]
            .with_user(self.north_user)
            .create(
                {
                    "ticket_id": ticket.id,
                    "visit_type_id": self.visit_type.id,
                    "technician_id": technician.id,
                    "scheduled_start": datetime(2026, 6, 9, 10, 0),
                }
            )
        )
        visit.with_user(self.north_user).action_schedule()
        self.assertEqual(visit.state, "scheduled")
        self.assertEqual(visit.branch_id, self.north)

    def test_technicians_of_another_branch_not_assigned(self):
        zone = self.env["aftersales.zone"].create(
            {"name": "Brussels", "zip_from": "1000", "zip_to": "1999", "country_ids": [Command.set(self.be.ids)]}
        )
        self.customer.write({"zip": "1050", "country_id": self.be.id, "city": "Brussels"})
        tech_south, tech_north = self._create_technicians(zone)
        tech_south.branch_id = self.south
        tech_north.branch_id = self.north
        self.ticket_north.product_id = self.product
        start = datetime(2026, 6, 9, 10, 0)
        visit = self.visit_north
        visit.scheduled_start = start
        visit.action_auto_assign()
        self.assertEqual(visit.technician_id, tech_north, "the south technician, first on a tie, is of another branch")
        other = self.env["aftersales.visit"].create(
            {"ticket_id": self.ticket_north.id, "visit_type_id": self.visit_type.id, "scheduled_start": start}
        )
        with self.assertRaisesRegex(ValidationError, "of another branch"):
            other.write({"technician_id": tech_south.id, "state": "scheduled"})

    def test_branch_user_cannot_create_in_another_branch(self):
        with self.assertRaises(AccessError):
            self.env["aftersales.ticket"].with_user(self.north_user).create(
                {"name": "Not mine", "team_id": self.team_south.id}
            )

    def test_ticket_without_team_falls_in_the_user_branch(self):
        ticket = self.env["aftersales.ticket"].with_user(self.south_user).create({"name": "Walk-in", "team_id": False})
        self.assertEqual(ticket.branch_id, self.south)

    def test_only_dispatchers_move_tickets_between_branches(self):
        with self.assertRaises(AccessError):
            self.ticket_north.with_user(self.north_user).write({"branch_id": self.south.id})
        dispatcher = new_test_user(
            self.env, login="as_dispatch_branch", groups="aftersales_service.aftersales_service_group_dispatcher"
        )
        self.ticket_north.with_user(dispatcher).write({"branch_id": self.south.id})
        self.assertEqual(self.ticket_north.branch_id, self.south)
        self.assertEqual(self.visit_north.branch_id, self.south)

    def test_rule_cache_cleared_when_branches_change(self):
        self.assertEqual(self._tickets(self.north_user), self.ticket_north)
        self.north_user.aftersales_branch_ids = [Command.link(self.south.id)]
        self.assertEqual(self._tickets(self.north_user), self.ticket_north | self.ticket_south)
        self.south.user_ids = [Command.unlink(self.north_user.id)]
        self.assertEqual(self._tickets(self.north_user), self.ticket_north)
        self.north_user.aftersales_branch_ids = [Command.clear()]
        self.assertEqual(
            self._tickets(self.north_user), self.ticket_north | self.ticket_south, "no branch: headquarters"
        )

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------

    def test_branch_of_another_company_refused(self):
        with self.assertRaises(ValidationError):
            self.ticket_north.write({"branch_id": self.east.id})
        with self.assertRaises(ValidationError):
            self.team.write({"branch_id": self.east.id})
        with self.assertRaises(ValidationError):
            self.wh_south.write({"aftersales_branch_id": self.east.id})
        with self.assertRaises(ValidationError):
            self.env["aftersales.technician"].create({"user_id": self.agent.id, "branch_id": self.east.id})
        with self.assertRaises(ValidationError):
            self.north_user.aftersales_branch_ids = [Command.link(self.east.id)]
        with self.assertRaises(ValidationError):
            self.east.user_ids = [Command.link(self.south_user.id)]

    def test_bad_branch_input_refused(self):
        with self.assertRaises(ValidationError):
            self.env["aftersales.branch"].create({"name": "No Code", "code": "  "})
        with self.assertRaises(AccessError):
            self.env["aftersales.branch"].with_user(self.north_user).create({"name": "Mine", "code": "M"})
        with self.assertRaises(AccessError):
            self.north.with_user(self.north_user).write({"user_ids": [Command.link(self.south_user.id)]})
        with self.assertRaises(AccessError):
            self.north_user.with_user(self.north_user).write({"aftersales_branch_ids": [Command.clear()]})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["aftersales.branch"].create({"name": "North Again", "code": "N"})
