from datetime import timedelta

from odoo import Command, fields
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common_workshop import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInDoneWhen(CarryInCommon, HttpCase):
    """Issue 19, "Done when": a customer drops off a motorcycle with two scratches recorded at the
    reception, approves the estimate on the portal, the workshop technician repairs it with two parts
    from the centre's stock, the final check passes, the customer signs at the pick-up, the uncovered
    fees are invoiced and the covered ones cost us their parts; stock never counted the customer's unit
    as ours. Each step is done by its role, through its screen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.motorcycles = cls.env["product.category"].create({"name": "Motorcycles"})
        # the dealer's warranty: two years on the parts, the labour is paid; 90 days on a replaced part
        cls.moto_policy = cls.env["aftersales.warranty.policy"].create(
            {
                "name": "Motorcycles, two years on parts",
                "duration": 2,
                "duration_unit": "year",
                "covers_parts": True,
                "covers_labour": False,
                "covers_travel": False,
                "repair_warranty_duration": 90,
                "repair_warranty_unit": "day",
            }
        )
        cls.motorcycle = cls.env["product.product"].create(
            {
                "name": "Motorcycle TR-125",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.motorcycles.id,
                "standard_price": 3000.0,
                "list_price": 4500.0,
                "aftersales_warranty_policy_id": cls.moto_policy.id,
            }
        )
        Check = cls.env["aftersales.carry.in.check"]
        Check.create(
            [
                {"categ_id": cls.motorcycles.id, "sequence": 1, "name": "Scratches", "answer_kind": "text"},
                {
                    "categ_id": cls.motorcycles.id,
                    "sequence": 2,
                    "name": "Mileage (km)",
                    "answer_kind": "number",
                    "required": True,
                },
                {"categ_id": cls.motorcycles.id, "sequence": 3, "name": "Helmet left"},
                {"categ_id": cls.motorcycles.id, "sequence": 4, "name": "Photo of the unit", "answer_kind": "photo"},
                {"categ_id": cls.motorcycles.id, "phase": "inspection", "name": "Road test", "required": True},
            ]
        )
        # both workshop technicians repair motorcycles; Marco already has a job on his bench
        (cls.marco | cls.lia).write(
            {"skill_ids": [Command.create({"product_category_id": cls.motorcycles.id, "level": "3"})]}
        )
        cls.marco_job = cls.env["aftersales.visit"].create(
            {
                "ticket_id": cls.ticket.id,
                "visit_type_id": cls.workshop_type.id,
                "partner_id": cls.customer.id,
                "technician_id": cls.marco.id,
            }
        )
        # the door seal has a cost too: both covered parts cost us something
        cls.seal.standard_price = 9.0
        cls.type_repair.write({"followup_required": True, "followup_delay": 2})
        cls.company.write(
            {
                "aftersales_csat_survey_id": cls.env.ref("aftersales_service.survey_csat").id,
                "aftersales_csat_trigger": "visit_done",
            }
        )
        # the customer bought the motorcycle from us: sold and delivered, its warranty registered
        cls.bike_order, cls.bike_lot = cls._sell_and_deliver(cls.customer, cls.motorcycle, "MC-2026-0042")
        cls.bike_warranty = cls.env["aftersales.warranty"].search([("lot_id", "=", cls.bike_lot.id)])

    # ------------------------------------------------------------------
    # What stock says of the unit and the parts
    # ------------------------------------------------------------------

    def _in_stock(self, product):
        """What WH/Stock counts of ``product`` as on hand."""
        return product.with_context(location=self.warehouse.lot_stock_id.id).qty_available

    def _assert_unit_never_ours(self, layers, carry_in=None):
        """WH/Stock does not count the unit and no valuation layer of its product appeared."""
        self.assertEqual(self._in_stock(self.motorcycle), 0.0, "the unit is never in our stock")
        self.assertEqual(self.env["stock.valuation.layer"].search([("product_id", "=", self.motorcycle.id)]), layers)
        if carry_in:
            quants = self.env["stock.quant"].search(
                [("product_id", "=", self.motorcycle.id), ("location_id", "=", carry_in.location_id.id)]
            )
            self.assertEqual(sum(quants.filtered(lambda q: not q.owner_id).mapped("quantity")), 0.0)

    # ------------------------------------------------------------------
    # The steps, each by its role
    # ------------------------------------------------------------------

    def _agent_opens_the_ticket(self):
        with Form(self.env["aftersales.ticket"].with_user(self.counter)) as form:
            form.name = "Engine cuts out when hot"
            form.channel = "walk_in"
            form.lot_id = self.bike_lot
            form.ticket_type_id = self.type_repair
            form.team_id = self.team
        ticket = form.record.with_env(self.env)
        self.assertEqual(ticket.partner_id, self.customer, "the customer is the unit's owner")
        self.assertEqual(ticket.product_id, self.motorcycle)
        return ticket

    def _agent_receives_the_unit(self, ticket):
        agent = self.counter
        action = ticket.with_user(agent).action_receive_unit()
        with Form(self.env["aftersales.carry.in"].with_user(agent).with_context(**action["context"])) as form:
            form.problem = "The engine cuts out after twenty minutes"
            form.expected_date = fields.Date.today() + timedelta(days=3)
        carry_in = form.record
        self.assertEqual(carry_in.state, "draft")
        self.assertEqual(carry_in.lot_id, self.bike_lot)
        names = carry_in.intake_step_ids.mapped("name")
        self.assertEqual(names, ["Scratches", "Mileage (km)", "Helmet left", "Photo of the unit"])
        with Form(carry_in.with_user(agent)) as form:
            with form.intake_step_ids.edit(0) as line:
                line.value_text = "Two scratches on the tank"
                line.note = "Left side 3 cm, right side 1 cm"
            with form.intake_step_ids.edit(1) as line:
                line.value_number = 12500
            with form.intake_step_ids.edit(3) as line:
                line.photo = SIGNATURE
        carry_in.with_user(agent).action_receive()
        return carry_in.with_env(self.env)

    def _customer_signs(self, carry_in, phase):
        agent = self.counter
        action = getattr(carry_in.with_user(agent), f"action_sign_{phase}")()
        with Form(self.env[action["res_model"]].with_user(agent).with_context(**action["context"])) as form:
            form.signature = SIGNATURE
            form.signed_by = "Wendy Washer"
        form.record.action_sign()

    def _technician_estimates(self, carry_in, technician):
        with Form(carry_in.with_user(technician)) as form:
            form.diagnosis = "<p>Clogged fuel filter and a worn drain pump of the cooling circuit.</p>"
        with Form(carry_in.visit_id.with_user(technician)) as form:
            with form.line_ids.new() as line:
                line.line_type = "labour"
                line.quantity = 1.5
            for product in (self.pump, self.seal):
                with form.part_ids.new() as part:
                    part.product_id = product
                    part.quantity = 1.0
        carry_in.with_user(technician).action_send_estimate()

    def _customer_accepts_on_the_portal(self, order):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(order.name, response.text)
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": order.access_token, "name": "Wendy Washer", "signature": SIGNATURE.decode()},
        )
        self.assertNotIn("error", result)

    # ------------------------------------------------------------------
    # Done when
    # ------------------------------------------------------------------

    def test_done_when(self):
        stock = self.warehouse.lot_stock_id
        layers = self.env["stock.valuation.layer"].search([("product_id", "=", self.motorcycle.id)])
        self.assertEqual(len(layers), 1, "the sale of the motorcycle valued its delivery, and that is all")
        self.assertEqual(self.bike_warranty.state, "active", "the warranty started at the delivery")
        pumps, seals = self._in_stock(self.pump), self._in_stock(self.seal)
        self._assert_unit_never_ours(layers)

        # the customer rides to the counter; the agent opens a walk-in ticket and receives the unit
        ticket = self._agent_opens_the_ticket()
        carry_in = self._agent_receives_the_unit(ticket)
        self.assertEqual(carry_in.state, "received")
        self.assertEqual(carry_in.received_by_id, self.counter)
        reception = carry_in.reception_picking_id
        self.assertEqual(reception.state, "done")
        self.assertEqual(reception.move_line_ids.owner_id, self.customer)
        self.assertEqual(reception.move_line_ids.lot_id, self.bike_lot)
        self.assertEqual(self._owned_quantity(self.motorcycle, carry_in.location_id, self.customer, self.bike_lot), 1.0)
        self._assert_unit_never_ours(layers, carry_in)
        scratches = carry_in.intake_step_ids.filtered(lambda step: step.name == "Scratches")
        self.assertEqual(scratches.value_text, "Two scratches on the tank")
        self.assertEqual(scratches.note, "Left side 3 cm, right side 1 cm")
        self.assertEqual(scratches.answered_by_id, self.counter)

        # the customer signs the intake and takes the receipt home
        self._customer_signs(carry_in, "intake")
        self.assertEqual(carry_in.intake_signed_by, "Wendy Washer")
        carry_in.with_user(self.counter).action_print_receipt()
        Report = self.env["ir.actions.report"].with_user(self.counter)
        html = Report._render_qweb_html("aftersales_parts.action_report_carry_in_receipt", carry_in.ids)[0].decode()
        for text in (carry_in.name, ticket.reference, "MC-2026-0042", "Two scratches on the tank", "12500"):
            self.assertIn(text, html)
        pdf = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "aftersales_parts.action_report_carry_in_receipt", carry_in.ids
        )[0]
        self.assertTrue(pdf.startswith(b"%PDF"))

        # the workshop job went to the skilled workshop technician with the fewest jobs
        visit = carry_in.visit_id
        self.assertEqual(visit.technician_id, self.lia, "Marco has a job already")
        self.assertTrue(visit.workshop)
        technician = self.lia.user_id
        self.assertTrue(technician.has_group("aftersales_service.aftersales_service_group_technician"))
        self.assertFalse(technician.has_group("aftersales_service.aftersales_service_group_user"))

        # Lia diagnoses, records her labour and two parts of the centre's stock, and sends the estimate
        self._technician_estimates(carry_in, technician)
        self.assertEqual(carry_in.state, "waiting_approval")
        labour = visit.line_ids.filtered(lambda line: line.line_type == "labour")
        parts = visit.line_ids.filtered(lambda line: line.line_type == "part")
        self.assertEqual(labour.coverage, "billable", "the labour is the customer's")
        self.assertEqual(parts.product_id, self.pump | self.seal)
        self.assertEqual(set(parts.mapped("coverage")), {"warranty"}, "the warranty pays the parts")
        self.assertEqual(parts.covering_warranty_id, self.bike_warranty)
        self.assertEqual(visit.part_ids.location_id, stock)
        order = carry_in.quotation_id
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.amount_untaxed, 120.0, "1.5 hours at 80")

        # the customer accepts the estimate on the portal, signing it
        self._customer_accepts_on_the_portal(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(carry_in.state, "in_repair")
        repair = carry_in.repair_id
        self.assertRecordValues(
            repair,
            [
                {
                    "aftersales_carry_in_id": carry_in.id,
                    "lot_id": self.bike_lot.id,
                    "partner_id": self.customer.id,
                    "state": "confirmed",
                    "user_id": technician.id,
                    "product_location_src_id": carry_in.location_id.id,
                }
            ],
        )
        moves = repair.move_ids
        self.assertEqual(moves.product_id, self.pump | self.seal)
        self.assertEqual(moves.location_id, stock)
        self.assertEqual(moves.mapped("product_uom_qty"), [1.0, 1.0])

        # the parts clerk serves the repair order: he reserves its parts again
        clerk_repair = repair.with_user(self.clerk)
        clerk_repair.action_unreserve()
        self.assertEqual(set(moves.mapped("state")), {"confirmed"})
        clerk_repair.action_assign()
        self.assertEqual(set(moves.mapped("state")), {"assigned"})
        self.assertEqual(moves.move_line_ids.location_id, stock)

        # Lia repairs the motorcycle, writes her report and passes the final inspection
        visit_as_technician = visit.with_user(technician)
        visit_as_technician.action_start()
        self.assertEqual(repair.state, "under_repair")
        with Form(visit_as_technician) as form:
            form.work_report = "<p>Fuel filter cleaned, drain pump and its seal replaced. Road tested.</p>"
        visit_as_technician.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(repair.state, "done")
        self.assertEqual(set(moves.mapped("state")), {"done"})
        self.assertRecordValues(
            repair.move_id.move_line_ids,
            [{"lot_id": self.bike_lot.id, "owner_id": self.customer.id, "location_id": carry_in.location_id.id}],
        )
        self.assertEqual(carry_in.state, "in_repair", "the road test is not answered yet")
        with Form(carry_in.with_user(technician)) as form:
            with form.inspection_step_ids.edit(0) as line:
                line.done = True
                line.note = "20 km, no cut-out"
        carry_in.with_user(technician).action_mark_ready()
        self.assertEqual(carry_in.state, "ready")
        self._assert_unit_never_ours(layers, carry_in)
        notice = carry_in.message_ids.filtered(lambda message: "is ready" in (message.subject or ""))
        self.assertEqual(len(notice), 1, "the customer is told once")
        self.assertIn(f"/my/repairs/{carry_in.id}", str(notice.body))
        emailed = notice.notification_ids.filtered(lambda notif: notif.notification_type == "email")
        self.assertIn(self.customer, emailed.res_partner_id, "the notice goes out by e-mail")

        # the customer comes back: signs the hand-over and rides away
        followups = self.env["aftersales.followup"].search([("ticket_id", "=", ticket.id)])
        self.assertFalse(followups, "the follow-up call waits for the pick-up")
        self._customer_signs(carry_in, "handover")
        carry_in.with_user(self.counter).action_hand_over()
        self.assertEqual(carry_in.state, "collected")
        self.assertEqual(carry_in.collected_by_id, self.counter)

        # the unit left by an ordinary delivery, the customer's; only the two parts left our stock
        delivery = carry_in.delivery_picking_id
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(delivery.move_line_ids.owner_id, self.customer)
        self.assertEqual(delivery.move_line_ids.lot_id, self.bike_lot)
        self.assertEqual(self._owned_quantity(self.motorcycle, carry_in.location_id, self.customer, self.bike_lot), 0.0)
        self.assertFalse(
            self.env["stock.quant"]
            .search([("product_id", "=", self.motorcycle.id), ("location_id", "=", carry_in.location_id.id)])
            .filtered("quantity"),
            "nothing of the unit stays in the centre",
        )
        self.assertEqual(self._in_stock(self.pump), pumps - 1)
        self.assertEqual(self._in_stock(self.seal), seals - 1)
        self._assert_unit_never_ours(layers, carry_in)
        unit_moves = self.env["stock.move"].search([("product_id", "=", self.motorcycle.id), ("state", "=", "done")])
        self.assertFalse(
            unit_moves.filtered(lambda move: move.picking_id in reception | delivery).stock_valuation_layer_ids
        )
        # the unit keeps the warranty of its sale: its hand-over is no new sale
        self.assertEqual(self.bike_warranty.state, "active")
        warranties = self.env["aftersales.warranty"].search([("lot_id", "=", self.bike_lot.id)])
        self.assertEqual(warranties, self.bike_warranty, "no second warranty registered at the hand-over")

        # the uncovered fees are invoiced from the sale order; the covered parts are at zero, their cost kept
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "draft", "the accountant posts it")
        lines = invoice.invoice_line_ids
        self.assertEqual(lines.filtered(lambda line: line.product_id == self.labour_product).price_subtotal, 120.0)
        covered = lines.filtered(lambda line: line.product_id in (self.pump | self.seal))
        self.assertEqual(covered.product_id, self.pump | self.seal)
        self.assertEqual(covered.mapped("price_subtotal"), [0.0, 0.0])
        self.assertEqual(invoice.amount_untaxed, 120.0)
        self.assertEqual(sum(parts.mapped("cost_amount")), 18.0 + 9.0, "the parts cost us their standard cost")
        self.assertEqual(sum(parts.mapped("covered_amount")), 45.0 + 25.0, "what the customer did not pay")

        # the repair warranty of the replaced parts starts; the follow-up call and the survey follow
        part_warranties = carry_in.part_warranty_ids
        self.assertEqual(part_warranties.product_id, self.pump | self.seal)
        today = fields.Date.context_today(carry_in)  # the fixtures' day, as everyone's here
        self.assertEqual(set(part_warranties.mapped("end_date")), {today + timedelta(days=89)})
        followup = self.env["aftersales.followup"].search([("ticket_id", "=", ticket.id)])
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.state, "planned")
        self.assertEqual(followup.visit_id, visit)
        survey = self.env["survey.user_input"].search([("aftersales_ticket_id", "=", ticket.id)])
        self.assertEqual(len(survey), 1)

        # the stay is in the serial's history
        self.env.flush_all()
        events = self.env["aftersales.unit.event"].search([("lot_id", "=", self.bike_lot.id)])
        kinds = events.mapped("kind")
        self.assertIn("carry_in_received", kinds)
        self.assertIn("carry_in_collected", kinds)
        self.assertFalse({"return"} & set(kinds), "the stay is no return of the sale")
