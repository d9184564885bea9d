from datetime import date, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

# the queries of a daily run with nothing to plan, whatever the number of targets
IDLE_QUERIES = 5


@tagged("post_install", "-at_install")
class TestNetworkCall(TransactionCase):
    """Calls to the network: a manager sets the call rules, the daily cron plans one call per target, agents
    record them and the next call is planned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.company.partner_id.tz = "UTC"
        cls.manager = new_test_user(
            cls.env,
            login="nc_manager",
            name="Mona Manager",
            groups="aftersales_service.aftersales_service_group_manager",
        )
        cls.agent = new_test_user(
            cls.env, login="nc_agent", name="Carl Caller", groups="aftersales_service.aftersales_service_group_user"
        )
        cls.other_agent = new_test_user(
            cls.env, login="nc_agent2", name="Cora Caller", groups="aftersales_service.aftersales_service_group_user"
        )
        cls.north_agent = new_test_user(
            cls.env, login="nc_north", name="Nils North", groups="aftersales_service.aftersales_service_group_user"
        )
        Partner = cls.env["res.partner"].sudo()
        # the dealers and service partners of the demo data are not called here
        Partner.search(["|", ("aftersales_dealer", "=", True), ("aftersales_service_partner", "=", True)]).write(
            {"aftersales_dealer": False, "aftersales_service_partner": False}
        )
        cls.dealers = Partner.create(
            [{"name": f"Dealer {i}", "is_company": True, "aftersales_dealer": True, "phone": "555"} for i in (1, 2)]
        )
        cls.service_partner = Partner.create(
            {"name": "FixIt Partner", "is_company": True, "aftersales_service_partner": True}
        )
        cls.vip = cls.env["res.partner.category"].create({"name": "Key account"})
        cls.key_customers = cls.env["res.partner"].create(
            [
                {"name": "Big Hotel", "is_company": True, "category_id": [Command.link(cls.vip.id)]},
                {"name": "Big Hospital", "is_company": True},
            ]
        )
        Branch = cls.env["aftersales.branch"]
        cls.hq = Branch.create({"name": "HQ", "code": "NC-HQ", "branch_type": "headquarters"})
        cls.north = Branch.create({"name": "North", "code": "NC-N", "branch_type": "region", "parent_id": cls.hq.id})
        cls.south = Branch.create({"name": "South", "code": "NC-S", "branch_type": "region", "parent_id": cls.hq.id})
        cls.north_point = Branch.create(
            {
                "name": "North Point",
                "code": "NC-N1",
                "parent_id": cls.north.id,
                "partner_id": cls.env["res.partner"].create({"name": "North Point Desk"}).id,
            }
        )
        cls.south_point = Branch.create(
            {"name": "South Point", "code": "NC-S1", "parent_id": cls.south.id, "manager_id": cls.manager.id}
        )
        cls.north.user_ids = cls.north_agent
        Rule = cls.env["aftersales.call.rule"].with_user(cls.manager)
        common = {"interval_weeks": 4, "date_start": date(2026, 6, 1), "user_id": cls.agent.id}
        cls.rule_dealers = Rule.create({"name": "Dealers", "target_type": "dealer", **common})
        cls.rule_partners = Rule.create({"name": "Partners", "target_type": "service_partner", **common})
        cls.rule_points = Rule.create(
            {
                "name": "Points",
                "target_type": "branch",
                "branch_ids": [Command.set((cls.north_point | cls.south_point).ids)],
                **common,
            }
        )
        cls.rule_customers = Rule.create(
            {
                "name": "Key customers",
                "target_type": "customer",
                "category_id": cls.vip.id,
                "partner_ids": [Command.link(cls.key_customers[1].id)],
                **common,
            }
        )
        cls.rules = cls.rule_dealers | cls.rule_partners | cls.rule_points | cls.rule_customers
        cls.Followup = cls.env["aftersales.followup"]

    def _calls(self, rule):
        return self.Followup.search([("call_rule_id", "=", rule.id)])

    def _plan(self, rules=None):
        return (rules or self.rules)._plan_calls()

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------

    @freeze_time("2026-06-03")
    def test_rule_plans_one_call_per_target_not_twice(self):
        planned = self.env["aftersales.call.rule"]._cron_plan_network_calls()
        calls = planned.filtered(lambda c: c.call_rule_id in self.rules)
        self.assertEqual(self._calls(self.rule_dealers).partner_id, self.dealers)
        self.assertEqual(self._calls(self.rule_partners).partner_id, self.service_partner)
        points = self._calls(self.rule_points)
        self.assertEqual(points.branch_id, self.north_point | self.south_point)
        by_branch = {call.branch_id: call for call in points}
        self.assertEqual(by_branch[self.north_point].partner_id.name, "North Point Desk", "the branch's address")
        self.assertEqual(by_branch[self.south_point].partner_id, self.manager.partner_id, "else its manager")
        self.assertEqual(self._calls(self.rule_customers).partner_id, self.key_customers)
        self.assertEqual(len(calls), 7)
        for call in calls:
            self.assertEqual(call.kind, "network")
            self.assertEqual(call.state, "planned")
            self.assertEqual(call.date_planned, date(2026, 6, 3))
            self.assertEqual(call.user_id, self.agent)
            self.assertEqual(call.target_type, call.call_rule_id.target_type)
            self.assertEqual(call.activity_ids.user_id, self.agent, "the agent is asked to call")
        self.assertEqual(self.rule_dealers.followup_count, 2)
        # the next day, and again, the calls are open: nothing more
        with freeze_time("2026-06-04"):
            self.assertFalse(self._plan())
            self.assertFalse(self._plan())
        self.assertEqual(len(self.Followup.search([("call_rule_id", "in", self.rules.ids)])), 7)

    @freeze_time("2026-05-20")
    def test_nothing_before_the_first_date(self):
        self.assertFalse(self._plan())
        self.rule_dealers.active = False
        with freeze_time("2026-06-01"):
            self.assertEqual(self._plan().call_rule_id, self.rules - self.rule_dealers, "archived rules plan nothing")

    @freeze_time("2026-06-03")
    def test_key_customers_need_a_tag_or_a_list(self):
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.env["aftersales.call.rule"].with_user(self.manager).create(
                {"name": "Nobody", "target_type": "customer"}
            )
        with self.assertRaises(IntegrityError), self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
            self.env["aftersales.call.rule"].with_user(self.manager).create(
                {"name": "Zero weeks", "target_type": "dealer", "interval_weeks": 0}
            )

    def _plan_counting(self, rule, day):
        """Plan ``rule``'s calls on ``day`` with cold caches: the calls planned and the queries run."""
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        with freeze_time(day):
            calls = rule._plan_calls()
        return calls, self.env.cr.sql_log_count - before

    def test_query_count_flat_in_the_number_of_targets(self):
        """Planning reads the targets and the last calls of every target in grouped queries: the daily run
        costs the same for two dealers as for twelve."""
        rule = self.rule_dealers
        calls, _count = self._plan_counting(rule, "2026-06-01")
        self.assertEqual(len(calls), 2)
        calls, idle_two = self._plan_counting(rule, "2026-06-02")
        self.assertFalse(calls, "open calls: nothing planned")
        self.env["res.partner"].sudo().create(
            [{"name": f"More dealer {i}", "is_company": True, "aftersales_dealer": True} for i in range(10)]
        )
        calls, _count = self._plan_counting(rule, "2026-06-02")
        self.assertEqual(len(calls), 10, "the ten new dealers are called")
        calls, idle_twelve = self._plan_counting(rule, "2026-06-03")
        self.assertFalse(calls)
        self.assertEqual(idle_two, idle_twelve)
        self.env.invalidate_all()
        with freeze_time("2026-06-04"), self.assertQueryCount(IDLE_QUERIES):
            rule._plan_calls()

    # ------------------------------------------------------------------
    # Outcomes, as the agent, on the calls the cron planned
    # ------------------------------------------------------------------

    @freeze_time("2026-06-03 10:00:00")
    def test_agent_records_the_call_and_the_next_is_planned(self):
        self._plan(self.rule_dealers)
        call = self._calls(self.rule_dealers).filtered(lambda c: c.partner_id == self.dealers[0])
        call = call.with_user(self.other_agent)
        # the outcome is required: each refusal leaves the call planned
        with self.assertRaisesRegex(UserError, "outcome"):
            call.action_done()
        call.outcome = "reached"
        with self.assertRaisesRegex(UserError, "satisfied"):
            call.action_done()
        self.assertEqual(call.state, "planned")
        with Form(call, view="aftersales_service.aftersales_network_call_view_form") as form:
            form.satisfied = "no"
            form.issues = "Late deliveries of spare pumps."
            form.notes = "<p>Wants a visit of the regional manager.</p>"
        call.action_done()
        self.assertEqual(call.state, "done")
        self.assertEqual(call.done_by_id, self.other_agent)
        self.assertFalse(call.activity_ids)
        following = self._calls(self.rule_dealers).filtered(
            lambda c: c.partner_id == self.dealers[0] and c.state == "planned"
        )
        self.assertEqual(len(following), 1)
        self.assertEqual(following.date_planned, date(2026, 7, 1), "four weeks after the call")
        self.assertEqual(following.user_id, self.agent, "the rule's agent")
        # the daily cron adds nothing: the next call is planned
        with freeze_time("2026-07-02"):
            self.assertFalse(self._plan(self.rule_dealers).filtered(lambda c: c.partner_id == self.dealers[0]))
        # the issues raised open a ticket, once
        action = call.action_open_ticket()
        ticket = call.raised_ticket_id
        self.assertEqual(action["res_id"], ticket.id)
        self.assertEqual(ticket.partner_id, self.dealers[0])
        self.assertIn("spare pumps", ticket.description)
        call.action_open_ticket()
        self.assertEqual(self.env["aftersales.ticket"].search_count([("partner_id", "=", self.dealers[0].id)]), 1)
        # the issues raised are tracked to closure by an improvement action, opened by the agent
        self.assertFalse(call.improvement_action_ids, "not opened on its own")
        action = call.action_create_improvement()
        improvement = self.env["aftersales.improvement.action"].browse(action["res_id"])
        self.assertEqual(improvement.origin, "call")
        self.assertEqual(improvement.followup_id, call)
        self.assertIn("spare pumps", improvement.description)
        self.assertEqual(call.improvement_action_count, 1)
        with self.assertRaises(AccessError):
            improvement.with_user(self.other_agent).write({"followup_id": following.id})
        with self.assertRaisesRegex(UserError, "recorded network calls"):
            following.with_user(self.other_agent).action_create_improvement()

    @freeze_time("2026-06-03 10:00:00")
    def test_call_back_and_no_answer(self):
        self._plan(self.rule_points)
        calls = {call.branch_id: call.with_user(self.agent) for call in self._calls(self.rule_points)}
        north, south = calls[self.north_point], calls[self.south_point]
        north.outcome = "call_back"
        with self.assertRaisesRegex(UserError, "call .* back"):
            north.action_done()
        north.callback_date = date(2026, 6, 5)
        north.action_done()
        south.outcome = "no_answer"
        south.action_done()
        planned = self._calls(self.rule_points).filtered(lambda c: c.state == "planned")
        self.assertEqual(
            {(c.branch_id, c.date_planned) for c in planned},
            {(self.north_point, date(2026, 6, 5)), (self.south_point, date(2026, 7, 1))},
        )

    @freeze_time("2026-06-03")
    def test_reschedule_and_cancel_with_a_reason(self):
        self._plan(self.rule_partners)
        call = self._calls(self.rule_partners).with_user(self.agent)
        call.date_planned = date(2026, 6, 10)
        self.assertEqual(call.activity_ids.date_deadline, date(2026, 6, 10), "rescheduled")
        with self.assertRaisesRegex(UserError, "why"):
            call.action_cancel()
        self.assertEqual(call.state, "planned")
        call.cancel_reason = "The partner is on holiday in June."
        call.action_cancel()
        self.assertEqual(call.state, "cancel")
        self.assertFalse(call.activity_ids)
        # cancelled on its planned date of the 10th: called again four weeks later, not before
        with freeze_time("2026-07-07"):
            self.assertFalse(self._plan(self.rule_partners))
        with freeze_time("2026-07-08"):
            again = self._plan(self.rule_partners)
        self.assertEqual(again.partner_id, self.service_partner)
        self.assertEqual(again.date_planned, date(2026, 7, 8))

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------

    @freeze_time("2026-06-03")
    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_guarded_fields_and_rules_refused_to_agents(self):
        self._plan(self.rule_dealers | self.rule_points)
        call = self._calls(self.rule_dealers)[0].with_user(self.agent)
        for vals in (
            {"state": "done"},
            {"call_rule_id": self.rule_partners.id},
            {"branch_id": self.south_point.id},
            {"target_type": "customer"},
            {"done_by_id": self.agent.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                call.write(vals)
        self.assertEqual(call.state, "planned")
        self.assertEqual(call.call_rule_id, self.rule_dealers)
        with self.assertRaises(AccessError):
            self.Followup.with_user(self.agent).create(
                {"kind": "network", "partner_id": self.dealers[0].id, "call_rule_id": self.rule_dealers.id}
            )
        # a network call without a rule is fine: an agent can call a dealer on their own
        manual = self.Followup.with_user(self.agent).create({"kind": "network", "partner_id": self.dealers[1].id})
        self.assertFalse(manual.call_rule_id)
        # agents read the rules, managers set them
        self.assertTrue(self.rule_dealers.with_user(self.agent).name)
        with self.assertRaises(AccessError):
            self.rule_dealers.with_user(self.agent).write({"interval_weeks": 1})
        with self.assertRaises(AccessError):
            self.env["aftersales.call.rule"].with_user(self.agent).create({"name": "Mine", "target_type": "dealer"})
        with self.assertRaises(AccessError):
            self.rule_dealers.with_user(self.agent).action_plan_calls()
        self.rule_dealers.with_user(self.manager).interval_weeks = 2

    @freeze_time("2026-06-03")
    def test_branch_users_see_the_calls_to_their_subtree(self):
        self._plan(self.rule_points | self.rule_dealers)
        Followup = self.Followup.with_user(self.north_agent)
        seen = Followup.search([("call_rule_id", "in", (self.rule_points | self.rule_dealers).ids)])
        self.assertEqual(seen.filtered("branch_id").branch_id, self.north_point, "the North's point, not the South's")
        self.assertEqual(len(seen.filtered(lambda c: c.target_type == "dealer")), 2, "calls to dealers: everyone")
        hq_seen = self.Followup.with_user(self.agent).search([("call_rule_id", "=", self.rule_points.id)])
        self.assertEqual(hq_seen.branch_id, self.north_point | self.south_point, "headquarters sees every call")
        south_call = self._calls(self.rule_points).filtered(lambda c: c.branch_id == self.south_point)
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_rule"):
            south_call.with_user(self.north_agent).read(["partner_id"])

    # ------------------------------------------------------------------
    # Screens
    # ------------------------------------------------------------------

    @freeze_time("2026-06-03")
    def test_menus_buttons_and_ticket_followups(self):
        self._plan()
        # the follow-up calls of the tickets keep their menu; network calls have theirs
        action = self.env.ref("aftersales_service.aftersales_followup_action")
        Followup = self.Followup.with_user(self.agent)
        self.assertFalse(Followup.search_count(safe_eval(action.domain) + [("kind", "=", "network")]))
        network_action = self.env.ref("aftersales_service.aftersales_network_call_action")
        self.assertEqual(set(Followup.search(safe_eval(network_action.domain)).mapped("kind")), {"network"})
        dealer = self.dealers[0].with_user(self.agent)
        self.assertEqual(dealer.aftersales_network_call_count, 1)
        self.assertEqual(
            self.Followup.search(dealer.action_view_aftersales_network_calls()["domain"]).partner_id, dealer
        )
        point = self.north_point.with_user(self.agent)
        self.assertEqual(point.network_call_count, 1)
        self.assertEqual(self.Followup.search(point.action_view_network_calls()["domain"]).branch_id, point)
        self.assertEqual(self.rule_points.action_view_calls()["domain"], [("call_rule_id", "in", self.rule_points.ids)])
        # the manager plans the due calls from the rule's form
        self.rule_dealers.with_user(self.manager).interval_weeks = 1
        result = self.rule_dealers.with_user(self.manager).action_plan_calls()
        self.assertEqual(result["tag"], "display_notification", "nothing due: the calls are open")
        # the views load for the agent
        network_views = [
            (self.env.ref(f"aftersales_service.aftersales_network_call_view_{view}").id, view)
            for view in ("list", "form", "kanban", "calendar", "search")
        ]
        self.assertEqual(len(self.Followup.with_user(self.agent).get_views(network_views)["views"]), 5)

    def test_rule_form_as_manager(self):
        with Form(self.env["aftersales.call.rule"].with_user(self.manager)) as form:
            form.name = "Service points every 6 weeks"
            form.target_type = "branch"
            form.interval_weeks = 6
            form.date_start = date.today() + timedelta(days=1)
        rule = form.record
        self.assertEqual(rule.interval_weeks, 6)
        self.assertFalse(rule._plan_calls(), "not before its first date")
        called = rule._plan_calls(today=date.today() + timedelta(days=1)).branch_id
        self.assertLessEqual(self.north_point | self.south_point, called, "every service point of the company")
        self.assertFalse(called & (self.hq | self.north | self.south), "service points only")
