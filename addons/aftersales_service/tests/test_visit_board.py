from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..tools.route_planning import great_circle_km
from .common import AftersalesCommon

# one kilometre northwards, in degrees of latitude
KM = 0.0089932
BRUSSELS = (50.85, 4.35)
MONDAY = date(2026, 6, 15)
TUESDAY = date(2026, 6, 16)
WEDNESDAY = date(2026, 6, 17)


def _at(km):
    return {"partner_latitude": BRUSSELS[0] + km * KM, "partner_longitude": BRUSSELS[1]}


@tagged("post_install", "-at_install")
class TestVisitBoard(AftersalesCommon):
    """The dispatch board's server side, as the dispatcher who uses it, on visits an agent created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_board_dispatch",
            name="Dora Board",
            tz="UTC",
            groups="aftersales_service.aftersales_service_group_dispatcher",
        )
        cls.env["aftersales.technician"].search([]).active = False
        # the board of this test shows the visits of this test only
        cls.env["aftersales.visit"].search([("state", "=", "draft"), ("technician_id", "=", False)]).action_cancel()
        zone = cls.env["aftersales.zone"].create({"name": "Everywhere"})
        Partner = cls.env["res.partner"]
        cls.tara, cls.ben = cls._create_technicians(zone)
        cls.tara.home_partner_id = Partner.create({"name": "Base of Tara", **_at(0)})
        cls.ben.home_partner_id = Partner.create({"name": "Base of Ben", **_at(30)})
        cls.ticket = cls.env["aftersales.ticket"].create(
            {"name": "Board round", "lot_id": cls.lot.id, "team_id": cls.team.id, "partner_id": cls.customer.id}
        )
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_follow_up")  # half an hour
        cls.near = Partner.create({"name": "Near Customer", "city": "Vilvoorde", **_at(10)})
        cls.far = Partner.create({"name": "Far Customer", "city": "Mechelen", **_at(25)})
        cls.lost = Partner.create({"name": "Lost Customer", "city": "Nowhere"})  # 0/0: not located
        # the agent creates the visits; the dispatcher plans them
        Visit = cls.env["aftersales.visit"].with_user(cls.agent)
        cls.tara_first = cls._visit(Visit, cls.near, datetime(2026, 6, 16, 9, 0), cls.tara)
        cls.tara_second = cls._visit(Visit, cls.far, datetime(2026, 6, 16, 11, 0), cls.tara)
        cls.tara_third = cls._visit(Visit, cls.lost, datetime(2026, 6, 16, 14, 0), cls.tara)
        cls.ben_wednesday = cls._visit(Visit, cls.far, datetime(2026, 6, 17, 10, 0), cls.ben)
        cls.todo_tuesday = cls._visit(Visit, cls.near, datetime(2026, 6, 16, 15, 0))
        cls.todo_undated = cls._visit(Visit, cls.far, False)
        cls.todo_next_month = cls._visit(Visit, cls.near, datetime(2026, 7, 14, 10, 0))
        cls.Board = cls.env["aftersales.visit"].with_user(cls.dispatcher)

    @classmethod
    def _visit(cls, Visit, partner, start, technician=None):
        visit = Visit.create(
            {
                "ticket_id": cls.ticket.id,
                "visit_type_id": cls.visit_type.id,
                "partner_id": partner.id,
                "scheduled_start": start,
                "technician_id": technician.id if technician else False,
            }
        )
        if technician:
            visit.action_schedule()
        return visit

    def _lane(self, data, technician):
        return next(lane for lane in data["lanes"] if lane["id"] == technician.id)

    def test_board_data_day(self):
        data = self.Board.aftersales_board_data("2026-06-16", "2026-06-16")
        self.assertEqual([day["date"] for day in data["days"]], ["2026-06-16"])
        self.assertEqual(data["days"][0]["start_utc"], "2026-06-16 00:00:00")
        self.assertEqual({lane["id"] for lane in data["lanes"]}, {self.tara.id, self.ben.id}, "active technicians")
        tara_day = self._lane(data, self.tara)["days"]["2026-06-16"]
        cards = tara_day["cards"]
        self.assertEqual([card["id"] for card in cards], (self.tara_first | self.tara_second | self.tara_third).ids)
        self.assertEqual((tara_day["count"], tara_day["capacity"]), (3, self.tara.daily_capacity))
        first = cards[0]
        self.assertEqual(first["partner"], "Near Customer")
        self.assertEqual(first["city"], "Vilvoorde")
        self.assertEqual(first["type"], self.visit_type.display_name)
        self.assertEqual((first["start_minute"], first["duration_minutes"]), (9 * 60, 30))
        self.assertEqual(first["sla_status"], self.ticket.sla_status)
        self.assertTrue(first["sla_label"])
        # km: from the home base, then from the previous stop; unknown where an address is not located
        self.assertEqual(first["km_from"], "home")
        self.assertAlmostEqual(first["km"], 10.0, delta=0.1)
        self.assertEqual(cards[1]["km_from"], "previous")
        self.assertAlmostEqual(
            cards[1]["km"], great_circle_km(tuple(_at(10).values()), tuple(_at(25).values())), delta=0.1
        )
        self.assertIsNone(cards[2]["km"], "the lost customer has no coordinates: shown as ?")
        self.assertTrue(tara_day["km_unknown"])
        self.assertAlmostEqual(tara_day["km"], 25.0, delta=0.2)
        self.assertEqual(self._lane(data, self.ben)["days"]["2026-06-16"]["count"], 0)
        # unassigned: the draft visits of the day and those without a date, not those of another month
        self.assertEqual({card["id"] for card in data["unassigned"]}, {self.todo_tuesday.id, self.todo_undated.id})
        self.assertEqual(data["unassigned_count"], 2)

    def test_board_data_week_and_branch(self):
        data = self.Board.aftersales_board_data(MONDAY.isoformat(), (MONDAY + timedelta(days=6)).isoformat())
        self.assertEqual(len(data["days"]), 7)
        ben_days = self._lane(data, self.ben)["days"]
        self.assertEqual([card["id"] for card in ben_days["2026-06-17"]["cards"]], self.ben_wednesday.ids)
        self.assertAlmostEqual(ben_days["2026-06-17"]["cards"][0]["km"], 5.0, delta=0.1)
        # a branch shows its technicians and those of no branch
        north, south = self.env["aftersales.branch"].create(
            [{"name": "North", "code": "N"}, {"name": "South", "code": "S"}]
        )
        self.ben.branch_id = south
        data = self.Board.aftersales_board_data("2026-06-16", "2026-06-16", north.id)
        self.assertEqual([lane["id"] for lane in data["lanes"]], self.tara.ids)
        self.assertIn({"id": north.id, "name": north.display_name}, data["branches"])
        with self.assertRaises(UserError):
            self.Board.aftersales_board_data("2026-06-16", "2026-06-01")
        with self.assertRaises(UserError):
            self.Board.aftersales_board_data("2026-06-01", "2026-08-01")
        with self.assertRaises(UserError):
            self.Board.aftersales_board_data("not a date", "2026-06-01")

    def test_cards_carry_their_local_day(self):
        """The week's cards say their day and time in the dispatcher's time zone: the client shows the
        day on the unassigned cards and keeps the time of day of a visit dropped on another day."""
        self.dispatcher.tz = "Europe/Brussels"  # UTC+2 in June
        late = self._visit(self.env["aftersales.visit"].with_user(self.agent), self.near, datetime(2026, 6, 16, 22, 30))
        with freeze_time("2026-06-16 22:30:00"):
            data = self.Board.aftersales_board_data(MONDAY.isoformat(), (MONDAY + timedelta(days=6)).isoformat())
        self.assertEqual(data["timezone"], "Europe/Brussels")
        self.assertEqual(data["today"], "2026-06-17", "past midnight in Brussels, whatever the day in UTC")
        self.assertEqual([day["date"] for day in data["days"] if day["today"]], ["2026-06-17"])
        self.assertEqual(data["days"][2]["start_utc"], "2026-06-16 22:00:00")
        cards = {card["id"]: card for card in data["unassigned"]}
        self.assertEqual((cards[late.id]["day"], cards[late.id]["start_minute"]), ("2026-06-17", 30))
        self.assertIn("17", cards[late.id]["day_label"])
        self.assertIn("Jun", cards[late.id]["day_label"])
        self.assertEqual(cards[self.todo_tuesday.id]["day"], "2026-06-16")
        self.assertFalse(cards[self.todo_undated.id]["day_label"], "no date yet")
        wednesday = self._lane(data, self.ben)["days"]["2026-06-17"]["cards"][0]
        self.assertEqual((wednesday["day"], wednesday["start_minute"]), ("2026-06-17", 12 * 60))
        # dropped on Thursday at its own time of day: 12:00 in Brussels, sent as UTC
        card = self.Board.aftersales_board_move(self.ben_wednesday.id, self.ben.id, "2026-06-18 10:00:00")
        self.assertEqual((card["day"], card["start_minute"]), ("2026-06-18", 12 * 60))
        self.assertEqual(self.ben_wednesday.scheduled_start, datetime(2026, 6, 18, 10, 0))
        with freeze_time("2026-06-16 21:30:00"):
            data = self.Board.aftersales_board_data("2026-06-16", "2026-06-16")
        self.assertEqual(data["today"], "2026-06-16", "before midnight in Brussels")
        self.assertTrue(data["days"][0]["today"])

    def test_bad_input_refused(self):
        """What a client may send over RPC: anything but an ISO date (or a date and time for a move) is
        refused with a message, not a server error."""
        for date_from, date_to in (
            (5, 6),
            (None, None),
            ("2026-06-16", 6),
            (["2026-06-16"], "2026-06-16"),
            ({"date": "2026-06-16"}, False),
            ("2026-06-16 10:00:00", "2026-06-16"),
            ("2026-02-30", "2026-03-01"),
            ("16/06/2026", "2026-06-16"),
        ):
            with self.subTest(date_from=date_from, date_to=date_to), self.assertRaises(UserError):
                self.Board.aftersales_board_data(date_from, date_to)
            with self.subTest(date_from=date_from, date_to=date_to), self.assertRaises(UserError):
                self.Board.aftersales_board_auto_assign(date_from, date_to)
        self.assertEqual(len(self.Board.aftersales_board_data("2026-06-16", False)["days"]), 1, "one day")
        for start in (5, None, False, "", ["2026-06-16 13:00:00"], "2026-06-16", "2026-06-16 25:00:00", "13:00"):
            with self.subTest(start=start), self.assertRaises(UserError):
                self.Board.aftersales_board_move(self.todo_tuesday.id, self.ben.id, start)
        self.assertFalse(self.todo_tuesday.technician_id)
        # ISO 8601 with a T, in UTC (Z) or with an offset
        self.Board.aftersales_board_move(self.todo_tuesday.id, self.ben.id, "2026-06-16T13:00:00Z")
        self.assertEqual(self.todo_tuesday.scheduled_start, datetime(2026, 6, 16, 13, 0))
        self.Board.aftersales_board_move(self.todo_tuesday.id, self.ben.id, "2026-06-16T16:00:00+02:00")
        self.assertEqual(self.todo_tuesday.scheduled_start, datetime(2026, 6, 16, 14, 0))

    def test_move_accepted(self):
        card = self.Board.aftersales_board_move(self.todo_tuesday.id, self.ben.id, "2026-06-16 13:00:00")
        self.assertEqual(self.todo_tuesday.technician_id, self.ben)
        self.assertEqual(self.todo_tuesday.scheduled_start, datetime(2026, 6, 16, 13, 0))
        self.assertEqual(self.todo_tuesday.scheduled_end, datetime(2026, 6, 16, 13, 30), "the duration is kept")
        self.assertEqual(self.todo_tuesday.state, "scheduled")
        self.assertEqual(self.todo_tuesday.write_uid, self.dispatcher)
        self.assertEqual(card["start_minute"], 13 * 60)
        # an undated visit takes the duration of its type; an assigned one moves to another technician
        self.Board.aftersales_board_move(self.todo_undated.id, self.tara.id, "2026-06-17 09:00:00")
        self.assertEqual(self.todo_undated.scheduled_end, datetime(2026, 6, 17, 9, 30))
        self.Board.aftersales_board_move(self.tara_second.id, self.ben.id, "2026-06-16 16:00:00")
        self.assertEqual(self.tara_second.technician_id, self.ben)

    def test_move_refused_with_the_rule(self):
        with self.assertRaises(ValidationError) as cm:
            # Tara visits the near customer then
            self.Board.aftersales_board_move(self.todo_tuesday.id, self.tara.id, "2026-06-16 09:15:00")
        message = str(cm.exception)
        self.assertIn(self.tara.name, message)
        self.assertIn(self.todo_tuesday.name, message)
        self.assertIn("busy", message)
        with self.assertRaises(ValidationError) as cm:
            self.Board.aftersales_board_move(self.todo_tuesday.id, self.ben.id, "2026-06-20 10:00:00")  # Saturday
        self.assertIn("not working", str(cm.exception))
        self.assertFalse(self.todo_tuesday.technician_id)
        self.assertEqual(self.todo_tuesday.state, "draft")
        with self.assertRaises(UserError):
            self.Board.aftersales_board_move(self.todo_tuesday.id, self.ben.id, "tomorrow")
        with self.assertRaises(UserError):
            self.Board.aftersales_board_move(self.todo_tuesday.id, 0, "2026-06-16 13:00:00")

    def test_move_forced_with_reason(self):
        with self.assertRaises(UserError):
            self.Board.aftersales_board_move(self.todo_tuesday.id, self.tara.id, "2026-06-16 09:15:00", "  ")
        card = self.Board.aftersales_board_move(
            self.todo_tuesday.id, self.tara.id, "2026-06-16 09:15:00", force_reason="Customer asked for Tara"
        )
        visit = self.todo_tuesday.with_user(self.dispatcher)
        self.assertEqual(visit.technician_id, self.tara)
        self.assertEqual(visit.state, "scheduled")
        self.assertTrue(visit.assignment_forced)
        self.assertEqual(visit.assignment_forced_reason, "Customer asked for Tara")
        self.assertTrue(card["forced"])
        self.assertTrue(visit.message_ids.filtered(lambda m: "Customer asked for Tara" in (m.body or "")))

    def test_take_a_visit_back(self):
        """Dragged back among the unassigned visits: a draft again, at the same time, the chatter says by whom."""
        card = self.Board.aftersales_board_unassign(self.tara_second.id)
        visit = self.tara_second.with_user(self.dispatcher)
        self.assertFalse(visit.technician_id)
        self.assertEqual(visit.state, "draft")
        self.assertEqual(visit.scheduled_start, datetime(2026, 6, 16, 11, 0), "the time is kept")
        self.assertEqual(card["state"], "draft")
        self.assertIn(self.tara.name, visit.message_ids[0].body)
        data = self.Board.aftersales_board_data("2026-06-16", "2026-06-16")
        self.assertIn(visit.id, [c["id"] for c in data["unassigned"]])
        self.assertEqual(self._lane(data, self.tara)["days"]["2026-06-16"]["count"], 2)
        # a visit in progress stays where it is; the others may not take visits back
        self.tara_first.with_user(self.tara.user_id).action_start()
        with self.assertRaises(UserError):
            self.Board.aftersales_board_unassign(self.tara_first.id)
        for user in (self.agent, self.tara.user_id):
            with self.assertRaises(AccessError):
                self.env["aftersales.visit"].with_user(user).aftersales_board_unassign(self.tara_third.id)
        self.assertEqual(self.tara_third.technician_id, self.tara)
        with self.assertRaises(UserError):
            self.Board.aftersales_board_unassign(0)

    def test_days_off_show_no_capacity(self):
        """The weekend, a public holiday and time off: no capacity shown, whatever the visits."""
        self._time_off(self.ben, datetime(2026, 6, 18, 0, 0), datetime(2026, 6, 18, 23, 59))
        data = self.Board.aftersales_board_data(MONDAY.isoformat(), (MONDAY + timedelta(days=6)).isoformat())
        ben_days = self._lane(data, self.ben)["days"]
        tara_days = self._lane(data, self.tara)["days"]
        self.assertFalse(ben_days["2026-06-16"]["off"])
        self.assertEqual(ben_days["2026-06-16"]["capacity"], self.ben.daily_capacity)
        for day in ("2026-06-20", "2026-06-21"):
            self.assertTrue(ben_days[day]["off"], "the weekend")
            self.assertEqual(ben_days[day]["capacity"], 0)
        self.assertTrue(ben_days["2026-06-18"]["off"], "his time off")
        self.assertFalse(tara_days["2026-06-18"]["off"])

    def test_others_are_refused(self):
        technician_user = self.tara.user_id
        for user in (self.agent, technician_user):
            Visit = self.env["aftersales.visit"].with_user(user)
            with self.assertRaises(AccessError):
                Visit.aftersales_board_data("2026-06-16", "2026-06-16")
            with self.assertRaises(AccessError):
                Visit.aftersales_board_move(self.todo_tuesday.id, self.ben.id, "2026-06-16 13:00:00")
            with self.assertRaises(AccessError):
                Visit.aftersales_board_auto_assign("2026-06-16", "2026-06-16")
            with self.assertRaises(AccessError):
                Visit.aftersales_board_plan("2026-06-16", "2026-06-16")
        self.assertFalse(self.todo_tuesday.technician_id)

    def test_auto_assign_and_plan_the_period(self):
        result = self.Board.aftersales_board_auto_assign("2026-06-16", "2026-06-16")
        self.assertEqual(result, {"planned": [self.todo_tuesday.name], "left": []})
        self.assertTrue(self.todo_tuesday.technician_id)
        self.assertFalse(self.todo_undated.technician_id, "auto-assign needs a start")
        result = self.Board.aftersales_board_plan(MONDAY.isoformat(), (MONDAY + timedelta(days=4)).isoformat())
        self.assertEqual(result["planned"], [self.todo_undated.name])
        self.assertEqual(self.todo_undated.state, "scheduled")
        self.assertFalse(self.todo_next_month.technician_id, "outside the period shown")
        with self.assertRaises(UserError):
            self.Board.aftersales_board_plan(MONDAY.isoformat(), MONDAY.isoformat())  # nothing left to plan

    def test_print_slips_of_the_period(self):
        action = self.Board.aftersales_board_print_slips(TUESDAY.isoformat(), TUESDAY.isoformat())
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "aftersales_service.report_visit_slip")
        # the visits given to technicians that day, lane by lane; none of the unassigned ones
        self.assertEqual(action["context"]["active_ids"], (self.tara_first | self.tara_second | self.tara_third).ids)
        with self.assertRaisesRegex(UserError, "no slip to print"):
            self.Board.aftersales_board_print_slips("2026-06-20", "2026-06-20")
        with self.assertRaises(AccessError):
            self.env["aftersales.visit"].with_user(self.agent).aftersales_board_print_slips(
                TUESDAY.isoformat(), TUESDAY.isoformat()
            )

    def test_queries_do_not_grow_with_the_visits(self):
        counts = []
        for extra in (0, 12):
            for number in range(extra):
                start = datetime(2026, 6, 18, 9, 0) + timedelta(minutes=30 * (number // 2))
                self._visit(self.env["aftersales.visit"], self.near if number % 2 else self.lost, start)
            self.env.flush_all()
            self.env.invalidate_all()
            self.env.registry.clear_cache()
            self.Board.aftersales_board_data("2026-06-15", "2026-06-21")  # warm the caches of the user
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            data = self.Board.aftersales_board_data("2026-06-15", "2026-06-21")
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(data["unassigned_count"], 2 + extra)
        self.assertEqual(counts[0], counts[1], f"queries for a few and for 12 more visits: {counts}")


@tagged("post_install", "-at_install")
class TestVisitBoardTour(AftersalesCommon, HttpCase):
    """The board in a real browser: drag an unassigned visit onto a technician's lane."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_board_tour_dispatcher",
            name="Dina Drag",
            tz="UTC",
            groups="aftersales_service.aftersales_service_group_dispatcher",
        )
        cls.env["aftersales.technician"].search([]).active = False
        # a technician who works any hour of any day: wherever the visit lands on today's lane, it fits
        always = cls.env["resource.calendar"].create(
            {
                "name": "Always",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create({"name": f"Day {day}", "dayofweek": str(day), "hour_from": 0.0, "hour_to": 24.0})
                    for day in range(7)
                ],
            }
        )
        technician_user = new_test_user(
            cls.env,
            login="as_board_tour_tech",
            name="Lane Tech",
            groups="aftersales_service.aftersales_service_group_technician",
        )
        zone = cls.env["aftersales.zone"].create({"name": "Everywhere"})
        cls.technician = cls.env["aftersales.technician"].create(
            {
                "user_id": technician_user.id,
                "resource_calendar_id": always.id,
                "zone_ids": [Command.set(zone.ids)],
                "skill_ids": [Command.create({"level": "3"})],
                "daily_capacity": 20,
            }
        )
        ticket = cls.env["aftersales.ticket"].create({"name": "Board tour ticket", "lot_id": cls.lot.id})
        cls.visit = (
            cls.env["aftersales.visit"]
            .with_user(cls.agent)
            .create(
                {
                    "ticket_id": ticket.id,
                    "visit_type_id": cls.env.ref("aftersales_service.visit_type_follow_up").id,
                    "partner_id": cls.env["res.partner"].create({"name": "Tour Customer"}).id,
                }
            )
        )
        cls.second_visit = cls.visit.copy({"partner_id": cls.env["res.partner"].create({"name": "Second Customer"}).id})

    def test_drag_a_visit_onto_a_lane(self):
        self.start_tour(
            "/odoo/action-aftersales_service.aftersales_visit_action_board",
            "aftersales_visit_board_tour",
            login=self.dispatcher.login,
        )
        self.assertEqual(self.visit.technician_id, self.technician)
        self.assertEqual(self.visit.state, "scheduled")
        self.assertTrue(self.visit.scheduled_start)
        # the second one was dropped at the same time: refused by the rules, then forced with the
        # reason, and at last taken back: unassigned, at the time it had
        forced = self.second_visit.with_user(self.dispatcher)
        self.assertFalse(forced.technician_id)
        self.assertEqual(forced.state, "draft")
        self.assertEqual(forced.scheduled_start.date(), date.today())
        # then the first one went to another day of the week at the same time of day
        self.assertNotEqual(self.visit.scheduled_start.date(), forced.scheduled_start.date())
        self.assertEqual(self.visit.scheduled_start.time(), forced.scheduled_start.time())
        self.assertEqual(self.visit.scheduled_end - self.visit.scheduled_start, timedelta(minutes=30))
        reason = "The customer can only be visited then"
        self.assertTrue(forced.message_ids.filtered(lambda m: reason in (m.body or "")))

    def _call(self, method, *args):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/aftersales.visit/{method}",
            {"model": "aftersales.visit", "method": method, "args": list(args), "kwargs": {}},
        )

    @mute_logger("odoo.http")
    def test_board_over_rpc(self):
        today = date.today().isoformat()
        self.authenticate(self.agent.login, self.agent.login)
        for method, args in (
            ("aftersales_board_data", (today, today)),
            ("aftersales_board_move", (self.visit.id, self.technician.id, f"{today} 10:00:00")),
            ("aftersales_board_auto_assign", (today, today)),
            ("aftersales_board_plan", (today, today)),
        ):
            with self.assertRaises(JsonRpcException) as cm:
                self._call(method, *args)
            self.assertEqual(str(cm.exception), "odoo.exceptions.AccessError", method)
        self.assertFalse(self.visit.technician_id)
        self.authenticate(self.dispatcher.login, self.dispatcher.login)
        data = self._call("aftersales_board_data", today, today)
        self.assertEqual([lane["id"] for lane in data["lanes"]], self.technician.ids)
        self.assertIn(self.visit.id, [card["id"] for card in data["unassigned"]])
        # bad input is refused with a message, not a server error
        for method, args in (
            ("aftersales_board_data", (5, 6)),
            ("aftersales_board_data", (today, [today])),
            ("aftersales_board_move", (self.visit.id, self.technician.id, 1800)),
        ):
            with self.assertRaises(JsonRpcException) as cm:
                self._call(method, *args)
            self.assertEqual(str(cm.exception), "odoo.exceptions.UserError", method)
        self.assertFalse(self.visit.technician_id)
        card = self._call("aftersales_board_move", self.visit.id, self.technician.id, f"{today}T18:00:00Z")
        self.assertEqual(self.visit.scheduled_start, datetime.fromisoformat(f"{today} 18:00:00"))
        self.assertEqual(card["start_minute"], 18 * 60)
