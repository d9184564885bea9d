from datetime import date, datetime, timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .common_workshop import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInWorkshop(CarryInCommon):
    """The workshop job of a received unit goes to a workshop technician by skill and load; the
    field dispatch never sends a workshop technician on the road."""

    def test_job_created_at_reception_by_load(self):
        first = self._receive()
        visit = first.visit_id
        self.assertRecordValues(
            visit,
            [
                {
                    "visit_type_id": self.workshop_type.id,
                    "ticket_id": self.ticket.id,
                    "partner_id": self.customer.id,
                    "state": "draft",
                    "workshop": True,
                    "carry_in_id": first.id,
                }
            ],
        )
        self.assertFalse(visit._needs_time(), "no time for the customer to choose: the unit is here")
        # a job at the centre: no map to the customer's address, and the chatter names it
        self.customer.write({"street": "12 Harbour Road", "city": "Oakland"})
        self.assertTrue(self._visit().with_user(self.dispatcher).map_url, "a visit on the road has its map")
        self.assertFalse(visit.with_user(first.visit_id.technician_id.user_id).map_url)
        self.assertEqual(visit.message_ids[-1].body, "<p>Workshop job created</p>")
        with self.assertRaisesRegex(UserError, "job at the service centre"):
            visit.with_user(visit.technician_id.user_id).action_on_my_way()
        # both skilled, no job yet: the tie goes by name
        self.assertEqual(visit.technician_id, self.lia)
        self.assertTrue(visit.scheduled_start and visit.scheduled_end > visit.scheduled_start)
        self.assertIn("given to Lia Workshop", first.message_ids[0].body)
        # Lia has one job now: the next unit goes to Marco, then to Lia again
        second = self._receive(ticket=self._ticket_for_unit("WM7-0002"))
        self.assertEqual(second.visit_id.technician_id, self.marco)
        third = self._receive(ticket=self._ticket_for_unit("WM7-0003"))
        self.assertEqual(third.visit_id.technician_id, self.lia)
        # the field technicians, although expert, never get a workshop job
        self.assertNotIn(self.tech_a | self.tech_b, (first | second | third).visit_id.technician_id)

    def test_open_job_stays_on_my_visits(self):
        """A workshop job planned on a past day and not closed yet (the customer took days to approve)
        stays in the technician's 'Today and Upcoming' visits; a past visit on the road does not."""
        job = self._receive().visit_id
        technician = job.technician_id.user_id
        yesterday = fields.Datetime.now() - timedelta(days=1)
        job.write({"scheduled_start": yesterday, "scheduled_end": yesterday + timedelta(hours=1)})
        road = self._visit(technician_id=job.technician_id.id, scheduled_start=yesterday)
        Visit = self.env["aftersales.visit"].with_user(technician)
        arch = Visit.get_views([(False, "search")])["views"]["search"]["arch"]
        domain = etree.fromstring(arch).xpath("//filter[@name='filter_upcoming']")[0].get("domain")
        # the web client's datetime.to_utc(): the tests run in UTC
        domain = safe_eval(domain.replace(".to_utc()", ""), {"datetime": safe_datetime, "context_today": date.today})
        found = Visit.search(domain + [("id", "in", (job | road).ids)])
        self.assertEqual(found, job)

    def test_skill_decides(self):
        self.workshop_type.skill_level = "3"
        carry_in = self._receive()
        self.assertEqual(carry_in.visit_id.technician_id, self.marco, "only Marco is an expert")

    def test_working_hours(self):
        """Received on Saturday evening: the job starts on Tuesday at 9, Monday being a public holiday."""
        carry_in = self._receive()
        start = carry_in._workshop_start(self.lia, now=datetime(2026, 6, 6, 19, 0))
        self.assertEqual(start, datetime(2026, 6, 9, 9, 0))
        self.assertEqual(
            carry_in._workshop_start(self.lia, now=datetime(2026, 6, 9, 10, 15)), datetime(2026, 6, 9, 10, 15)
        )

    def test_no_candidate(self):
        (self.marco | self.lia).skill_ids.unlink()
        carry_in = self._receive()
        visit = carry_in.visit_id
        self.assertTrue(visit, "the job is created all the same")
        self.assertFalse(visit.technician_id)
        self.assertEqual(carry_in.state, "received", "no error at the counter")
        self.assertIn("stays unassigned", carry_in.message_ids[0].body)
        self.assertIn("stays unassigned", visit.message_ids[0].body)
        # once a skill is given, the agent assigns the job again
        self.marco.write({"skill_ids": [(0, 0, {"product_category_id": self.category.id, "level": "2"})]})
        carry_in.with_user(self.counter).action_assign_technician()
        self.assertEqual(visit.technician_id, self.marco)

    def test_assign_again_rights(self):
        carry_in = self._receive()
        with self.assertRaises(AccessError):
            carry_in.with_user(self.lia.user_id).action_assign_technician()
        carry_in.with_user(self.dispatcher).action_assign_technician()
        self.assertEqual(carry_in.visit_id.technician_id, self.lia, "her own job is no load of hers")

    def test_workshop_technician_form(self):
        user = new_test_user(
            self.env,
            login="as_ws_new",
            name="Nina New",
            groups="aftersales_service.aftersales_service_group_technician",
        )
        with Form(self.env["aftersales.technician"].with_user(self.manager)) as form:
            form.user_id = user
            form.workshop = True
        self.assertTrue(form.record.workshop)

    def test_field_dispatch_ignores_workshop(self):
        """Auto-assign never chooses a workshop technician for a visit on the road, even one whose zone
        covers the address; and a workshop job is not planned by the field dispatch."""
        self.marco.zone_ids = self.zone_north
        (self.tech_a | self.tech_b).active = False
        visit = self._visit(scheduled_start=datetime(2026, 6, 9, 10, 0))
        assigned = visit.with_user(self.dispatcher).action_auto_assign()
        self.assertFalse(assigned)
        self.assertFalse(visit.technician_id)
        self.assertIn("No technician fits", visit.message_ids[0].body)
        self.assertNotIn("Marco Workshop", visit.message_ids[0].body)
        (self.tech_a | self.tech_b).active = True
        visit.with_user(self.dispatcher).action_auto_assign()
        self.assertIn(visit.technician_id, self.tech_a | self.tech_b)
        # a workshop job without a technician is no visit for the road
        (self.marco | self.lia).skill_ids.unlink()
        job = self._receive().visit_id
        job.scheduled_start = datetime(2026, 6, 9, 10, 0)
        with self.assertRaises(UserError):
            job.with_user(self.dispatcher).action_auto_assign()
        with self.assertRaises(UserError):
            job.with_user(self.dispatcher)._plan_days(day=datetime(2026, 6, 9).date())
        self.assertFalse(job.technician_id)

    def test_started_job_keeps_its_technician_on_screen(self):
        """Once the job is started, Assign Technician is no longer offered, and the technician's phone
        starts a repair, not a visit."""
        carry_in = self._receive()
        job = carry_in.visit_id
        self.assertEqual(carry_in.visit_state, job.state)
        job.with_user(job.technician_id.user_id).action_start()
        self.assertEqual(carry_in.visit_state, "in_progress")
        with self.assertRaisesRegex(UserError, "started or closed"):
            carry_in.with_user(self.counter).action_assign_technician()
        arch = job.with_user(job.technician_id.user_id).get_views(
            [(self.env.ref("aftersales_service.aftersales_visit_view_form_technician").id, "form")]
        )["views"]["form"]["arch"]
        self.assertIn("Start the Repair", arch)
