from datetime import timedelta
from unittest import SkipTest

from lxml import etree

from odoo import Command, fields
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user, tagged

from odoo.addons.aftersales_parts.models.aftersales_carry_in import IN_CENTRE_STATES

VIEW_TYPES = ("kanban", "list", "form", "search", "pivot", "graph", "calendar")


class CarryInScreensCommon:
    """Units of a service centre at several stages, written as the flow leaves them (fixtures as
    superuser), a workshop technician on two of them and the roles who look at them."""

    @classmethod
    def _setup_carry_ins(cls):
        cls.category = cls.env["product.category"].create({"name": "Scooters (screens)"})
        cls.env["aftersales.carry.in.check"].create(
            [
                {"categ_id": cls.category.id, "name": "Scratches and dents", "answer_kind": "text", "required": True},
                {"categ_id": cls.category.id, "name": "Mileage (km)", "answer_kind": "number", "sequence": 20},
            ]
        )
        cls.scooter = cls.env["product.product"].create(
            {"name": "Scooter S-50", "is_storable": True, "tracking": "serial", "categ_id": cls.category.id}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Tessa Tour", "email": "tessa@example.com"})
        cls.agent = new_test_user(
            cls.env,
            login="ci_screens_agent",
            name="Cora Counter",
            groups="aftersales_service.aftersales_service_group_user",
            # the agent's today is the fixtures' at any hour (overdue is counted from the user's day)
            tz=cls.env.user.tz,
        )
        cls.clerk = new_test_user(
            cls.env, login="ci_screens_clerk", name="Pia Parts", groups="aftersales_parts.aftersales_parts_group_clerk"
        )
        cls.accountant = new_test_user(
            cls.env,
            login="ci_screens_accountant",
            name="Abe Books",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        cls.tech_user = new_test_user(
            cls.env,
            login="ci_screens_tech",
            name="Wim Workshop",
            groups="aftersales_service.aftersales_service_group_technician",
        )
        cls.other_tech_user = new_test_user(
            cls.env,
            login="ci_screens_tech2",
            name="Otto Other",
            groups="aftersales_service.aftersales_service_group_technician",
        )
        cls.technician = cls.env["aftersales.technician"].create({"user_id": cls.tech_user.id})
        cls.other_technician = cls.env["aftersales.technician"].create({"user_id": cls.other_tech_user.id})
        now = fields.Datetime.now()
        today = fields.Date.context_today(cls.env["aftersales.carry.in"])
        cls.received = cls._carry_in("TOUR-SC-0001", "received", now - timedelta(days=10), today + timedelta(days=2))
        cls.received.write(
            {
                "step_ids": [
                    Command.create(
                        {
                            "phase": "intake",
                            "sequence": 10,
                            "name": "Scratches and dents",
                            "answer_kind": "text",
                            "required": True,
                            "value_text": "Two scratches on the tank",
                            "done": True,
                        }
                    ),
                    Command.create(
                        {
                            "phase": "intake",
                            "sequence": 20,
                            "name": "Mileage (km)",
                            "answer_kind": "number",
                            "required": True,
                            "value_number": 12345,
                            "done": True,
                        }
                    ),
                ]
            }
        )
        cls.in_repair = cls._carry_in(
            "TOUR-SC-0002", "in_repair", now - timedelta(days=4), today - timedelta(days=1), cls.technician
        )
        cls.ready = cls._carry_in("TOUR-SC-0003", "ready", now - timedelta(days=2), today, cls.other_technician)
        cls.collected = cls._carry_in("TOUR-SC-0004", "collected", now - timedelta(days=9), today - timedelta(days=3))
        cls.collected.write({"collected_date": now - timedelta(days=3)})

    @classmethod
    def _carry_in(cls, serial, state, received_date, expected_date, technician=None):
        lot = cls.env["stock.lot"].create({"name": serial, "product_id": cls.scooter.id})
        ticket = cls.env["aftersales.ticket"].create(
            {
                "name": f"Scooter {serial} at the counter",
                "partner_id": cls.customer.id,
                "product_id": cls.scooter.id,
                "lot_id": lot.id,
                "channel": "walk_in",
            }
        )
        values = {
            "ticket_id": ticket.id,
            "state": state,
            "received_date": received_date,
            "received_by_id": cls.agent.id,
            "user_id": cls.agent.id,
            "expected_date": expected_date,
        }
        if technician:
            values["visit_id"] = (
                cls.env["aftersales.visit"]
                .create(
                    {
                        "ticket_id": ticket.id,
                        "visit_type_id": cls.env.ref("aftersales_service.visit_type_repair").id,
                        "technician_id": technician.id,
                        "assignment_forced": True,
                        "assignment_forced_reason": "Workshop job",
                        "scheduled_start": received_date + timedelta(hours=2),
                    }
                )
                .id
            )
        return cls.env["aftersales.carry.in"].create(values)


@tagged("post_install", "-at_install")
class TestCarryInScreens(CarryInScreensCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_carry_ins()
        cls.CarryIn = cls.env["aftersales.carry.in"]

    def _check_screens(self, user, carry_ins):
        """Every view of the counter loads for ``user`` and reads the fields it shows on ``carry_ins``."""
        CarryIn = self.CarryIn.with_user(user)
        result = CarryIn.get_views([(False, view_type) for view_type in VIEW_TYPES])
        self.assertEqual(set(result["views"]), set(VIEW_TYPES))
        field_names = list(result["models"]["aftersales.carry.in"]["fields"])
        rows = CarryIn.search_read([("id", "in", carry_ins.ids)], field_names)
        self.assertEqual({row["id"] for row in rows}, set(carry_ins.ids))
        with Form(carry_ins[0].with_user(user)) as form:
            self.assertEqual(form.partner_id, self.customer)

    def test_screens_as_counter_agent(self):
        self._check_screens(self.agent, self.received | self.in_repair | self.ready | self.collected)

    def test_screens_as_parts_clerk(self):
        self._check_screens(self.clerk, self.in_repair | self.ready)

    def test_screens_as_accountant(self):
        self._check_screens(self.accountant, self.ready | self.collected)

    def test_screens_as_workshop_technician(self):
        """The technician's kanban holds the units of his jobs only."""
        self._check_screens(self.tech_user, self.in_repair)
        mine = self.CarryIn.with_user(self.tech_user).search([("id", "in", (self.received | self.ready).ids)])
        self.assertFalse(mine)

    def test_form_header_and_phone_checks(self):
        """The counter agent's header follows the flow, the next step in primary; on a phone the checks
        are cards, each opened in a form to answer it."""
        arch = etree.fromstring(
            self.CarryIn.with_user(self.agent).get_views([(False, "form")])["views"]["form"]["arch"]
        )
        buttons = arch.xpath("//header/button")
        names = list(dict.fromkeys(button.get("name") for button in buttons))
        expected = [
            "action_receive",
            "action_sign_intake",
            "action_print_receipt",
            "action_send_estimate",
            "action_accept_estimate",
            "action_refuse_estimate",
            "action_mark_ready",
            "action_sign_handover",
            "action_hand_over",
        ]
        self.assertEqual([name for name in names if name in expected], expected)
        # where a step has two buttons (primary when it is the next step), only one shows at a time
        for name in ("action_send_estimate", "action_assign_technician"):
            twins = [button for button in buttons if button.get("name") == name]
            self.assertEqual(len(twins), 2)
            self.assertEqual(len([button for button in twins if "btn-primary" in (button.get("class") or "")]), 1)
        for field_name in ("intake_step_ids", "inspection_step_ids"):
            (field,) = arch.xpath(f"//field[@name='{field_name}']")
            self.assertTrue(field.xpath("./kanban") and field.xpath("./form"), field_name)

    def test_kanban_columns(self):
        """A column for every stage of a unit in the building, in the order of the flow, even empty;
        the collected units out of the default filter."""
        groups = self.CarryIn.with_user(self.agent).web_read_group(
            [("id", "in", (self.received | self.in_repair | self.ready).ids), ("state", "in", IN_CENTRE_STATES)],
            ["state"],
            ["state"],
        )["groups"]
        self.assertEqual([group["state"] for group in groups], list(IN_CENTRE_STATES))
        counts = {group["state"]: group["state_count"] for group in groups}
        self.assertEqual(counts["received"], 1)
        self.assertEqual(counts["diagnosed"], 0)
        self.assertEqual(counts["in_repair"], 1)
        # a stage outside the centre shows only when a unit is there
        groups = self.CarryIn.with_user(self.agent).web_read_group(
            [("id", "in", (self.received | self.collected).ids)], ["state"], ["state"]
        )["groups"]
        self.assertEqual([group["state"] for group in groups], [*IN_CENTRE_STATES, "collected"])
        # the workshop technician's board starts at the diagnosis: no unit is his before
        groups = self.CarryIn.with_user(self.tech_user).web_read_group(
            [("state", "in", IN_CENTRE_STATES)], ["state"], ["state"]
        )["groups"]
        self.assertEqual([group["state"] for group in groups], list(IN_CENTRE_STATES[1:]))
        self.assertEqual({group["state"]: group["state_count"] for group in groups}["in_repair"], 1)

    def test_ageing_overdue_and_stay(self):
        self.assertEqual(self.received.days_in_centre, 10)
        self.assertEqual(self.in_repair.days_in_centre, 4)
        # the repair was expected yesterday: overdue; a ready unit is not
        self.assertTrue(self.in_repair.is_overdue)
        self.assertFalse(self.ready.is_overdue)
        self.assertFalse(self.received.is_overdue)
        overdue = self.CarryIn.with_user(self.agent).search(
            [("is_overdue", "=", True), ("id", "in", (self.received | self.in_repair | self.ready).ids)]
        )
        self.assertEqual(overdue, self.in_repair)
        # the stay is kept once the unit is collected, for the average of the reports
        self.assertEqual(self.collected.stay_days, 6)
        self.assertEqual(self.received.stay_days, 0)
        report = self.CarryIn.with_user(self.accountant).read_group(
            [("id", "in", self.collected.ids)], ["stay_days:avg"], ["state"]
        )
        collected = [group for group in report if group["state"] == "collected"]
        self.assertEqual(collected[0]["stay_days"], 6)

    def test_menus(self):
        Menu = self.env["ir.ui.menu"]
        units = self.env.ref("aftersales_parts.aftersales_carry_in_menu")
        repairs = self.env.ref("aftersales_parts.aftersales_carry_in_repair_menu")
        analysis = self.env.ref("aftersales_parts.aftersales_carry_in_menu_analysis")
        for user in (self.agent, self.clerk, self.accountant, self.tech_user):
            self.assertIn(units.id, Menu.with_user(user)._visible_menu_ids(), user.login)
        # Odoo's repair orders for those with the rights on them
        self.assertIn(repairs.id, Menu.with_user(self.clerk)._visible_menu_ids())
        self.assertNotIn(repairs.id, Menu.with_user(self.agent)._visible_menu_ids())
        self.assertIn(analysis.id, Menu.with_user(self.accountant)._visible_menu_ids())
        self.assertNotIn(analysis.id, Menu.with_user(self.tech_user)._visible_menu_ids())


@tagged("post_install", "-at_install")
class TestCarryInCounterTour(CarryInScreensCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_carry_ins()

    def test_counter_tour(self):
        self.start_tour("/odoo", "aftersales_carry_in_counter_tour", login=self.agent.login)


@tagged("post_install", "-at_install")
class TestCarryInDemo(TransactionCase):
    """The demo service centre: its units are really there, owned by their customers."""

    def setUp(self):
        super().setUp()
        self.carry_ins = self.env["aftersales.carry.in"]
        for index in range(1, 7):
            carry_in = self.env.ref(f"aftersales_parts.aftersales_carry_in_{index}_demo", raise_if_not_found=False)
            if not carry_in:
                raise SkipTest("The demo data of the service centre is not loaded.")
            self.carry_ins |= carry_in
        self.collected = self.env.ref("aftersales_parts.aftersales_carry_in_7_demo")
        self.warehouse = self.env.ref("aftersales_parts.stock_warehouse_sce_demo")

    def test_units_in_the_centre_owned_by_customers(self):
        scooter = self.env.ref("aftersales_parts.product_scooter_125_demo")
        self.assertEqual(set(self.carry_ins.mapped("state")), set(IN_CENTRE_STATES))
        for carry_in in self.carry_ins:
            self.assertEqual(carry_in.location_id, self.warehouse.aftersales_carry_in_location_id)
            self.assertEqual(carry_in.reception_picking_id.state, "done")
            quant = self.env["stock.quant"].search([("lot_id", "=", carry_in.lot_id.id), ("quantity", ">", 0)])
            self.assertEqual(quant.location_id, carry_in.location_id, carry_in.name)
            self.assertEqual(quant.owner_id, carry_in.partner_id, carry_in.name)
            self.assertEqual(quant.quantity, 1)
        # the collected unit went back to its customer by a delivery; its stay is kept for the reports
        self.assertEqual(self.collected.state, "collected")
        self.assertEqual(self.collected.delivery_picking_id.state, "done")
        self.assertEqual(self.collected.stay_days, 11)
        kept = self.env["stock.quant"].search(
            [("lot_id", "=", self.collected.lot_id.id), ("location_id.usage", "=", "internal"), ("quantity", "!=", 0)]
        )
        self.assertFalse(kept)
        # never ours: nothing to sell from the warehouse's stock, no value in the books
        free = scooter.with_context(location=self.warehouse.lot_stock_id.id).free_qty
        self.assertEqual(free, 0)
        if "stock.valuation.layer" in self.env:
            self.assertFalse(self.env["stock.valuation.layer"].search([("product_id", "=", scooter.id)]))
        # the parts the workshop needs are on the shelves
        for xmlid in ("product_brake_pads_demo", "product_spark_plug_demo"):
            part = self.env.ref(f"aftersales_parts.{xmlid}")
            self.assertGreater(part.with_context(warehouse_id=self.warehouse.id).qty_available, 0)

    def test_demo_logins_see_their_units(self):
        agent = self.env.ref("aftersales_service.res_users_aftersales_agent_demo")
        workshop = self.env.ref("aftersales_parts.res_users_aftersales_workshop_demo")
        domain = [("id", "in", self.carry_ins.ids)]
        self.assertEqual(self.env["aftersales.carry.in"].with_user(agent).search(domain), self.carry_ins)
        # the workshop technician sees the units of his jobs: all but the one just received
        jobs = self.env["aftersales.carry.in"].with_user(workshop).search(domain)
        self.assertEqual(jobs, self.carry_ins.filtered(lambda ci: ci.state != "received"))
        not_collected = self.carry_ins.filtered("not_collected")
        self.assertEqual(len(not_collected), 1)
        self.assertEqual(not_collected.state, "ready")

    def test_demo_estimates_through_the_flow(self):
        """The demo units waiting for approval and in repair got there through the flow: the first has
        its quotation sent, which the counter agent can accept; the second its repair order, whose parts
        the parts clerk finds reserved in the centre's stock."""
        agent = self.env.ref("aftersales_service.res_users_aftersales_agent_demo")
        clerk = self.env.ref("aftersales_parts.res_users_aftersales_parts_clerk_demo")
        waiting = self.env.ref("aftersales_parts.aftersales_carry_in_3_demo")
        in_repair = self.env.ref("aftersales_parts.aftersales_carry_in_4_demo")
        self.assertEqual(waiting.state, "waiting_approval")
        self.assertEqual(waiting.visit_id.quotation_id.state, "sent")
        waiting.with_user(agent).action_accept_estimate()
        self.assertEqual(waiting.state, "in_repair")
        self.assertTrue(waiting.repair_id)
        self.assertEqual(in_repair.state, "in_repair")
        repair = in_repair.repair_id.with_user(clerk)
        self.assertEqual(repair.state, "confirmed")
        parts = repair.move_ids.filtered(lambda move: move.repair_line_type == "add")
        self.assertEqual(len(parts), 2)
        self.assertEqual(set(parts.mapped("state")), {"assigned"})
        # the demo jobs are of the workshop's visit type: the technician finishes them without the customer
        workshop_type = self.env.ref("aftersales_parts.visit_type_workshop")
        self.assertEqual(self.carry_ins.visit_id.visit_type_id, workshop_type)
        self.assertFalse(workshop_type.requires_signature)
        # the jobs of the units ready or collected are done: no open work left for the workshop technician
        finished = self.carry_ins.filtered(lambda ci: ci.state == "ready") | self.collected
        self.assertEqual(set(finished.visit_id.mapped("state")), {"done"})
