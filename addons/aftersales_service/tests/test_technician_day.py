from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import AftersalesCommon

TECHNICIAN_FORM = "aftersales_service.aftersales_visit_view_form_technician"


class TechnicianDayCommon(AftersalesCommon):
    """Theo's day: two visits today (a confirmed one at 9:00, a draft one at 14:00 that dispatch gave
    him without scheduling it), one tomorrow and one done yesterday; all created by an agent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech_user = new_test_user(
            cls.env,
            login="as_day_tech",
            name="Theo Day",
            groups="aftersales_service.aftersales_service_group_technician",
            tz="UTC",
        )
        cls.technician = cls.env["aftersales.technician"].create(
            {"user_id": cls.tech_user.id, "resource_calendar_id": cls.calendar.id}
        )
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_day_dispatcher",
            name="Dora Dispatch",
            groups="aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="as_day_accountant",
            name="Cora Counts",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        cls.customer.write({"street": "12 Rue Haute", "city": "Brussels", "phone": "+32 2 555 01 01"})
        cls.second_customer = cls.env["res.partner"].create(
            {"name": "Olga Oven", "street": "3 Kouter", "city": "Ghent", "mobile": "+32 470 55 02 02"}
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Tom Tomorrow", "city": "Leuven"})
        Ticket = cls.env["aftersales.ticket"].with_user(cls.agent)
        cls.ticket = Ticket.create(
            {
                "name": "Machine does not drain",
                "description": "<p>Water stays in the drum after the wash.</p>",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "product_id": cls.product.id,
                "lot_id": cls.lot.id,
            }
        )
        cls.second_ticket = Ticket.create(
            {"name": "Oven door does not close", "partner_id": cls.second_customer.id, "team_id": cls.team.id}
        )
        cls.other_ticket = Ticket.create(
            {"name": "Noisy dryer", "partner_id": cls.other_customer.id, "team_id": cls.team.id}
        )
        # his day, in his time zone (the administrator creating the records may live in another one)
        today = fields.Date.context_today(cls.env["aftersales.visit"].with_user(cls.tech_user))
        repair = cls.env.ref("aftersales_service.visit_type_repair")
        follow_up = cls.env.ref("aftersales_service.visit_type_follow_up")
        Visit = cls.env["aftersales.visit"].with_user(cls.agent)
        cls.first_visit, cls.second_visit, cls.tomorrow_visit, cls.old_visit = Visit.create(
            [
                {
                    "ticket_id": cls.ticket.id,
                    "visit_type_id": repair.id,
                    "scheduled_start": datetime.combine(today, time(9, 0)),
                },
                {
                    "ticket_id": cls.second_ticket.id,
                    "visit_type_id": follow_up.id,
                    "scheduled_start": datetime.combine(today, time(14, 0)),
                },
                {
                    "ticket_id": cls.other_ticket.id,
                    "visit_type_id": follow_up.id,
                    "scheduled_start": datetime.combine(today + timedelta(days=1), time(9, 0)),
                },
                {
                    "ticket_id": cls.other_ticket.id,
                    "visit_type_id": follow_up.id,
                    "scheduled_start": datetime.combine(today - timedelta(days=1), time(9, 0)),
                },
            ]
        )
        visits = cls.first_visit | cls.second_visit | cls.tomorrow_visit | cls.old_visit
        # the planning rules (zones, skills, hours) are tested elsewhere
        with visits._assignment_checked():
            visits.write({"technician_id": cls.technician.id})
        (cls.first_visit | cls.tomorrow_visit | cls.old_visit).action_schedule()
        cls.first_visit.action_confirm()
        cls.old_visit.action_start()
        cls.old_visit.write({"work_report": "<p>Nothing to do.</p>"})
        cls.old_visit.action_done()


@tagged("post_install", "-at_install")
class TestTechnicianDay(TechnicianDayCommon):
    def test_landing_per_role(self):
        """The After-Sales app opens on My Visits for a technician, on the tickets for the others."""
        landing = self.env.ref("aftersales_service.aftersales_action_landing")
        root = self.env.ref("aftersales_service.aftersales_menu_root")
        expected = {
            self.tech_user: "aftersales_service.aftersales_visit_action_my",
            self.agent: "aftersales_service.aftersales_ticket_action",
            self.dispatcher: "aftersales_service.aftersales_ticket_action",
            self.manager: "aftersales_service.aftersales_ticket_action",
            self.accountant: "aftersales_service.aftersales_ticket_action",
        }
        for user, xmlid in expected.items():
            with self.subTest(user=user.login):
                menus = self.env["ir.ui.menu"].with_user(user).load_web_menus(False)
                self.assertEqual(menus[root.id]["actionID"], landing.id, "the app opens on the landing action")
                action = landing.with_user(user).run()
                self.assertEqual(action["id"], self.env.ref(xmlid).id)

    def test_my_visits_in_the_order_of_the_day(self):
        action = (
            self.env["ir.actions.act_window"]
            .with_user(self.tech_user)
            ._for_xml_id("aftersales_service.aftersales_visit_action_my")
        )
        views = {mode: view_id for view_id, mode in action["views"]}
        self.assertEqual(views["form"], self.env.ref(TECHNICIAN_FORM).id, "his visits open on his screen")
        Visit = self.env["aftersales.visit"].with_user(self.tech_user)
        upcoming = Visit.search(
            [
                ("technician_id.user_id", "=", self.tech_user.id),
                "|",
                ("state", "=", "in_progress"),
                ("scheduled_start", ">=", datetime.combine(fields.Date.context_today(Visit), time(0, 0))),
                ("state", "!=", "cancel"),
            ]
        )
        self.assertEqual(upcoming, self.first_visit | self.second_visit | self.tomorrow_visit)
        self.assertEqual(list(upcoming), [self.first_visit, self.second_visit, self.tomorrow_visit], "route order")
        self.assertEqual(upcoming.mapped("day_label"), ["Today", "Today", "Tomorrow"])
        first = upcoming[0]
        self.assertTrue(first.time_window.startswith("9:00"), first.time_window)
        self.assertEqual(first.ticket_subject, "Machine does not drain")
        self.assertIn("Water stays in the drum", first.ticket_description)
        self.assertEqual((first.partner_street, first.partner_city), ("12 Rue Haute", "Brussels"))
        self.assertEqual(first.call_phone, "+32 2 555 01 01")
        self.assertEqual(upcoming[1].call_phone, "+32 470 55 02 02", "the mobile of the service address")
        self.assertIn("openstreetmap.org", first.map_url)

    def test_start_a_draft_visit_given_to_him(self):
        """The draft visit dispatch gave him for 14:00 is scheduled and started in one go."""
        visit = self.second_visit.with_user(self.tech_user)
        self.assertEqual(visit.state, "draft")
        visit.action_start()
        self.assertEqual(visit.state, "in_progress")
        self.assertTrue(visit.check_in)

    def test_start_a_draft_visit_without_time_refused(self):
        self.second_visit.write({"scheduled_start": False})
        with self.assertRaisesRegex(UserError, "Choose a technician and a start"):
            self.second_visit.with_user(self.tech_user).action_start()
        self.assertEqual(self.second_visit.state, "draft")
        self.assertFalse(self.second_visit.check_in)
        with self.assertRaisesRegex(UserError, "current state"):
            self.old_visit.with_user(self.tech_user).action_start()

    def test_dispatch_fields_read_only_for_him(self):
        """What dispatch decides is read only on his screen, and refused by the model."""
        form = Form(self.first_visit.with_user(self.tech_user), view=TECHNICIAN_FORM)
        for name in ("partner_id", "ticket_id", "visit_type_id"):
            with self.subTest(field=name), self.assertRaises(AssertionError):
                setattr(form, name, self.env[self.first_visit._fields[name].comodel_name].search([], limit=1))
        self.first_visit.with_user(self.tech_user).action_start()
        form = Form(self.first_visit.with_user(self.tech_user), view=TECHNICIAN_FORM)
        form.work_report = "<p>Replaced the drain pump.</p>"
        form.signed_by = "Wendy Washer"
        form.save()
        self.assertEqual(self.first_visit.signed_by, "Wendy Washer")
        with self.assertRaises(AccessError):
            self.first_visit.with_user(self.tech_user).write({"partner_id": self.second_customer.id})
        # a dispatcher changes the address, as before
        self.first_visit.with_user(self.dispatcher).write({"partner_id": self.second_customer.id})
        self.assertEqual(self.first_visit.partner_id, self.second_customer)


@tagged("post_install", "-at_install")
class TestTechnicianDayRpc(TechnicianDayCommon, HttpCase):
    def _write(self, visit, vals):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/aftersales.visit/write",
            {"model": "aftersales.visit", "method": "write", "args": [visit.ids, vals], "kwargs": {}},
        )

    @mute_logger("odoo.http")
    def test_dispatch_fields_refused_over_rpc(self):
        """Over JSON-RPC, the technician changes the work of his visit, never what dispatch decides."""
        self.authenticate(self.tech_user.login, self.tech_user.login)
        other_tech = self.env["aftersales.technician"].create(
            {"user_id": new_test_user(self.env, login="as_day_other", name="Otto Other").id}
        )
        later = fields.Datetime.to_string(self.first_visit.scheduled_start + timedelta(hours=3))
        refused = {
            "ticket_id": self.second_ticket.id,
            "partner_id": self.second_customer.id,
            "visit_type_id": self.env.ref("aftersales_service.visit_type_follow_up").id,
            "previous_visit_id": self.old_visit.id,
            "scheduled_start": later,
            "scheduled_end": later,
            "window_start": later,
            "technician_id": other_tech.id,
            "helper_ids": [(4, other_tech.id)],
            "reminder_sent": True,
            "state": "done",
            "check_in": later,
            "name": "VIS/RENAMED",
        }
        before = self.first_visit.read(list(refused))[0]
        for name, value in refused.items():
            with self.subTest(field=name), self.assertRaises(JsonRpcException) as caught:
                self._write(self.first_visit, {name: value})
            self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError", name)
        self.first_visit.invalidate_recordset()
        self.assertEqual(self.first_visit.read(list(refused))[0], before, "nothing changed")
        self.assertTrue(self._write(self.first_visit, {"work_report": "<p>Drain pump replaced.</p>"}))
        self.assertIn("Drain pump replaced", self.first_visit.work_report)

    @mute_logger("odoo.http")
    def test_landing_and_start_over_rpc(self):
        self.authenticate(self.tech_user.login, self.tech_user.login)
        landing = self.env.ref("aftersales_service.aftersales_action_landing")
        action = self.make_jsonrpc_request("/web/action/run", {"action_id": landing.id})
        self.assertEqual(action["id"], self.env.ref("aftersales_service.aftersales_visit_action_my").id)
        self.make_jsonrpc_request(
            "/web/dataset/call_button/aftersales.visit/action_start",
            {"model": "aftersales.visit", "method": "action_start", "args": [self.second_visit.ids], "kwargs": {}},
        )
        self.assertEqual(self.second_visit.state, "in_progress")


@tagged("post_install", "-at_install")
class TestTechnicianDayTour(TechnicianDayCommon, HttpCase):
    """Theo's whole day on a phone, in a real browser."""

    browser_size = "390x844"
    touch_enabled = True

    def test_technician_day_tour(self):
        self.start_tour("/odoo", "aftersales_technician_day_tour", login=self.tech_user.login)
        visits = self.first_visit | self.second_visit
        self.assertRecordValues(
            visits,
            [
                {"state": "done", "signed_by": "Wendy Washer"},
                {"state": "done", "signed_by": False},
            ],
        )
        self.assertTrue(self.first_visit.signature, "the customer signed")
        self.assertTrue(self.first_visit.departed_at, "the customer was told he was on his way")
        step = self.first_visit.step_ids.filtered(lambda s: s.name == "Run a test cycle after the repair")
        self.assertRecordValues(step, [{"done": True, "answered_by_id": self.tech_user.id}])
        self.assertIn("drain pump", self.first_visit.work_report)
        self.assertIn("door hinge", self.second_visit.work_report)
        for visit in visits.sudo():
            self.assertTrue(visit.check_in and visit.check_out)
            done = visit.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "state" and t.new_value_char == "Done"
            )
            self.assertEqual(done.mail_message_id.author_id, self.tech_user.partner_id, "done by Theo himself")
        self.assertEqual(self.tomorrow_visit.state, "scheduled", "tomorrow's visit waits")
