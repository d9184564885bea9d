from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.base.models.res_users import name_selection_groups

from .common import AftersalesCommon

ROLE_GROUPS = {
    "technician": "aftersales_service.aftersales_service_group_technician",
    "agent": "aftersales_service.aftersales_service_group_user",
    "dispatcher": "aftersales_service.aftersales_service_group_dispatcher",
    "manager": "aftersales_service.aftersales_service_group_manager",
    "accountant": "aftersales_service.aftersales_service_group_accountant",
}


class RolesCommon(AftersalesCommon):
    """A user per role, a technician with a visit of their own and a ticket without visit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zone = cls.env["aftersales.zone"].create({"name": "Everywhere"})
        cls.tech, cls.other_tech = cls._create_technicians(cls.zone)
        cls.technician = cls.tech.user_id
        cls.dispatcher = new_test_user(
            cls.env, login="as_role_dispatcher", name="Dora Dispatch", groups=ROLE_GROUPS["dispatcher"]
        )
        cls.accountant = new_test_user(
            cls.env, login="as_role_accountant", name="Carl Counts", groups=ROLE_GROUPS["accountant"]
        )
        cls.contact = cls.env["res.partner"].create({"name": "Walter Washer", "parent_id": cls.customer.id})
        cls.portal_user = new_test_user(
            cls.env, login="as_role_portal", name="Walter Washer", groups="base.group_portal", partner_id=cls.contact.id
        )
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_repair")
        cls.ticket = cls._ticket_for(cls.customer, "Machine does not drain")
        cls.visit = cls.env["aftersales.visit"].create(
            {
                "ticket_id": cls.ticket.id,
                "visit_type_id": cls.visit_type.id,
                "technician_id": cls.tech.id,
                "scheduled_start": datetime(2026, 6, 9, 10, 0),
                "assignment_forced": True,
                "assignment_forced_reason": "Only technician free that day",
            }
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Olga Oven", "is_company": True})
        cls.other_ticket = cls._ticket_for(cls.other_customer, "Oven does not heat")
        cls.rule = cls.env["aftersales.commission.rule"].create({"name": "Repairs", "fixed_amount": 20.0})

    @classmethod
    def _ticket_for(cls, partner, name):
        return cls.env["aftersales.ticket"].create(
            {"name": name, "partner_id": partner.id, "team_id": cls.team.id, "ticket_type_id": cls.type_repair.id}
        )

    def _sla_vals(self):
        return {"name": "Gold", "team_id": self.team.id, "calendar_id": self.calendar.id, "resolution_hours": 4.0}

    def _assert_refused(self, user, model, operations):
        """``user`` gets an AccessError for each of ``operations`` on ``model``."""
        for operation in operations:
            with self.subTest(model=model, operation=operation), self.assertRaises(AccessError):
                self.env[model].with_user(user).check_access(operation)

    def _assert_allowed(self, user, model, operations):
        for operation in operations:
            with self.subTest(model=model, operation=operation):
                self.env[model].with_user(user).check_access(operation)

    def _visible_menus(self, user, module, depth=2):
        """External ids of ``module`` of the After-Sales menus ``user`` sees, down to ``depth`` levels:
        those visible with all their parents, as the web client shows them."""
        root = self.env.ref("aftersales_service.aftersales_menu_root")
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        menus = self.env["ir.ui.menu"].with_context(active_test=False).search([("id", "child_of", root.id)])
        shown = {root: 0} if root.id in visible else {}
        for menu in menus.sorted("parent_path"):
            if menu != root and menu.parent_id in shown and menu.id in visible:
                shown[menu] = shown[menu.parent_id] + 1
        xmlids = menus.get_external_id()
        prefix = f"{module}."
        return {
            xmlids[menu.id].removeprefix(prefix)
            for menu, level in shown.items()
            if level <= depth and xmlids.get(menu.id, "").startswith(prefix)
        }


@tagged("post_install", "-at_install")
class TestSecurityRoles(RolesCommon):
    def test_technician(self):
        """Technicians work on their own visits and see only those visits' tickets."""
        visit = self.visit.with_user(self.technician)
        visit.write({"work_report": "<p>Drain pump replaced.</p>"})
        with Form(visit) as form:
            form.time_spent = 1.5
        self.assertEqual(Form(self.ticket.with_user(self.technician)).name, "Machine does not drain")
        self.assertEqual(visit.ticket_id.with_user(self.technician).name, "Machine does not drain")
        Ticket = self.env["aftersales.ticket"].with_user(self.technician)
        self.assertEqual(Ticket.search([("id", "in", (self.ticket | self.other_ticket).ids)]), self.ticket)
        with self.assertRaises(AccessError):
            self.other_ticket.with_user(self.technician).read(["name"])
        with self.assertRaises(AccessError):
            Ticket.create({"name": "Mine", "partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            self.env["aftersales.sla.policy"].with_user(self.technician).create(self._sla_vals())
        with self.assertRaises(AccessError):
            self.rule.with_user(self.technician).write({"fixed_amount": 200.0})
        self._assert_refused(self.technician, "aftersales.visit", ["create", "unlink"])
        self._assert_refused(self.technician, "aftersales.team", ["write", "create"])
        self._assert_refused(self.technician, "aftersales.ticket.kpi", ["read"])
        self._assert_refused(self.technician, "aftersales.report.export", ["create"])
        self._assert_refused(self.technician, "aftersales.visit.plan", ["create"])

    def test_agent(self):
        """Agents take the requests: tickets and visits, never the configuration."""
        Ticket = self.env["aftersales.ticket"].with_user(self.agent)
        ticket = Ticket.create({"name": "Noisy spin", "partner_id": self.customer.id, "team_id": self.team.id})
        ticket.write({"priority": "2", "user_id": self.agent.id})
        self.env["aftersales.visit"].with_user(self.agent).create(
            {"ticket_id": ticket.id, "visit_type_id": self.visit_type.id}
        )
        self.assertEqual(len(Ticket.search([("id", "in", (self.ticket | self.other_ticket).ids)])), 2)
        with self.assertRaises(AccessError):
            ticket.unlink()
        with self.assertRaises(AccessError):
            self.env["aftersales.sla.policy"].with_user(self.agent).create(self._sla_vals())
        with self.assertRaises(AccessError):
            self.rule.with_user(self.agent).write({"fixed_amount": 200.0})
        # agents are technicians too: they read their own commissions only
        self.assertFalse(self.env["aftersales.commission"].with_user(self.agent).search([]))
        self._assert_refused(self.agent, "aftersales.ticket.stage", ["write", "create"])
        self._assert_refused(self.agent, "aftersales.visit.plan", ["create"])
        self._assert_refused(self.agent, "aftersales.commission.period", ["write", "create"])
        self._assert_refused(self.agent, "aftersales.ticket.kpi", ["read"])

    def test_dispatcher(self):
        """Dispatchers plan and assign the visits and read the commissions, but configure nothing."""
        visit = (
            self.env["aftersales.visit"]
            .with_user(self.dispatcher)
            .create({"ticket_id": self.other_ticket.id, "visit_type_id": self.visit_type.id})
        )
        visit.write(
            {
                "technician_id": self.other_tech.id,
                "scheduled_start": datetime(2026, 6, 9, 14, 0),
                "assignment_forced": True,
                "assignment_forced_reason": "The customer asked for him",
            }
        )
        self._assert_allowed(self.dispatcher, "aftersales.visit.plan", ["create"])
        self._assert_allowed(self.dispatcher, "aftersales.commission", ["read"])
        with self.assertRaises(AccessError):
            self.rule.with_user(self.dispatcher).write({"fixed_amount": 200.0})
        with self.assertRaises(AccessError):
            self.env["aftersales.sla.policy"].with_user(self.dispatcher).create(self._sla_vals())
        self._assert_refused(self.dispatcher, "aftersales.ticket", ["unlink"])
        self._assert_refused(self.dispatcher, "aftersales.kpi.overview", ["create"])

    def test_manager(self):
        """Managers configure the service and read the KPIs."""
        policy = self.env["aftersales.sla.policy"].with_user(self.manager).create(self._sla_vals())
        self.assertEqual(policy.name, "Gold")
        self.rule.with_user(self.manager).write({"fixed_amount": 25.0})
        self._assert_allowed(self.manager, "aftersales.ticket.kpi", ["read"])
        self._assert_allowed(self.manager, "aftersales.team", ["write", "create"])
        self._assert_allowed(self.manager, "aftersales.ticket", ["unlink"])

    def test_accountant(self):
        """Accountants read the operations and commissions, change none, and export the reports."""
        Ticket = self.env["aftersales.ticket"].with_user(self.accountant)
        self.assertEqual(len(Ticket.search([("id", "in", (self.ticket | self.other_ticket).ids)])), 2)
        self.assertEqual(self.visit.with_user(self.accountant).technician_id, self.tech)
        # their forms open: nothing in them is out of the accountant's reach
        self.assertEqual(Form(self.ticket.with_user(self.accountant)).name, "Machine does not drain")
        self.assertEqual(Form(self.visit.with_user(self.accountant)).technician_id, self.tech)
        self.assertTrue(self.accountant.has_group("account.group_account_invoice"))
        self._assert_allowed(self.accountant, "aftersales.visit.line", ["read"])
        self._assert_allowed(self.accountant, "aftersales.commission", ["read"])
        self._assert_allowed(self.accountant, "aftersales.report.export", ["create"])
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.accountant).write({"priority": "3"})
        with self.assertRaises(AccessError):
            Ticket.create({"name": "Not mine", "partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            self.visit.with_user(self.accountant).write({"work_report": "<p>No.</p>"})
        with self.assertRaises(AccessError):
            self.rule.with_user(self.accountant).write({"fixed_amount": 200.0})
        self._assert_refused(self.accountant, "aftersales.visit.line", ["write", "create", "unlink"])
        self._assert_refused(self.accountant, "aftersales.sla.policy", ["read"])
        self._assert_refused(self.accountant, "aftersales.ticket.kpi", ["read"])

    def test_portal_customer(self):
        """Portal customers read their company's tickets only, and change nothing through the ORM."""
        Ticket = self.env["aftersales.ticket"].with_user(self.portal_user)
        self.assertEqual(Ticket.search([]), self.ticket)
        with self.assertRaises(AccessError):
            self.other_ticket.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            Ticket.create({"name": "Direct", "partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.portal_user).write({"priority": "3"})
        self._assert_refused(self.portal_user, "aftersales.sla.policy", ["read"])
        self._assert_refused(self.portal_user, "aftersales.commission", ["read"])

    def test_groups_in_settings(self):
        """The roles sit under Services in the user form: one field per category, each level on top of
        the one before it."""
        services = self.env.ref("base.module_category_services")
        level = self.env.ref("aftersales_service.module_category_aftersales")
        billing = self.env.ref("aftersales_service.module_category_aftersales_billing")
        self.assertEqual((level | billing).parent_id, services)
        chain = [self.env.ref(ROLE_GROUPS[role]) for role in ("technician", "agent", "dispatcher", "manager")]
        self.assertEqual(self.env["res.groups"].search([("category_id", "=", level.id)]), sum(chain[1:], chain[0]))
        self.assertIn(self.env.ref("base.group_user"), chain[0].implied_ids)
        for lower, upper in zip(chain, chain[1:], strict=False):
            with self.subTest(group=upper.name):
                self.assertIn(lower, upper.implied_ids)
                self.assertIn(chain[0], upper.trans_implied_ids)
        accountant_group = self.env.ref(ROLE_GROUPS["accountant"])
        self.assertEqual(self.env["res.groups"].search([("category_id", "=", billing.id)]), accountant_group)
        self.assertIn(self.env.ref("account.group_account_invoice"), accountant_group.implied_ids)
        self.assertNotIn(chain[0], accountant_group.trans_implied_ids, "an accountant is no technician")
        # the user form shows a field for each category
        self.env["res.groups"]._update_user_groups_view()
        arch = self.env.ref("base.user_groups_view").arch
        for groups in (sum(chain[1:], chain[0]), accountant_group):
            with self.subTest(category=groups.category_id.name):
                self.assertIn(f'name="{name_selection_groups(groups.ids)}"', arch)

    def test_visit_form_for_every_role(self):
        """Every role that reads visits opens their form; the installation card is for technicians and up."""
        visit_type = self.env.ref("aftersales_service.visit_type_installation")
        installation = self.env["aftersales.visit"].create(
            {"ticket_id": self.ticket.id, "visit_type_id": visit_type.id}
        )
        card = installation.installation_card_id
        self.assertTrue(card)
        with self.assertRaises(AccessError):
            card.with_user(self.accountant).check_access("read")
        for user, shown in ((self.accountant, False), (self.agent, True)):
            with self.subTest(user=user.login):
                visit = installation.with_user(user)
                self.assertEqual(Form(visit).ticket_id, self.ticket)
                arch = visit.get_views([(False, "form")])["views"]["form"]["arch"]
                self.assertEqual('name="action_view_installation_card"' in arch, shown)
        self.assertEqual(installation.with_user(self.agent).action_view_installation_card()["res_id"], card.id)

    def test_menus(self):
        """Each role sees its own After-Sales menus, and nothing more."""
        technician = {
            "aftersales_menu_root",
            "aftersales_ticket_menu_main",
            "aftersales_ticket_menu",
            "aftersales_ticket_menu_my",
            "aftersales_csat_menu",
            "aftersales_visit_menu_my",
            "aftersales_commission_menu_my",
            "aftersales_knowledge_menu",
            "aftersales_bulletin_menu_my",
            "aftersales_solution_menu",
            "aftersales_fault_code_menu",
        }
        agent = technician | {
            "aftersales_team_menu_overview",
            "aftersales_dispatch_menu",
            "aftersales_visit_menu",
            "aftersales_technician_menu",
            "aftersales_installation_card_menu",
            "aftersales_followup_menu_main",
            "aftersales_followup_menu",
            "aftersales_care_log_menu",
            "aftersales_ticket_escalation_menu",
            "aftersales_network_menu",
            "aftersales_branch_menu_network",
            "aftersales_dealer_menu",
            "aftersales_network_call_menu",
            "aftersales_scorecard_menu",
            "aftersales_scorecard_line_menu",
            "aftersales_quality_review_menu",
            "aftersales_improvement_action_menu",
        }
        dispatcher = agent | {
            "aftersales_visit_menu_dispatch",
            "aftersales_visit_plan_menu",
            "aftersales_commission_period_menu",
            "aftersales_commission_menu",
            "aftersales_service_partner_menu",
            "aftersales_partner_settlement_menu",
            "aftersales_partner_dispute_menu",
        }
        manager = dispatcher | {
            "aftersales_audit_log_menu",
            "aftersales_partner_rate_menu",
            "aftersales_partner_penalty_menu",
            "aftersales_reporting_menu",
            "aftersales_kpi_overview_menu",
            "aftersales_ticket_kpi_menu",
            "aftersales_technician_kpi_menu",
            "aftersales_ticket_menu_analysis",
            "aftersales_commission_menu_analysis",
            "aftersales_failure_report_menu",
            "aftersales_batch_alert_menu",
            "aftersales_unit_event_menu",
            "aftersales_report_export_menu",
            "aftersales_config_menu",
            "aftersales_team_menu",
            "aftersales_sla_policy_menu",
            "aftersales_routing_rule_menu",
            "aftersales_zone_menu",
            "aftersales_visit_type_menu",
            "aftersales_commission_rule_menu",
            "aftersales_ticket_type_menu",
            "aftersales_care_rule_menu",
            "aftersales_call_rule_menu",
            "aftersales_ticket_stage_menu",
            "aftersales_ticket_tag_menu",
            "aftersales_fault_code_menu_config",
            "aftersales_solution_menu_config",
            "aftersales_bulletin_menu",
            "aftersales_bulletin_plan_menu",
            "aftersales_bulletin_read_menu",
            "aftersales_scorecard_measure_menu",
            "aftersales_quality_draw_menu",
        }
        accountant = {
            "aftersales_menu_root",
            "aftersales_ticket_menu_main",
            "aftersales_ticket_menu",
            "aftersales_dispatch_menu",
            "aftersales_visit_menu",
            "aftersales_commission_menu",
            "aftersales_partner_settlement_menu",
            "aftersales_reporting_menu",
            "aftersales_report_export_menu",
            "aftersales_audit_log_menu",
        }
        expected = [
            (self.technician, technician),
            (self.agent, agent),
            (self.dispatcher, dispatcher),
            (self.manager, manager),
            (self.accountant, accountant),
        ]
        for user, menus in expected:
            with self.subTest(user=user.login):
                self.assertEqual(self._visible_menus(user, "aftersales_service"), menus)
        # the settings need the administrator's rights as well
        admin_manager = new_test_user(
            self.env,
            login="as_role_admin",
            name="Ada Admin",
            groups=f"{ROLE_GROUPS['manager']},base.group_system",
        )
        self.assertIn("aftersales_config_settings_menu", self._visible_menus(admin_manager, "aftersales_service"))

    def test_multi_company(self):
        """A role's rights stop at its companies."""
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        foreign = self.env["aftersales.ticket"].create(
            {"name": "Elsewhere", "partner_id": self.customer.id, "company_id": other_company.id, "team_id": False}
        )
        for user in (self.agent, self.accountant, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                foreign.with_user(user).read(["name"])
        self.agent.write({"company_ids": [Command.link(other_company.id)]})
        self.assertEqual(foreign.with_user(self.agent).with_company(other_company).name, "Elsewhere")
