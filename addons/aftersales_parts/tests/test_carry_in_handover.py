from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_carry_in import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInHandover(CarryInCommon):
    def test_signature_required(self):
        carry_in = self._ready_carry_in()
        with self.assertRaisesRegex(UserError, "must sign"):
            carry_in.with_user(self.agent).action_hand_over()
        self.assertEqual(carry_in.state, "ready")

    def test_technician_cannot_hand_over(self):
        carry_in = self._ready_carry_in()
        self._sign_handover(carry_in)
        with self.assertRaises(AccessError):
            carry_in.with_user(self.technician_user).action_hand_over()
        with self.assertRaises(AccessError):
            carry_in.with_user(self.agent).write({"state": "collected"})
        with self.assertRaises(AccessError):
            carry_in.with_user(self.agent).write({"delivery_picking_id": carry_in.reception_picking_id.id})
        self.assertEqual(carry_in.state, "ready")

    def test_wrong_stage(self):
        carry_in = self._receive(self._carry_in())
        with self.assertRaisesRegex(UserError, "not possible"):
            self._sign_handover(carry_in)
        with self.assertRaisesRegex(UserError, "not possible"):
            carry_in.with_user(self.agent).action_hand_over()

    def test_hand_over_delivers_the_customers_unit(self):
        carry_in = self._ready_carry_in(parts=[(self.pump, 2.0)])
        stock = self.warehouse.lot_stock_id
        self.assertEqual(self._quant_quantity(carry_in.location_id, owner=self.customer, lot=self.lot), 1.0)
        self.assertEqual(self._quant_quantity(carry_in.location_id, owner=False), 0.0, "the unit was never ours")
        our_units = self._quant_quantity(stock)
        pumps = self._quant_quantity(stock, product=self.pump)
        self.assertEqual(pumps, 8.0, "the repair took two pumps from the centre's stock")
        self._sign_handover(carry_in)
        carry_in.with_user(self.agent).action_hand_over()

        self.assertEqual(carry_in.state, "collected")
        self.assertEqual(carry_in.collected_by_id, self.agent)
        self.assertTrue(carry_in.collected_date)
        delivery = carry_in.delivery_picking_id
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.picking_type_id, carry_in.warehouse_id.out_type_id)
        self.assertEqual(delivery.owner_id, self.customer)
        self.assertEqual(delivery.move_line_ids.lot_id, self.lot)
        self.assertEqual(delivery.move_line_ids.owner_id, self.customer)
        self.assertEqual(delivery.location_dest_id, self.customers_location)
        self.assertFalse(
            self.env["aftersales.warranty"].search([("picking_id", "=", delivery.id)]),
            "the customer's own unit comes back: no new warranty, the one it has stays",
        )
        self.assertEqual(self._quant_quantity(carry_in.location_id), 0.0, "the unit left the centre")
        self.assertEqual(self._quant_quantity(stock), our_units, "nothing of ours left with it")
        self.assertEqual(self._quant_quantity(stock, product=self.pump), pumps)
        with self.assertRaises(UserError):
            carry_in.with_user(self.agent).action_hand_over()

    def test_fees_invoiced_covered_lines_at_zero(self):
        self._running_warranty()
        carry_in = self._ready_carry_in(lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}])
        labour, travel = carry_in.visit_id.line_ids
        self.assertEqual(labour.coverage, "warranty")
        self.assertEqual(travel.coverage, "billable")
        self.assertGreater(labour.cost_amount, 0.0)
        self._sign_handover(carry_in)
        carry_in.with_user(self.agent).action_hand_over()

        invoice = travel.sale_line_ids.invoice_lines.move_id
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "draft", "the accountant posts it in Accounting")
        self.assertEqual(labour.sale_line_ids.invoice_lines.move_id, invoice)
        self.assertEqual(labour.sale_line_ids.invoice_lines.price_subtotal, 0.0)
        self.assertEqual(labour.sale_line_ids.invoice_lines.discount, 100.0)
        self.assertEqual(travel.sale_line_ids.invoice_lines.price_subtotal, 40.0)
        self.assertEqual(invoice.amount_untaxed, 40.0)
        self.assertGreater(labour.cost_amount, 0.0, "the covered line keeps its cost")
        note = carry_in.message_ids.filtered(lambda message: "waits in Accounting" in (message.body or ""))
        self.assertIn(f'data-oe-id="{invoice.id}"', note.body)

    def test_followup_and_survey_at_hand_over(self):
        self.type_repair.write({"followup_required": True, "followup_delay": 2})
        self.company.write(
            {
                "aftersales_csat_survey_id": self.env.ref("aftersales_service.survey_csat").id,
                "aftersales_csat_trigger": "visit_done",
            }
        )
        carry_in = self._ready_carry_in()
        Followup = self.env["aftersales.followup"]
        Answer = self.env["survey.user_input"]
        self.assertFalse(Followup.search([("ticket_id", "=", carry_in.ticket_id.id)]), "not at the end of the job")
        self.assertFalse(Answer.search([("aftersales_ticket_id", "=", carry_in.ticket_id.id)]))
        self._sign_handover(carry_in)
        carry_in.with_user(self.agent).action_hand_over()
        followup = Followup.search([("ticket_id", "=", carry_in.ticket_id.id)])
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.visit_id, carry_in.visit_id)
        self.assertEqual(len(Answer.search([("aftersales_ticket_id", "=", carry_in.ticket_id.id)])), 1)

    def test_field_visit_keeps_its_followup(self):
        """A visit that is no workshop job plans its call when it is done, as before."""
        self.type_repair.write({"followup_required": True, "followup_delay": 2})
        ticket = self._ticket(lot_id=self.lot.id)
        visit = self._do_visit(self._visit(ticket), lines=[{"line_type": "labour"}])
        self.assertEqual(self.env["aftersales.followup"].search([("ticket_id", "=", ticket.id)]).visit_id, visit)
