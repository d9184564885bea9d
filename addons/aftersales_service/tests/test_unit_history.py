from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AftersalesCommon

SERVICE_KINDS = ("sale", "delivery", "return", "ticket_open", "visit_planned", "visit_done", "ticket_close")


@tagged("post_install", "-at_install")
class TestUnitHistory(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fault = cls.env["aftersales.fault.code"].create({"code": "DRN", "name": "Drain blocked"})
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_follow_up")
        cls.tech_user = new_test_user(
            cls.env, login="uh_tech", name="Una Tech", groups="aftersales_service.aftersales_service_group_technician"
        )
        cls.technician = cls.env["aftersales.technician"].create({"user_id": cls.tech_user.id})

    def _events(self, lot):
        return self.env["aftersales.unit.event"].search([("lot_id", "=", lot.id), ("kind", "in", SERVICE_KINDS)])

    def test_timeline_in_order(self):
        with freeze_time("2026-03-02 09:00:00"):
            order, lot = self._sell_and_deliver(self.customer, self.product, "WM7-HIST")
        ticket = self._ticket(lot_id=lot.id, request_date=datetime(2026, 4, 1, 8, 0), fault_code_id=self.fault.id)
        visit = self.env["aftersales.visit"].create(
            {
                "ticket_id": ticket.id,
                "visit_type_id": self.visit_type.id,
                "technician_id": self.technician.id,
                "scheduled_start": datetime(2026, 4, 3, 10, 0),
                "assignment_forced": True,
                "assignment_forced_reason": "Customer asked for this technician",
            }
        )
        visit.action_schedule()
        with freeze_time("2026-04-03 10:05:00"):
            visit.action_start()
        visit.work_report = "<p>Cleaned the drain.</p>"
        with freeze_time("2026-04-03 10:40:00"):
            visit.action_done()
        with freeze_time("2026-04-04 12:00:00"):
            ticket.write({"stage_id": self.stage_solved.id, "resolution": "<p>Drain cleaned.</p>"})
        # a cancelled visit leaves no trace
        cancelled = self.env["aftersales.visit"].create(
            {
                "ticket_id": ticket.id,
                "visit_type_id": self.visit_type.id,
                "scheduled_start": datetime(2026, 4, 5, 10, 0),
            }
        )
        cancelled.action_cancel()

        events = self._events(lot)
        self.assertEqual(
            events.mapped("kind"),
            ["sale", "delivery", "ticket_open", "visit_planned", "visit_done", "ticket_close"],
        )
        self.assertEqual(
            events.mapped("date"),
            [
                datetime(2026, 3, 2, 9, 0),
                datetime(2026, 3, 2, 9, 0),
                datetime(2026, 4, 1, 8, 0),
                datetime(2026, 4, 3, 10, 0),
                datetime(2026, 4, 3, 10, 40),
                datetime(2026, 4, 4, 12, 0),
            ],
        )
        sale, delivery, opened = events[:3]
        self.assertEqual((sale.res_model, sale.res_id, sale.name), ("sale.order", order.id, order.name))
        self.assertEqual((delivery.res_model, delivery.res_id), ("stock.picking", order.picking_ids.id))
        self.assertEqual(opened.partner_id, self.customer)
        self.assertEqual(set(events.mapped("product_id")), {self.product})
        self.assertEqual(len(set(events.ids)), 6, "every event has its own id")
        # the other serial number's history is its own
        self.assertNotIn(self.lot, events.lot_id)

        action = opened.action_open_document()
        self.assertEqual((action["res_model"], action["res_id"]), ("aftersales.ticket", ticket.id))
        all_events = self.env["aftersales.unit.event"].search([("lot_id", "=", lot.id)])
        self.assertEqual(lot.aftersales_event_count, len(all_events))
        self.assertEqual(lot.action_view_aftersales_history()["domain"], [("lot_id", "=", lot.id)])

    def test_history_in_constant_queries(self):
        """Reading a unit's history is one query, however many units and events there are."""
        Event = self.env["aftersales.unit.event"].with_user(self.agent)
        self.env.flush_all()
        Event.search_read([("lot_id", "=", self.lot.id)], ["date", "kind", "name", "partner_id"])
        with self.assertQueryCount(2):
            Event.search_read([("lot_id", "=", self.lot.id)], ["date", "kind", "name", "partner_id"])
        for number in range(3):
            lot = self._sell_and_deliver(self.customer, self.product, f"WM7-Q{number}")[1]
            self._ticket(lot_id=lot.id)
        self._ticket(lot_id=self.lot.id)
        self.env.flush_all()
        Event.invalidate_model()
        with self.assertQueryCount(2):
            events = Event.search_read([("lot_id", "=", self.lot.id)], ["date", "kind", "name", "partner_id"])
        self.assertEqual(len([e for e in events if e["kind"] in SERVICE_KINDS]), 3)

    def test_return_and_access(self):
        picking = self.sale_order.picking_ids
        wizard = (
            self.env["stock.return.picking"].with_context(active_id=picking.id, active_model="stock.picking").create({})
        )
        wizard.product_return_moves.quantity = 1.0
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned.move_ids.move_line_ids.lot_id = self.lot
        returned.move_ids.picked = True
        returned.button_validate()
        kinds = self._events(self.lot).mapped("kind")
        self.assertEqual(kinds[:2], ["sale", "delivery"])
        self.assertIn("return", kinds)

        # an after-sales user reads the history; a technician alone does not, nor another company
        self.assertTrue(self.env["aftersales.unit.event"].with_user(self.agent).search([("lot_id", "=", self.lot.id)]))
        with self.assertRaises(AccessError):
            self.env["aftersales.unit.event"].with_user(self.tech_user).search([("lot_id", "=", self.lot.id)])
        other = self.env["res.company"].create({"name": "Other Appliances"})
        outsider = new_test_user(
            self.env,
            login="uh_outsider",
            name="Otto Outsider",
            company_id=other.id,
            company_ids=[other.id],
            groups="aftersales_service.aftersales_service_group_user",
        )
        self.assertFalse(self.env["aftersales.unit.event"].with_user(outsider).search([("lot_id", "=", self.lot.id)]))
