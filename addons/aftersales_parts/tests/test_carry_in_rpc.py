"""Each role tries the carry-in flow by hand, as a client over JSON-RPC would: the guarded fields, the
creations and deletions, the actions and the wizards a role must not use, and the portal pages."""

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common_carry_in import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInRpc(CarryInCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_technician_user = cls.tech_b.user_id
        cls.clerk = new_test_user(cls.env, login="as_rpc_clerk", groups="aftersales_parts.aftersales_parts_group_clerk")
        cls.accountant = new_test_user(
            cls.env, login="as_rpc_accountant", groups="aftersales_service.aftersales_service_group_accountant"
        )
        cls.manager_user = new_test_user(
            cls.env, login="as_rpc_manager", groups="aftersales_service.aftersales_service_group_manager"
        )
        service_point = cls.env["res.partner"].create(
            {"name": "Fix-It Point", "is_company": True, "aftersales_service_partner": True}
        )
        cls.service_partner_user = new_test_user(
            cls.env,
            login="as_rpc_fixit",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"].create({"name": "Felix Fixit", "parent_id": service_point.id}).id,
        )

    def setUp(self):
        super().setUp()
        # Wendy's unit, in repair by Tara (the workshop technician); a draft stay still at the counter
        self.carry_in = self._receive(self._carry_in())
        self._workshop_job(self.carry_in, finish=False)
        self.step = self.env["aftersales.carry.in.step"].create(
            {"carry_in_id": self.carry_in.id, "phase": "intake", "name": "Scratch on the lid", "done": True}
        )
        self.inspection = self.env["aftersales.carry.in.step"].create(
            {"carry_in_id": self.carry_in.id, "phase": "inspection", "name": "Drum turns freely"}
        )

    def _everyone(self):
        return {
            "technician": self.technician_user,
            "other technician": self.other_technician_user,
            "agent": self.agent,
            "parts clerk": self.clerk,
            "accountant": self.accountant,
            "portal": self.portal_user,
            "other portal": self.other_portal_user,
            "service partner": self.service_partner_user,
        }

    def _rpc(self, user, model, method, args, kwargs=None):
        """Call ``method`` of ``model`` as ``user`` through /web/dataset/call_kw; returns the error, if any."""
        self.authenticate(user.login, user.login)
        try:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            )
        except JsonRpcException as error:
            return str(error)
        return None

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    def test_nobody_writes_the_flow_of_a_stay(self):
        carry_in = self.carry_in
        values = {
            "state": "ready",
            "refused": True,
            "refuse_reason": "Too expensive",
            "not_collected": True,
            "ready_date": fields.Datetime.now(),
            "received_by_id": self.manager_user.id,
            "repair_id": False,
            "visit_id": False,
            "delivery_picking_id": carry_in.reception_picking_id.id,
            "handover_signed_by": "Nobody",
            "location_id": self.warehouse.lot_stock_id.id,
        }
        before = carry_in.read(list(values))[0]
        for role, user in self._everyone().items():
            for name, value in values.items():
                with self.subTest(role=role, field=name), self.assertRaises(AccessError):
                    carry_in.with_user(user).write({name: value})
        carry_in.invalidate_recordset()
        self.assertEqual(carry_in.read(list(values))[0], before)

    def test_technician_does_not_archive_nor_reassign_the_stay(self):
        as_technician = self.carry_in.with_user(self.technician_user)
        with self.assertRaises(AccessError):
            as_technician.action_archive()
        with self.assertRaises(AccessError):
            as_technician.write({"user_id": self.technician_user.id})
        self.assertTrue(self.carry_in.active)
        self.assertEqual(self.carry_in.user_id, self.agent)
        # his own fields stay his: the diagnosis and the expected date
        as_technician.write({"diagnosis": "<p>Bearing and seal.</p>", "expected_date": "2026-06-15"})
        self.assertEqual(str(self.carry_in.expected_date), "2026-06-15")

    def test_received_stay_keeps_its_ticket(self):
        other_ticket = self.env["aftersales.ticket"].create(
            {"name": "Another unit", "partner_id": self.other_customer.id, "team_id": self.team.id}
        )
        for user in (self.agent, self.technician_user):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "is received"):
                self.carry_in.with_user(user).write({"ticket_id": other_ticket.id})
        self.assertNotEqual(self.carry_in.ticket_id, other_ticket)

    def test_guarded_write_over_json_rpc(self):
        for user in (self.agent, self.technician_user):
            error = self._rpc(user, "aftersales.carry.in", "write", [[self.carry_in.id], {"state": "ready"}])
            self.assertIn("AccessError", error or "")
        self.assertEqual(self.carry_in.state, "in_repair")
        error = self._rpc(self.agent, "aftersales.carry.in", "_cron_flag_not_collected", [])
        self.assertIn("AccessError", error or "")
        error = self._rpc(self.agent, "aftersales.carry.in", "_set_stage", [[self.carry_in.id], "ready"])
        self.assertIn("AccessError", error or "")
        self.assertEqual(self.carry_in.state, "in_repair")

    def test_repair_order_and_workshop_flag_are_not_written(self):
        repair = self.carry_in.repair_id
        visit = self.carry_in.visit_id
        other = self._carry_in(lot=self.env["stock.lot"].create({"name": "WM7-0099", "product_id": self.product.id}))
        stock_user = new_test_user(self.env, login="as_rpc_stock", groups="stock.group_stock_user")
        for user in (self.clerk, stock_user, self.manager_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                repair.with_user(user).write({"aftersales_carry_in_id": other.id})
        for user in (self.technician_user, self.agent, self.manager_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                visit.with_user(user).write({"workshop": False})
        self.assertEqual(repair.aftersales_carry_in_id, self.carry_in)
        self.assertTrue(visit.workshop)

    def test_part_warranties_are_written_by_the_hand_over_only(self):
        warranty = self.env["aftersales.part.warranty"].create(
            {
                "carry_in_id": self.carry_in.id,
                "partner_id": self.customer.id,
                "unit_product_id": self.product.id,
                "product_id": self.pump.id,
                "start_date": "2026-06-10",
                "end_date": "2026-09-10",
            }
        )
        for role, user in dict(self._everyone(), manager=self.manager_user).items():
            with self.subTest(role=role), self.assertRaises(AccessError):
                warranty.with_user(user).write({"end_date": "2036-09-10"})
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env["aftersales.part.warranty"].with_user(user).create(
                    {
                        "carry_in_id": self.carry_in.id,
                        "partner_id": self.customer.id,
                        "unit_product_id": self.product.id,
                        "product_id": self.pump.id,
                        "start_date": "2026-06-10",
                        "end_date": "2036-09-10",
                    }
                )
        self.assertEqual(warranty.end_date, fields.Date.to_date("2026-09-10"))
        # the manager archives a warranty given by mistake; nobody deletes one
        warranty.with_user(self.manager_user).action_archive()
        self.assertFalse(warranty.active)
        with self.assertRaises(AccessError):
            warranty.with_user(self.manager_user).unlink()
        # the customer reads his warranties, another customer does not
        warranty.action_unarchive()
        self.assertTrue(warranty.with_user(self.portal_user).has_access("read"))
        self.assertFalse(warranty.with_user(self.other_portal_user).has_access("read"))
        self.assertFalse(warranty.with_user(self.service_partner_user).has_access("read"))

    # ------------------------------------------------------------------
    # Creations, deletions, reading
    # ------------------------------------------------------------------

    def test_who_creates_and_deletes_stays_and_checks(self):
        ticket = self.carry_in.ticket_id
        for role in ("technician", "parts clerk", "accountant", "portal", "service partner"):
            user = self._everyone()[role]
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env["aftersales.carry.in"].with_user(user).create({"ticket_id": ticket.id})
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env["aftersales.carry.in.step"].with_user(user).create(
                    {"carry_in_id": self.carry_in.id, "phase": "intake", "name": "Dent"}
                )
        for role, user in self._everyone().items():
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.carry_in.with_user(user).unlink()
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.step.with_user(user).unlink()
        # a received stay is cancelled through a hand-over, never deleted, even by the manager
        with self.assertRaises(UserError):
            self.carry_in.with_user(self.manager_user).unlink()
        self.assertTrue(self.carry_in.exists())

    def test_portal_reads_only_his_company_units_and_never_writes(self):
        draft = self._carry_in(lot=self.env["stock.lot"].create({"name": "WM7-0042", "product_id": self.product.id}))
        CarryIn = self.env["aftersales.carry.in"]
        Step = self.env["aftersales.carry.in.step"]
        self.assertEqual(CarryIn.with_user(self.portal_user).search([]), self.carry_in)
        self.assertEqual(Step.with_user(self.portal_user).search([]), self.step | self.inspection)
        self.assertFalse(draft.with_user(self.portal_user).has_access("read"))
        for user in (self.other_portal_user, self.service_partner_user):
            self.assertFalse(CarryIn.with_user(user).search([]))
            self.assertFalse(Step.with_user(user).search([]))
            with self.assertRaises(AccessError):
                self.carry_in.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            self.carry_in.with_user(self.portal_user).write({"problem": "Changed by the customer"})
        # refused by the intake's lock before the rights (an AccessError is a UserError)
        with self.assertRaises(UserError):
            self.step.with_user(self.portal_user).write({"note": "No scratch at all"})
        with self.assertRaises(UserError):
            self.inspection.with_user(self.portal_user).write({"note": "All good"})
        self.assertFalse(self.inspection.note)
        self.assertFalse(self.step.note)

    def test_technician_reads_and_answers_only_his_jobs_units(self):
        self.assertTrue(self.carry_in.with_user(self.technician_user).has_access("read"))
        self.assertFalse(self.carry_in.with_user(self.other_technician_user).has_access("read"))
        self.inspection.with_user(self.technician_user).write({"done": True, "note": "Turns freely"})
        self.assertTrue(self.inspection.done)
        with self.assertRaises(UserError):
            self.inspection.with_user(self.other_technician_user).write({"done": False})
        # the intake is what the customer signed at the counter
        with self.assertRaises(UserError):
            self.step.with_user(self.technician_user).write({"note": "No scratch"})
        with self.assertRaises(AccessError):
            self.inspection.with_user(self.technician_user).write({"name": "Nothing to check"})
        self.assertEqual(self.inspection.name, "Drum turns freely")

    # ------------------------------------------------------------------
    # Actions and wizards by the wrong role
    # ------------------------------------------------------------------

    def test_actions_by_the_wrong_role(self):
        carry_in = self.carry_in
        draft = self._carry_in(lot=self.env["stock.lot"].create({"name": "WM7-0043", "product_id": self.product.id}))
        with self.assertRaises(AccessError):
            draft.with_user(self.technician_user).action_receive()
        for user in (self.technician_user, self.clerk, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                carry_in.with_user(user).action_hand_over()
        for user in (self.clerk, self.accountant, self.portal_user, self.other_technician_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                carry_in.with_user(user).action_mark_ready()
        for user in (self.technician_user, self.portal_user, self.clerk):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                carry_in.with_user(user).action_assign_technician()
            with self.subTest(user=user.login), self.assertRaises(UserError):
                carry_in.with_user(user).action_accept_estimate()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                carry_in.with_user(user).action_refuse_estimate()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                carry_in.with_user(user).action_cancel()
        self.assertEqual(carry_in.state, "in_repair")
        self.assertEqual(draft.state, "draft")

    def test_accept_estimate_by_technician_or_portal_while_waiting(self):
        carry_in = self._receive(
            self._carry_in(lot=self.env["stock.lot"].create({"name": "WM7-0044", "product_id": self.product.id}))
        )
        carry_in.visit_id.write(
            {"technician_id": self.tech_a.id, "line_ids": [Command.create({"line_type": "labour", "quantity": 1.0})]}
        )
        carry_in.with_user(self.technician_user).diagnosis = "<p>Worn drum bearing.</p>"
        carry_in.with_user(self.technician_user).action_send_estimate()
        self.assertEqual(carry_in.state, "waiting_approval")
        for user in (self.technician_user, self.portal_user, self.clerk, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                carry_in.with_user(user).action_accept_estimate()
        self.assertEqual(carry_in.state, "waiting_approval")
        self.assertFalse(carry_in.repair_id)

    def test_wizards_by_the_wrong_role(self):
        for user in (self.technician_user, self.clerk, self.accountant, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["aftersales.carry.in.sign"].with_user(user).create(
                    {"carry_in_id": self.carry_in.id, "phase": "handover", "signature": b"x", "signed_by": "X"}
                )
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["aftersales.carry.in.refuse"].with_user(user).create(
                    {"carry_in_ids": [Command.set(self.carry_in.ids)], "reason": "Too expensive"}
                )
        self.assertFalse(self.carry_in.handover_signature)
        self.assertFalse(self.carry_in.refused)

    # ------------------------------------------------------------------
    # Portal pages
    # ------------------------------------------------------------------

    def test_portal_pages_of_another_customer(self):
        for user in (self.other_portal_user, self.service_partner_user):
            self.authenticate(user.login, user.login)
            response = self.url_open(f"/my/repairs/{self.carry_in.id}")
            self.assertEqual(response.status_code, 404)
            response = self.url_open("/my/repairs")
            self.assertEqual(response.status_code, 200)
            self.assertNotIn(self.carry_in.name, response.text)
            self.assertNotIn("Scratch on the lid", response.text)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/repairs/{self.carry_in.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.carry_in.name, response.text)
