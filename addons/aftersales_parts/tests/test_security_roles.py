from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.base.models.res_users import name_selection_groups

from .common import PartsCommon, RmaCommon

CLERK = "aftersales_parts.aftersales_parts_group_clerk"
ACCOUNTANT = "aftersales_service.aftersales_service_group_accountant"
# the agents, the clerks and the accountants follow the units at the service centre
AFTERSALES_MODULES = ("aftersales_service", "aftersales_warranty", "aftersales_parts")


def visible_menus(env, user, depth=2):
    """External ids of the After-Sales menus ``user`` sees, down to ``depth`` levels under the root:
    those visible with all their parents, as the web client shows them."""
    root = env.ref("aftersales_service.aftersales_menu_root")
    visible = env["ir.ui.menu"].with_user(user)._visible_menu_ids()
    menus = env["ir.ui.menu"].with_context(active_test=False).search([("id", "child_of", root.id)])
    shown = {root: 0} if root.id in visible else {}
    for menu in menus.sorted("parent_path"):
        if menu != root and menu.parent_id in shown and menu.id in visible:
            shown[menu] = shown[menu.parent_id] + 1
    xmlids = menus.get_external_id()
    return {
        xmlids[menu.id]
        for menu, level in shown.items()
        if level <= depth and xmlids.get(menu.id, "").split(".")[0] in AFTERSALES_MODULES
    }


@tagged("post_install", "-at_install")
class TestPartsClerkRole(PartsCommon):
    """The parts clerk fills the vans and handles the defective parts, and manages no ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="as_role_clerk", name="Pia Parts", groups=f"{CLERK},stock.group_production_lot"
        )
        cls.technician = cls.tech_a.user_id
        cls.old_board = cls.env["stock.lot"].create(
            {"name": "CB-ROLE-1", "product_id": cls.board.id, "company_id": cls.company.id}
        )

    def test_clerk_fills_the_van(self):
        request = (
            self.env["aftersales.parts.request"]
            .with_user(self.clerk)
            .create(
                {
                    "technician_id": self.tech_a.id,
                    "line_ids": [Command.create({"product_id": self.pump.id, "quantity": 3.0})],
                }
            )
        )
        request.action_request()
        self.assertEqual(Form(request).technician_id, self.tech_a)
        self._validate(request.picking_id.with_user(self.clerk))
        self.assertEqual(request.state, "done")
        self.assertEqual(self._van_quantity(), 3.0)
        with self.assertRaises(AccessError):
            request.unlink()

    def test_clerk_creates_the_vans(self):
        with self.assertRaises(AccessError):
            self.tech_b.with_user(self.technician).action_aftersales_create_van_location()
        with self.assertRaises(AccessError):
            self.tech_b.with_user(self.tech_b.user_id).action_aftersales_create_van_location()
        self.assertFalse(self.tech_b.van_location_id)
        self.tech_b.with_user(self.clerk).action_aftersales_create_van_location()
        self.assertEqual(self.tech_b.van_location_id.location_id, self.warehouse.view_location_id)
        with self.assertRaises(AccessError):
            self.tech_b.with_user(self.clerk).write({"daily_capacity": 9})

    def test_clerk_serves_every_technician(self):
        """Technicians see their own requests; the clerk sees them all."""
        own = self.env["aftersales.parts.request"].with_user(self.technician).create({"technician_id": self.tech_a.id})
        other = self.env["aftersales.parts.request"].create({"technician_id": self.tech_b.id})
        Request = self.env["aftersales.parts.request"]
        self.assertEqual(Request.with_user(self.technician).search([("id", "in", (own | other).ids)]), own)
        self.assertEqual(Request.with_user(self.clerk).search([("id", "in", (own | other).ids)]), own | other)
        with self.assertRaises(AccessError):
            other.with_user(self.technician).read(["name"])
        line = self.env["aftersales.parts.request.line"].create(
            {"request_id": other.id, "product_id": self.pump.id, "quantity": 1.0}
        )
        with self.assertRaises(AccessError):
            line.with_user(self.technician).write({"quantity": 5.0})
        line.with_user(self.clerk).write({"quantity": 2.0})
        self.assertEqual(line.quantity, 2.0)

    def test_clerk_handles_defective_parts(self):
        visit = self._start_visit([])
        visit.part_ids = [Command.create({"product_id": self.board.id, "lot_id": self.old_board.id, "removed": True})]
        self._finish_visit(visit)
        part = visit.part_ids.with_user(self.clerk)
        self._validate(part.move_id.picking_id.with_user(self.clerk))
        part.action_aftersales_scrap()
        self.assertEqual(part.defective_state, "scrapped")
        # reads what the parts are for, changes none of it
        self.assertEqual(part.visit_id.ticket_id.name, visit.ticket_id.name)
        self.assertEqual(Form(visit.with_user(self.clerk)).technician_id, self.tech_a)
        self.assertEqual(Form(visit.ticket_id.with_user(self.clerk)).name, visit.ticket_id.name)
        with self.assertRaises(AccessError):
            visit.with_user(self.clerk).write({"work_report": "<p>No.</p>"})
        with self.assertRaises(AccessError):
            visit.ticket_id.with_user(self.clerk).write({"priority": "3"})
        with self.assertRaises(AccessError):
            part.unlink()

    def test_clerk_opens_technicians_and_visits(self):
        """The clerk opens the technicians (their skills, not their satisfaction answers) and the visits."""
        skill = self.env["aftersales.technician.skill"].create(
            {"technician_id": self.tech_a.id, "product_category_id": self.board.categ_id.id, "level": "3"}
        )
        technician = self.tech_a.with_user(self.clerk)
        form = Form(technician)
        self.assertEqual(form.user_id, self.technician)
        self.assertIn(skill.id, form.skill_ids.ids)
        arch = technician.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="action_view_csat_answers"', arch)
        with self.assertRaises(AccessError):
            skill.with_user(self.clerk).write({"level": "1"})
        visit = self._start_visit([])
        accountant = new_test_user(self.env, login="as_role_visit_acc", name="Abe Accounts", groups=ACCOUNTANT)
        for user in (self.clerk, accountant):
            with self.subTest(user=user.login):
                self.assertEqual(Form(visit.with_user(user)).technician_id, self.tech_a)

    def test_clerk_stays_out_of_the_rest(self):
        for model, operations in (
            ("aftersales.ticket", ["create", "write", "unlink"]),
            ("aftersales.visit", ["create", "write"]),
            ("aftersales.commission", ["read"]),
            ("aftersales.commission.rule", ["read"]),
            ("aftersales.commission.period", ["read"]),
            ("aftersales.sla.policy", ["read"]),
            ("aftersales.visit.line", ["write", "create"]),
            ("aftersales.ticket.kpi", ["read"]),
            ("aftersales.contract", ["read"]),
            ("aftersales.rma.reason", ["write", "create"]),
            ("aftersales.parts.kit.line", ["write", "create"]),
            ("aftersales.report.export", ["create"]),
        ):
            for operation in operations:
                with self.subTest(model=model, operation=operation), self.assertRaises(AccessError):
                    self.env[model].with_user(self.clerk).check_access(operation)

    def test_technician_parts_rights(self):
        request = (
            self.env["aftersales.parts.request"]
            .with_user(self.technician)
            .create(
                {
                    "technician_id": self.tech_a.id,
                    "line_ids": [Command.create({"product_id": self.pump.id, "quantity": 1.0})],
                }
            )
        )
        request.action_request()
        self.assertEqual(request.state, "requested")
        for model, operation in (("aftersales.rma", "write"), ("aftersales.rma.reason", "create")):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.technician).check_access(operation)

    def test_menus(self):
        """Each role sees the After-Sales menus of its job, over the three addons."""
        service = "aftersales_service."
        clerk = {
            f"{service}aftersales_menu_root",
            f"{service}aftersales_dispatch_menu",
            f"{service}aftersales_visit_menu",
            f"{service}aftersales_technician_menu",
            "aftersales_warranty.aftersales_warranty_menu_main",
            "aftersales_warranty.aftersales_supplier_claim_menu",
            "aftersales_parts.aftersales_parts_menu",
            "aftersales_parts.aftersales_parts_request_menu",
            "aftersales_parts.stock_quant_menu_aftersales_van",
            "aftersales_parts.aftersales_visit_part_menu_defective",
            "aftersales_parts.aftersales_rma_menu",
            "aftersales_parts.aftersales_rma_menu_supplier",
            "aftersales_parts.aftersales_carry_in_menu_root",
            "aftersales_parts.aftersales_carry_in_menu",
            "aftersales_parts.aftersales_part_warranty_menu",
            "aftersales_parts.aftersales_carry_in_repair_menu",
        }
        self.assertEqual(visible_menus(self.env, self.clerk), clerk)
        accountant = new_test_user(self.env, login="as_role_acc", name="Abe Accounts", groups=ACCOUNTANT)
        self.assertEqual(
            {xmlid for xmlid in visible_menus(self.env, accountant) if not xmlid.startswith(service)},
            {
                "aftersales_warranty.aftersales_warranty_menu_main",
                "aftersales_warranty.aftersales_warranty_menu",
                "aftersales_warranty.aftersales_warranty_extension_menu",
                "aftersales_warranty.aftersales_contract_menu",
                "aftersales_warranty.aftersales_campaign_menu",
                "aftersales_warranty.aftersales_supplier_claim_menu",
                "aftersales_warranty.aftersales_visit_line_menu_warranty_cost",
                "aftersales_warranty.aftersales_supplier_settlement_report_menu",
                "aftersales_warranty.aftersales_contract_revenue_menu",
                "aftersales_parts.aftersales_rma_menu",
                "aftersales_parts.aftersales_rma_menu_supplier",
                "aftersales_parts.aftersales_carry_in_menu_root",
                "aftersales_parts.aftersales_carry_in_menu",
                "aftersales_parts.aftersales_part_warranty_menu",
                "aftersales_parts.aftersales_carry_in_menu_analysis",
            },
        )
        self.assertEqual(
            {xmlid for xmlid in visible_menus(self.env, self.technician) if not xmlid.startswith(service)},
            {
                "aftersales_parts.aftersales_parts_menu",
                "aftersales_parts.aftersales_parts_request_menu",
                "aftersales_parts.stock_quant_menu_aftersales_van",
                "aftersales_parts.aftersales_carry_in_menu_root",
                "aftersales_parts.aftersales_carry_in_menu",
            },
        )
        agent = new_test_user(
            self.env, login="as_role_agent", name="Ann Agent", groups="aftersales_service.aftersales_service_group_user"
        )
        self.assertEqual(
            {xmlid for xmlid in visible_menus(self.env, agent) if not xmlid.startswith(service)},
            {
                "aftersales_warranty.aftersales_warranty_menu_main",
                "aftersales_warranty.aftersales_warranty_menu",
                "aftersales_warranty.aftersales_warranty_extension_menu",
                "aftersales_warranty.aftersales_contract_menu",
                "aftersales_warranty.aftersales_campaign_menu",
                "aftersales_warranty.aftersales_campaign_line_menu",
                "aftersales_warranty.aftersales_supplier_claim_menu",
                "aftersales_parts.aftersales_parts_menu",
                "aftersales_parts.aftersales_parts_request_menu",
                "aftersales_parts.stock_quant_menu_aftersales_van",
                "aftersales_parts.aftersales_visit_part_menu_defective",
                "aftersales_parts.aftersales_rma_menu",
                "aftersales_parts.aftersales_rma_menu_supplier",
                "aftersales_parts.aftersales_carry_in_menu_root",
                "aftersales_parts.aftersales_carry_in_menu",
                "aftersales_parts.aftersales_part_warranty_menu",
                "aftersales_parts.aftersales_dealer_stock_report_menu",
                "aftersales_parts.aftersales_sell_through_report_menu",
                "aftersales_parts.aftersales_rma_menu_dealer",
            },
        )
        manager = new_test_user(
            self.env,
            login="as_role_manager",
            name="Max Manager",
            groups="aftersales_service.aftersales_service_group_manager",
        )
        manager_menus = visible_menus(self.env, manager)
        self.assertTrue(
            {
                "aftersales_warranty.aftersales_warranty_menu_expiring",
                "aftersales_warranty.aftersales_warranty_policy_menu",
                "aftersales_warranty.aftersales_supplier_settlement_report_menu",
                "aftersales_parts.aftersales_rma_reason_menu",
                "aftersales_parts.aftersales_rma_report_menu_root",
            }
            <= manager_menus
        )
        self.assertNotIn("aftersales_parts.aftersales_rma_reason_menu", visible_menus(self.env, accountant))

    def test_clerk_in_settings(self):
        """The clerk is a category of its own under Services, with the Inventory user's rights and no ticket's."""
        group = self.env.ref(CLERK)
        self.assertEqual(group.category_id.parent_id, self.env.ref("base.module_category_services"))
        self.assertEqual(self.env["res.groups"].search([("category_id", "=", group.category_id.id)]), group)
        self.assertIn(self.env.ref("stock.group_stock_user"), group.implied_ids)
        self.assertNotIn(
            self.env.ref("aftersales_service.aftersales_service_group_technician"), group.trans_implied_ids
        )
        self.env["res.groups"]._update_user_groups_view()
        arch = self.env.ref("base.user_groups_view").arch
        self.assertIn(f'name="{name_selection_groups(group.ids)}"', arch)


@tagged("post_install", "-at_install")
class TestRmaRoles(RmaCommon):
    """Parts clerks receive and inspect the returns; accountants approve and refund them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="as_role_rma_clerk", name="Pia Parts", groups=f"{CLERK},stock.group_production_lot"
        )
        cls.accountant = new_test_user(cls.env, login="as_role_rma_acc", name="Abe Accounts", groups=ACCOUNTANT)

    def test_clerk_receives_and_inspects(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        with self.assertRaises(AccessError):
            rma.with_user(self.clerk).action_approve()
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.with_user(self.clerk).return_picking_ids
        self._validate(receipt)
        self.assertEqual(rma.state, "received")
        self.assertEqual(Form(rma.with_user(self.clerk)).partner_id, self.customer)
        line = rma.line_ids.with_user(self.clerk)
        line.write({"condition": "good", "decision": "stock"})
        line.action_inspect()
        self.assertTrue(line.decision_applied)
        with self.assertRaises(AccessError):
            rma.with_user(self.clerk)._refund()
        with self.assertRaises(AccessError):
            rma.with_user(self.clerk).unlink()
        self.assertFalse(rma.refund_ids)

    def test_accountant_approves_and_refunds(self):
        self.company.aftersales_rma_approval_amount = 150.0
        rma = self._rma([(self.box_move, 2.0, {})])
        with self.assertRaisesRegex(UserError, "manager or accountant"):
            rma.with_user(self.rma_user).action_approve()
        rma.with_user(self.accountant).action_approve()
        self.assertEqual(rma.state, "approved")
        self._validate(rma.sudo().return_picking_ids.with_user(self.clerk))
        rma.with_user(self.accountant)._refund("Refund agreed on the phone")
        self.assertEqual(rma.refund_ids.move_type, "out_refund")
        self.assertEqual(rma.refund_ids.amount_untaxed, 200.0)
        # the credit note is the accountant's to post
        rma.refund_ids.with_user(self.accountant).action_post()
        self.assertEqual(rma.refund_ids.state, "posted")

    def test_accountant_changes_no_operation(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        Rma = self.env["aftersales.rma"].with_user(self.accountant)
        self.assertEqual(Rma.search([("id", "=", rma.id)]), rma)
        self.assertEqual(Form(rma.with_user(self.accountant)).partner_id, self.customer)
        with self.assertRaises(AccessError):
            Rma.create({"partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            rma.with_user(self.accountant).unlink()
        with self.assertRaises(AccessError):
            rma.with_user(self.accountant).write({"description": "<p>Changed by the accountant.</p>"})
        for action in ("action_reject", "action_cancel", "action_done", "action_draft"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(rma.with_user(self.accountant), action)()
        self.assertEqual(rma.state, "draft")
        with self.assertRaises(AccessError):
            rma.with_user(self.accountant).line_ids.unlink()
        with self.assertRaises(AccessError):
            rma.with_user(self.accountant).line_ids.write({"condition": "good"})
        for model, operation in (
            ("aftersales.parts.request", "write"),
            ("aftersales.rma.reason", "write"),
            ("aftersales.warranty", "write"),
            ("aftersales.contract", "write"),
            ("aftersales.ticket", "write"),
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.accountant).check_access(operation)
        self.env["aftersales.warranty"].with_user(self.accountant).check_access("read")
        self.env["aftersales.contract"].with_user(self.accountant).check_access("read")

    def test_status_only_through_the_actions(self):
        """Nobody skips the approval by writing the status; the clerk leaves the customers' returns to the agents."""
        rma = self._rma([(self.box_move, 1.0, {})])
        self.assertFalse(rma.with_user(self.clerk).can_approve)
        self.assertFalse(rma.with_user(self.clerk).can_handle)
        self.assertTrue(rma.with_user(self.accountant).can_approve)
        self.assertFalse(rma.with_user(self.accountant).can_handle)
        self.assertTrue(rma.with_user(self.rma_user).can_handle)
        for user in (self.clerk, self.rma_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                rma.with_user(user).write({"state": "approved"})
        self.assertEqual(rma.state, "draft")
        self.assertFalse(rma.return_picking_ids)
        for action in ("action_reject", "action_cancel"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(rma.with_user(self.clerk), action)()
        rma.with_user(self.clerk).write({"description": "<p>Box dented.</p>"})
        rma.with_user(self.rma_user).action_cancel()
        self.assertEqual(rma.state, "cancelled")
        with self.assertRaises(AccessError):
            rma.with_user(self.clerk).action_draft()
        rma.with_user(self.rma_user).action_draft()
        self.assertEqual(rma.state, "draft")
        rma.with_user(self.rma_user).action_approve()
        self._validate(rma.return_picking_ids.with_user(self.clerk))
        self.assertEqual(rma.state, "received")
        with self.assertRaises(AccessError):
            rma.with_user(self.clerk).action_done()
        rma.with_user(self.rma_user).action_done()
        self.assertEqual(rma.state, "done")

    def test_portal_customer_returns(self):
        """Portal customers read their own returns and change them only through the portal."""
        contact = self.env["res.partner"].create({"name": "Wendy's buyer", "parent_id": self.customer.id})
        portal = new_test_user(
            self.env,
            login="as_role_rma_portal",
            name="Wendy's buyer",
            groups="base.group_portal",
            partner_id=contact.id,
        )
        rma = self._rma([(self.box_move, 1.0, {})])
        self.assertEqual(self.env["aftersales.rma"].with_user(portal).search([("id", "=", rma.id)]), rma)
        with self.assertRaises(AccessError):
            rma.with_user(portal).write({"description": "<p>Mine now.</p>"})
        with self.assertRaises(AccessError):
            rma.with_user(portal).action_approve()
