import logging

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import WarrantyCommon

_logger = logging.getLogger(__name__)

BATCH = "B-2606"
# the most queries launching a campaign may cost per unit (ticket, e-mail, line)
QUERIES_PER_UNIT = 4
NOTE = "The door lock may fail: please do not use the machine until our technician has seen it."


class CampaignCommon(WarrantyCommon):
    """Four units of batch B-2606 delivered through the real sale and stock flows: to Wendy (whose
    warranty is then transferred to Nora), to Bob, to Otto who has no e-mail address, and one to Bob
    that came back; a batch failure alert on the batch; the roles of the campaign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.bob = Partner.create({"name": "Bob Buyer", "email": "bob@example.com", "lang": "en_US"})
        cls.nora = Partner.create({"name": "Nora Newowner", "email": "nora@example.com", "lang": "en_US"})
        cls.otto = Partner.create({"name": "Otto Offline"})
        cls.campaign_manager = new_test_user(
            cls.env,
            login="as_cmp_manager",
            name="Carla Campaign",
            groups="aftersales_service.aftersales_service_group_manager,sales_team.group_sale_salesman",
        )
        cls.campaign_agent = new_test_user(
            cls.env,
            login="as_cmp_agent",
            name="Andy Agent",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman",
        )
        _order, cls.lot_a = cls._sell_and_deliver(cls.customer, cls.product, "WM7-B01")
        _order, cls.lot_b = cls._sell_and_deliver(cls.bob, cls.product, "WM7-B02")
        _order, cls.lot_c = cls._sell_and_deliver(cls.otto, cls.product, "WM7-B03")
        cls.returned_order, cls.lot_r = cls._sell_and_deliver(cls.bob, cls.product, "WM7-B04")
        cls._return(cls.returned_order.picking_ids, cls.lot_r)
        (cls.lot_a | cls.lot_b | cls.lot_c | cls.lot_r).aftersales_batch = BATCH
        # Wendy sold her machine to Nora: the warranty changed hands
        warranty_a = cls.env["aftersales.warranty"].search([("lot_id", "=", cls.lot_a.id)])
        if not warranty_a:
            warranty_a = cls.env["aftersales.warranty"].create(
                {
                    "partner_id": cls.customer.id,
                    "product_id": cls.product.id,
                    "policy_id": cls.policy.id,
                    "lot_id": cls.lot_a.id,
                }
            )
            warranty_a._start()
        cls.warranty_a = warranty_a
        cls.env["aftersales.warranty.transfer"].with_user(cls.campaign_agent).create(
            {"warranty_ids": [Command.set(warranty_a.ids)], "partner_id": cls.nora.id, "note": "Sold with the house"}
        ).action_transfer()
        cls.alert = cls.env["aftersales.batch.alert"].create(
            {
                "batch": BATCH,
                "product_id": cls.product.id,
                "company_id": cls.company.id,
                "threshold": 20.0,
                "failed_units": 2,
                "delivered_units": 4,
                "failure_rate": 50.0,
            }
        )
        cls.visit_type = cls.env["aftersales.visit.type"].create({"name": "Door lock replacement"})

    @classmethod
    def _return(cls, picking, lot):
        wizard = (
            cls.env["stock.return.picking"].with_context(active_id=picking.id, active_model="stock.picking").create({})
        )
        wizard.product_return_moves.quantity = 1.0
        returned = wizard._create_return()
        returned.move_ids.move_line_ids.lot_id = lot
        returned.move_ids.picked = True
        returned.button_validate()
        return returned

    def _recall_from_alert(self):
        """The after-sales manager recalls the batch from its alert and writes to the owners."""
        action = self.alert.with_user(self.campaign_manager).action_create_campaign()
        campaign = self.env["aftersales.campaign"].with_user(self.campaign_manager).browse(action["res_id"])
        campaign.customer_note = f"<p>{NOTE}</p>"
        return campaign

    def _mails(self, tickets):
        return self.env["mail.mail"].search([("model", "=", "aftersales.ticket"), ("res_id", "in", tickets.ids)])


@tagged("post_install", "-at_install")
class TestAftersalesCampaign(CampaignCommon):
    def test_batch_recall_from_alert(self):
        campaign = self._recall_from_alert()
        self.assertEqual(campaign.state, "draft")
        self.assertEqual(campaign.batch_alert_id, self.alert)
        self.assertTrue(campaign.reference.startswith("CMP/"))
        # one line per delivered serial of the batch, the returned one left out
        self.assertEqual(campaign.line_ids.lot_id, self.lot_a | self.lot_b | self.lot_c)
        line_a = campaign.line_ids.filtered(lambda line: line.lot_id == self.lot_a)
        self.assertEqual(line_a.partner_id, self.nora, "the second owner, after the warranty's transfer")
        self.assertEqual(self.alert.campaign_count, 1)

        campaign.action_launch()
        self.assertEqual(campaign.state, "running")
        tickets = campaign.line_ids.ticket_id
        self.assertEqual(len(tickets), 3)
        self.assertEqual(tickets.lot_id, self.lot_a | self.lot_b | self.lot_c)
        self.assertEqual(set(tickets.mapped("channel")), {"campaign"})
        self.assertEqual(tickets.campaign_id, campaign)
        ticket_a = line_a.ticket_id
        self.assertEqual(ticket_a.partner_id, self.nora)

        mails = self._mails(tickets)
        self.assertEqual(mails.recipient_ids, self.nora | self.bob, "each owner with an e-mail gets one")
        self.assertNotIn(self.customer, mails.recipient_ids, "the first owner is not e-mailed")
        mail_a = mails.filtered(lambda mail: mail.res_id == ticket_a.id)
        self.assertIn("door lock may fail", mail_a.body_html)
        self.assertIn(ticket_a.reference, mail_a.body_html)
        self.assertIn("WM7-B01", mail_a.subject)

        line_c = campaign.line_ids.filtered(lambda line: line.lot_id == self.lot_c)
        self.assertEqual(line_c.state, "unreachable", "Otto has no e-mail address")
        self.assertFalse(line_c.notified_date)
        self.assertTrue(line_c.ticket_id, "the unit is still to be fixed: its ticket waits for the agent")
        self.assertEqual(set((campaign.line_ids - line_c).mapped("state")), {"notified"})
        self.assertEqual((campaign.notified_count, campaign.unreachable_count), (2, 1))
        # the unit's history tells it, with the ticket to open
        event = (
            self.env["aftersales.unit.event"]
            .with_user(self.campaign_agent)
            .search([("lot_id", "=", self.lot_a.id), ("kind", "=", "campaign_notice")])
        )
        self.assertEqual(len(event), 1)
        self.assertEqual((event.res_model, event.res_id), ("aftersales.ticket", ticket_a.id))
        self.assertIn(campaign.reference, event.name)

    def test_launch_twice_creates_nothing_twice(self):
        campaign = self._recall_from_alert()
        campaign.action_launch()
        tickets = self.env["aftersales.ticket"].search([("campaign_id", "=", campaign.id)])
        mails = self._mails(tickets)
        self.assertEqual(len(tickets), 3)
        with self.assertRaisesRegex(UserError, "not possible"):
            campaign.action_launch()
        campaign.action_compute_units()
        self.assertEqual(campaign._launch_lines(), 0)
        self.env["aftersales.campaign"]._cron_launch()
        self.assertEqual(self.env["aftersales.ticket"].search([("campaign_id", "=", campaign.id)]), tickets)
        self.assertEqual(self._mails(tickets), mails)
        self.assertEqual(len(campaign.line_ids), 3)

    def test_big_campaign_in_batches(self):
        """The first units are launched at once, the others by the scheduled action, a batch per run."""
        self.env["ir.config_parameter"].set_param("aftersales_warranty.campaign_launch_batch", "2")
        cron = self.env.ref("aftersales_warranty.ir_cron_aftersales_campaign_launch")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        campaign = self._recall_from_alert()
        campaign.action_launch()
        self.assertEqual(len(campaign.line_ids.ticket_id), 2)
        self.assertEqual(campaign.todo_count, 1)
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), len(triggers))
        self.env["aftersales.campaign"]._cron_launch()
        campaign.invalidate_recordset()
        self.assertEqual(len(campaign.line_ids.ticket_id), 3)
        self.assertEqual(campaign.todo_count, 0)
        self.assertEqual(len(self._mails(campaign.line_ids.ticket_id)), 2, "Otto has no e-mail address")

    def test_returned_unit_not_included(self):
        campaign = (
            self.env["aftersales.campaign"]
            .with_user(self.campaign_manager)
            .create(
                {
                    "name": "Hand-picked check",
                    "kind": "service",
                    "product_id": self.product.id,
                    "unit_selection": "manual",
                    "lot_ids": [Command.set((self.lot_b | self.lot_r).ids)],
                }
            )
        )
        campaign.action_compute_units()
        self.assertEqual(campaign.line_ids.lot_id, self.lot_b, "the returned unit is back with us")

        by_product = (
            self.env["aftersales.campaign"]
            .with_user(self.campaign_manager)
            .create({"name": "All WM-7", "product_id": self.product.id})
        )
        by_product.action_compute_units()
        self.assertNotIn(self.lot_r, by_product.line_ids.lot_id)
        self.assertIn(self.lot, by_product.line_ids.lot_id, "the first machine, of no batch, is delivered too")

    def test_agent_sees_banner_on_ticket_and_serial(self):
        campaign = self._recall_from_alert()
        campaign.action_launch()
        # a customer calls about another problem with the flagged unit
        form = Form(self.env["aftersales.ticket"].with_user(self.campaign_agent))
        form.name = "Machine is noisy"
        form.partner_id = self.bob
        form.lot_id = self.lot_b
        self.assertIn(campaign.reference, form.campaign_notice)
        ticket = form.save()
        self.assertEqual(ticket.open_campaign_ids, campaign)
        self.assertIn(campaign.reference, self.lot_b.with_user(self.campaign_agent).aftersales_campaign_notice)
        # no banner for a unit out of the campaign
        self.assertFalse(self.lot.with_user(self.campaign_agent).aftersales_campaign_notice)

        # once the unit is fixed, the banner is gone
        line_b = campaign.line_ids.filtered(lambda line: line.lot_id == self.lot_b)
        campaign_ticket = line_b.ticket_id.with_user(self.campaign_agent)
        campaign_ticket.resolution = "<p>Door lock replaced.</p>"
        campaign_ticket.action_close()
        self.assertEqual(line_b.state, "done")
        ticket.invalidate_recordset()
        self.assertFalse(ticket.with_user(self.campaign_agent).campaign_notice)

    def test_progress_after_close_and_refusal(self):
        campaign = self._recall_from_alert()
        campaign.action_launch()
        line_a, line_b, line_c = (
            campaign.line_ids.filtered(lambda line, lot=lot: line.lot_id == lot)
            for lot in (self.lot_a, self.lot_b, self.lot_c)
        )
        # the agent closes the ticket of unit A
        ticket_a = line_a.ticket_id.with_user(self.campaign_agent)
        ticket_a.resolution = "<p>Door lock replaced.</p>"
        ticket_a.action_close()
        # Bob refuses: the agent records it with a reason, through the wizard only
        agent_line_b = line_b.with_user(self.campaign_agent)
        with self.assertRaises(AccessError), self.cr.savepoint():
            agent_line_b.write({"outcome": "refused", "outcome_reason": "No"})
        with self.assertRaisesRegex(UserError, "Say why"):
            agent_line_b._set_outcome("refused", "  ")
        wizard = Form(
            self.env["aftersales.campaign.line.outcome"]
            .with_user(self.campaign_agent)
            .with_context(active_model="aftersales.campaign.line", active_ids=line_b.ids)
        )
        wizard.outcome = "refused"
        wizard.reason = "Sold the machine abroad"
        wizard.save().action_confirm()
        self.assertEqual(line_b.outcome_user_id, self.campaign_agent)

        campaign.invalidate_recordset()
        self.assertEqual(
            (line_a.state, line_b.state, line_c.state),
            ("done", "refused", "unreachable"),
        )
        self.assertEqual(
            (campaign.line_count, campaign.done_count, campaign.refused_count, campaign.unreachable_count),
            (3, 1, 1, 1),
        )
        self.assertEqual(campaign.notified_count, 0)
        self.assertAlmostEqual(campaign.progress, 200.0 / 3)
        # grouped by status, as the pivot shows it
        groups = dict(
            self.env["aftersales.campaign.line"]
            .with_user(self.campaign_agent)
            ._read_group([("campaign_id", "=", campaign.id)], ["state"], ["__count"])
        )
        self.assertEqual(groups, {"done": 1, "refused": 1, "unreachable": 1})

        # the agent cannot launch, close or create campaigns
        agent_campaign = campaign.with_user(self.campaign_agent)
        for action in ("action_done", "action_cancel", "action_compute_units"):
            with self.assertRaises(AccessError):
                getattr(agent_campaign, action)()
        with self.assertRaises(AccessError):
            self.env["aftersales.campaign"].with_user(self.campaign_agent).create(
                {"name": "Mine", "product_id": self.product.id}
            )

    def test_visit_per_unit_and_guards(self):
        campaign = self._recall_from_alert()
        with self.assertRaises(ValidationError), self.cr.savepoint():
            campaign.unit_action = "visit"
        campaign.write({"unit_action": "visit", "visit_type_id": self.visit_type.id})
        # the workflow goes through the actions only
        with self.assertRaises(AccessError):
            campaign.write({"state": "running"})
        campaign.action_launch()
        visits = campaign.line_ids.visit_id
        self.assertEqual(len(visits), 3)
        self.assertEqual(set(visits.mapped("state")), {"draft"})
        self.assertEqual(visits.visit_type_id, self.visit_type)
        self.assertEqual(visits.ticket_id, campaign.line_ids.ticket_id)
        # a launched campaign keeps its units and its action
        with self.assertRaises(UserError):
            campaign.batch = "OTHER"
        with self.assertRaises(UserError):
            campaign.unlink()
        # the visit done settles the unit
        line = campaign.line_ids[0]
        with line.visit_id._unguard("state"):
            line.visit_id.sudo().state = "done"
        self.assertEqual(line.state, "done")

    def test_query_count_per_unit(self):
        """Launching costs a bounded number of queries per unit, whatever the campaign's size."""
        self.qc_product = self.env["product.product"].create(
            {"name": "Washing Machine WM-9", "is_storable": True, "tracking": "serial"}
        )
        warm_up = self._campaign_over(self._deliver_many("QC-W", 1))
        small = self._campaign_over(self._deliver_many("QC-S", 5))
        large = self._campaign_over(self._deliver_many("QC-L", 25))
        self.assertEqual((len(small.line_ids), len(large.line_ids)), (5, 25))
        self._launch_queries(warm_up)  # the caches of the first tickets of the transaction
        small_queries = self._launch_queries(small)
        large_queries = self._launch_queries(large)
        per_unit = (large_queries - small_queries) / 20
        _logger.info(
            "campaign launch: %s queries for 5 units, %s for 25: %.1f per unit",
            small_queries,
            large_queries,
            per_unit,
        )
        self.assertEqual(len(large.line_ids.ticket_id), 25)
        self.assertEqual(len(self._mails(large.line_ids.ticket_id)), 25)
        self.assertLessEqual(per_unit, QUERIES_PER_UNIT)

    def _deliver_many(self, batch, count):
        """``count`` units of ``batch``, each sold to an owner of its own and delivered."""
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        owners = self.env["res.partner"].create(
            [
                {"name": f"Owner {batch} {index}", "email": f"owner{index}@{batch.lower()}.example.com"}
                for index in range(count)
            ]
        )
        lots = self.env["stock.lot"].create(
            [
                {"name": f"{batch}-{index:03d}", "product_id": self.qc_product.id, "aftersales_batch": batch}
                for index in range(count)
            ]
        )
        for lot in lots:
            self.env["stock.quant"]._update_available_quantity(self.qc_product, warehouse.lot_stock_id, 1.0, lot_id=lot)
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": owner.id,
                    "order_line": [Command.create({"product_id": self.qc_product.id, "product_uom_qty": 1.0})],
                }
                for owner in owners
            ]
        )
        orders.action_confirm()
        pickings = orders.picking_ids
        pickings.action_assign()
        pickings.move_ids.picked = True
        pickings.with_context(skip_backorder=True).button_validate()
        return batch

    def _campaign_over(self, batch):
        campaign = (
            self.env["aftersales.campaign"]
            .with_user(self.campaign_manager)
            .create({"name": f"Recall {batch}", "product_id": self.qc_product.id, "batch": batch})
        )
        campaign.action_compute_units()
        return campaign

    def _launch_queries(self, campaign):
        self.env.flush_all()
        start = self.cr.sql_log_count
        campaign.action_launch()
        self.env.flush_all()
        return self.cr.sql_log_count - start


@tagged("post_install", "-at_install")
class TestAftersalesCampaignHttp(CampaignCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nora_user = new_test_user(cls.env, login="as_cmp_nora", groups="base.group_portal", partner_id=cls.nora.id)
        cls.wendy_user = new_test_user(
            cls.env, login="as_cmp_wendy", groups="base.group_portal", partner_id=cls.customer.id
        )

    def test_portal_owner_sees_flag(self):
        campaign = self._recall_from_alert()
        campaign.action_launch()
        self.authenticate(self.nora_user.login, self.nora_user.login)
        response = self.url_open("/my/products")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Recall: contact us", response.text)
        self.assertIn("door lock may fail", response.text)
        response = self.url_open(self.warranty_a.get_portal_url())
        self.assertIn("Recall: contact us", response.text)

        # Wendy sold the unit: she no longer sees its recall
        self.authenticate(self.wendy_user.login, self.wendy_user.login)
        response = self.url_open("/my/products")
        self.assertNotIn("Recall: contact us", response.text)

        # once the unit is fixed, the flag is gone
        ticket = campaign.line_ids.filtered(lambda line: line.lot_id == self.lot_a).ticket_id
        ticket.resolution = "<p>Door lock replaced.</p>"
        ticket.action_close()
        self.authenticate(self.nora_user.login, self.nora_user.login)
        self.assertNotIn("Recall: contact us", self.url_open("/my/products").text)

    def test_launch_tour(self):
        """The manager launches the recall of the batch in a real browser."""
        campaign = self._recall_from_alert()
        self.start_tour(
            "/odoo/action-aftersales_warranty.aftersales_campaign_action",
            "aftersales_campaign_launch_tour",
            login=self.campaign_manager.login,
        )
        self.assertEqual(campaign.state, "running")
        self.assertEqual(len(campaign.line_ids.ticket_id), 3)

    @mute_logger("odoo.http")
    def test_agent_cannot_launch_over_rpc(self):
        campaign = self._recall_from_alert()
        self.authenticate(self.campaign_agent.login, self.campaign_agent.login)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "aftersales.campaign",
                    "method": "action_launch",
                    "args": [campaign.ids],
                    "kwargs": {},
                },
            )
        self.assertEqual(campaign.state, "draft")
        self.assertFalse(campaign.line_ids.ticket_id)
        # nor by writing the state, nor with a context key
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "aftersales.campaign",
                    "method": "write",
                    "args": [campaign.ids, {"state": "running"}],
                    "kwargs": {"context": {"aftersales_unguarded": True}},
                },
            )
        # the manager launches it
        self.authenticate(self.campaign_manager.login, self.campaign_manager.login)
        self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": "aftersales.campaign", "method": "action_launch", "args": [campaign.ids], "kwargs": {}},
        )
        self.assertEqual(campaign.state, "running")
        self.assertEqual(len(campaign.line_ids.ticket_id), 3)
