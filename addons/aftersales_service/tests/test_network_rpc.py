from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import AftersalesCommon

ACTION = "aftersales.improvement.action"


@tagged("post_install", "-at_install")
class TestNetworkRpc(AftersalesCommon, HttpCase):
    """Issue 20's network records tried over JSON-RPC as the roles that may and may not change them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Branch = cls.env["aftersales.branch"]
        cls.north = Branch.create({"name": "RPC North", "code": "SRV-N", "branch_type": "region"})
        cls.north_point = Branch.create(
            {"name": "RPC North Point", "code": "SRV-NP", "branch_type": "service_point", "parent_id": cls.north.id}
        )
        cls.south = Branch.create({"name": "RPC South", "code": "SRV-S", "branch_type": "region"})
        cls.north_agent = new_test_user(
            cls.env,
            login="rpc_north_agent",
            name="Nora North",
            groups="aftersales_service.aftersales_service_group_user",
        )
        cls.north_agent.aftersales_branch_ids = [Command.set(cls.north.ids)]
        # opened by a review of a North job (fixture: the review's button sets the origin)
        cls.action = cls.env[ACTION]._create_from_origin(
            {"name": "Call customers back sooner", "origin": "review", "branch_id": cls.north.id}
        )

    def _call(self, user, model, method, args, kwargs=None):
        """``method`` of ``model`` called as ``user`` over /web/dataset/call_kw: the error's class, or None."""
        self.authenticate(user.login, user.login)
        try:
            with mute_logger("odoo.http"):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
                )
        except JsonRpcException as error:
            return error.args[0]
        return None

    def test_branch_agent_keeps_improvement_action_in_subtree(self):
        """Hole: a regional agent moved an improvement action to another region (or to no branch, where every
        branch sees it) by writing its branch. The branch now changes only within the user's subtree."""
        for branch in (self.south, False):
            with self.subTest(branch=branch and branch.name):
                error = self._call(
                    self.north_agent, ACTION, "write", [self.action.ids, {"branch_id": branch and branch.id}]
                )
                self.assertEqual(error, "odoo.exceptions.AccessError")
                self.action.invalidate_recordset()
                self.assertEqual(self.action.branch_id, self.north)
        # within the region: allowed, and the other fields stay writable
        error = self._call(
            self.north_agent, ACTION, "write", [self.action.ids, {"branch_id": self.north_point.id, "name": "Sooner"}]
        )
        self.assertIsNone(error)
        self.action.invalidate_recordset()
        self.assertEqual((self.action.branch_id, self.action.name), (self.north_point, "Sooner"))
        self.assertIsNone(self._call(self.north_agent, ACTION, "write", [self.action.ids, {"name": "Sooner still"}]))

    def test_headquarters_moves_improvement_action_anywhere(self):
        self.assertIsNone(self._call(self.agent, ACTION, "write", [self.action.ids, {"branch_id": self.south.id}]))
        self.action.invalidate_recordset()
        self.assertEqual(self.action.branch_id, self.south)
        self.assertIsNone(self._call(self.manager, ACTION, "write", [self.action.ids, {"branch_id": False}]))
        self.action.invalidate_recordset()
        self.assertFalse(self.action.branch_id)

    def test_improvement_action_guards_over_rpc(self):
        """Sound: the origin, the state and the closing are the actions' own, whatever the context says."""
        calls = [
            ("write", [self.action.ids, {"state": "done"}], {}),
            ("write", [self.action.ids, {"origin": "call"}], {}),
            ("write", [self.action.ids, {"closed_by_id": self.north_agent.id}], {}),
            ("create", [{"name": "Mine", "origin": "ticket"}], {}),
            ("create", [{"name": "Mine"}], {"context": {"default_origin": "ticket", "default_state": "done"}}),
            ("action_cancel", [self.action.ids], {}),
            ("unlink", [self.action.ids], {}),
        ]
        for method, args, kwargs in calls:
            with self.subTest(method=method, args=args, kwargs=kwargs):
                self.assertTrue(self._call(self.north_agent, ACTION, method, args, kwargs))
        self.action.invalidate_recordset()
        self.assertEqual((self.action.state, self.action.origin), ("open", "review"))
        self.assertEqual(self.env[ACTION].search_count([("name", "=", "Mine")]), 0)

    def test_computed_scorecard_keeps_its_company(self):
        """Hole: a manager of two companies moved a computed scorecard to the other company, whose users then
        read the first company's figures (the lines' company follows the scorecard's)."""
        other = self.env["res.company"].create({"name": "RPC Other Company"})
        self.manager.write({"company_ids": [Command.link(other.id)]})
        Card = self.env["aftersales.scorecard"]
        card = Card.create({"company_id": self.company.id, "period_start": "2026-03-01"})
        self.env["aftersales.scorecard.line"].create(
            {"scorecard_id": card.id, "kind": "branch", "subject_name": "RPC North", "branch_id": self.north.id}
        )
        both = {"context": {"allowed_company_ids": [self.company.id, other.id]}}
        error = self._call(self.manager, "aftersales.scorecard", "write", [card.ids, {"company_id": other.id}], both)
        self.assertEqual(error, "odoo.exceptions.UserError")
        self.env.invalidate_all()
        self.assertEqual((card.company_id, card.line_ids.company_id), (self.company, self.company))
        # a month not computed yet is still moved
        empty = Card.create({"company_id": self.company.id, "period_start": "2026-02-01"})
        self.assertIsNone(
            self._call(self.manager, "aftersales.scorecard", "write", [empty.ids, {"company_id": other.id}], both)
        )
        empty.invalidate_recordset()
        self.assertEqual(empty.company_id, other)

    def test_bulletin_carries_its_own_files_only(self):
        """Hole: headquarters linked another document's attachment (here a customer's contract) to a bulletin,
        whose recipients then got it by e-mail and downloaded it from the portal with a token."""
        hq_manager = new_test_user(
            self.env, login="rpc_hq_manager", groups="aftersales_service.aftersales_service_group_manager"
        )
        contract = self.env["ir.attachment"].create(
            {"name": "contract.txt", "raw": b"confidential", "res_model": "res.partner", "res_id": self.customer.id}
        )
        Bulletin = self.env["aftersales.bulletin"].with_user(hq_manager)
        bulletin = Bulletin.create({"name": "Price list", "audience": "network"})
        own = self.env["ir.attachment"].create(
            {"name": "prices.txt", "raw": b"prices", "res_model": "aftersales.bulletin", "res_id": bulletin.id}
        )
        for command in ([Command.link(contract.id)], [Command.set((own | contract).ids)]):
            with self.subTest(command=command):
                error = self._call(
                    hq_manager, "aftersales.bulletin", "write", [bulletin.ids, {"attachment_ids": command}]
                )
                self.assertEqual(error, "odoo.exceptions.ValidationError")
        error = self._call(
            hq_manager,
            "aftersales.bulletin",
            "create",
            [{"name": "Leak", "audience": "network", "attachment_ids": [Command.set(contract.ids)]}],
        )
        self.assertEqual(error, "odoo.exceptions.ValidationError")
        self.env.invalidate_all()
        self.assertFalse(bulletin.attachment_ids)
        self.assertFalse(contract.access_token)
        # its own file, uploaded on it, is linked
        link = {"attachment_ids": [Command.link(own.id)]}
        self.assertIsNone(self._call(hq_manager, "aftersales.bulletin", "write", [bulletin.ids, link]))
        bulletin.invalidate_recordset()
        self.assertEqual(bulletin.attachment_ids, own)
        # a duplicate keeps the files of the bulletin it copies
        copy = bulletin.with_user(hq_manager).copy()
        self.assertEqual(copy.attachment_ids, own)

    def test_regional_manager_stays_in_region(self):
        """Hole: a regional manager (managers write branches) lifted their own restriction by leaving their
        branch, or took the South by moving it below the North. They now change only the branches below."""
        Branch = "aftersales.branch"
        north_manager = new_test_user(
            self.env, login="rpc_north_manager", groups="aftersales_service.aftersales_service_group_manager"
        )
        north_manager.aftersales_branch_ids = [Command.set(self.north.ids)]
        calls = [
            ("write", [self.north.ids, {"user_ids": [Command.unlink(north_manager.id)]}]),
            ("write", [self.north.ids, {"user_ids": [Command.clear()]}]),
            ("write", [self.south.ids, {"parent_id": self.north.id}]),
            ("write", [self.north.ids, {"child_ids": [Command.link(self.south.id)]}]),
            ("write", [self.north_point.ids, {"parent_id": False}]),
            ("write", [self.south.ids, {"user_ids": [Command.link(north_manager.id)]}]),
            ("create", [{"name": "RPC Island", "code": "SRV-I", "user_ids": [Command.link(north_manager.id)]}]),
            ("unlink", [self.south.ids]),
            # a headquarters branch of their own would lift their restriction too
            ("write", [self.north.ids, {"branch_type": "headquarters"}]),
            ("write", [self.north_point.ids, {"branch_type": "headquarters"}]),
            (
                "create",
                [
                    {
                        "name": "RPC Tower",
                        "code": "SRV-T",
                        "branch_type": "headquarters",
                        "parent_id": self.north.id,
                        "user_ids": [Command.link(north_manager.id)],
                    }
                ],
            ),
        ]
        for method, args in calls:
            with self.subTest(method=method, args=args):
                self.assertEqual(self._call(north_manager, Branch, method, args), "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertEqual(north_manager.aftersales_branch_ids, self.north)
        self.assertFalse(self.south.parent_id)
        self.assertEqual(self.north_point.parent_id, self.north)
        self.assertFalse(self.env[Branch].search_count([("code", "=", "SRV-I")]))
        south_ticket = self.env["aftersales.ticket"].create(
            {"name": "South boiler", "partner_id": self.customer.id, "branch_id": self.south.id}
        )
        self.assertFalse(self.env["aftersales.ticket"].with_user(north_manager).search([("id", "=", south_ticket.id)]))
        # below the North: the regional manager builds and staffs the region
        self.assertIsNone(
            self._call(
                north_manager,
                Branch,
                "create",
                [
                    {
                        "name": "RPC North Point 2",
                        "code": "SRV-NP2",
                        "branch_type": "service_point",
                        "parent_id": self.north.id,
                        "user_ids": [Command.link(self.north_agent.id)],
                    }
                ],
            )
        )
        self.assertIsNone(self._call(north_manager, Branch, "write", [self.north_point.ids, {"name": "RPC Point"}]))
        # headquarters (in no branch) changes the whole network
        hq_manager = new_test_user(
            self.env, login="rpc_hq_tree_manager", groups="aftersales_service.aftersales_service_group_manager"
        )
        self.assertIsNone(self._call(hq_manager, Branch, "write", [self.south.ids, {"parent_id": self.north.id}]))
        self.south.invalidate_recordset()
        self.assertEqual(self.south.parent_id, self.north)
