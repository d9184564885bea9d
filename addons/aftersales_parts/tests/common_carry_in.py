"""Fixtures of the end of a carry-in stay: a unit received at the service centre, its workshop job and
its repair order, brought to the stage a test needs by the actions of the reception and the workshop."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, new_test_user

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common import PartsCommon

JOB_START = datetime(2026, 6, 9, 10, 0)


class CarryInCommon(PartsCommon):
    """Wendy Washer's company leaves its washing machine WM7-0001 at the service centre; Tara Tech is the
    workshop technician, Adam Agent the counter agent, Wendy's portal login follows the unit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"email": "service@example.com", "aftersales_carry_in_hours": "Monday to Friday, 9-18"})
        cls.technician_user = cls.tech_a.user_id
        cls.portal_contact = cls.env["res.partner"].create(
            {"name": "Wendy at Home", "email": "wendy.home@example.com", "parent_id": cls.customer.id}
        )
        cls.portal_user = new_test_user(
            cls.env, login="as_portal_wendy", groups="base.group_portal", partner_id=cls.portal_contact.id
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Otto Other", "email": "otto@example.com"})
        cls.other_portal_user = new_test_user(
            cls.env,
            login="as_portal_otto",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"].create({"name": "Otto", "parent_id": cls.other_customer.id}).id,
        )
        cls.customers_location = cls.env.ref("stock.stock_location_customers")
        cls.type_repair_visit.write({"fee_product_id": cls.fee_product.id})
        # the workshop jobs bill as the repair visits do
        cls.env.ref("aftersales_parts.visit_type_workshop").write(
            {
                "labour_product_id": cls.labour_product.id,
                "travel_km_product_id": cls.km_product.id,
                "fee_product_id": cls.fee_product.id,
            }
        )

    # ------------------------------------------------------------------
    # The stages before the hand-over, reached by hand
    # ------------------------------------------------------------------

    def _carry_in(self, lot=None, partner=None, ticket=None):
        lot = lot or self.lot
        partner = partner or self.customer
        ticket = ticket or self.env["aftersales.ticket"].create(
            {
                "name": "Drum noise, brought to the counter",
                "partner_id": partner.id,
                "lot_id": lot.id,
                "product_id": lot.product_id.id,
                "team_id": self.team.id,
                "ticket_type_id": self.type_repair.id,
            }
        )
        return self.env["aftersales.carry.in"].create(
            {"ticket_id": ticket.id, "user_id": self.agent.id, "expected_date": "2026-06-12"}
        )

    def _receive(self, carry_in):
        """The counter agent receives the unit: it enters the carry-in location as the customer's stock
        and its workshop job is created."""
        carry_in.with_user(self.agent).action_receive()
        self.assertEqual(carry_in.state, "received")
        return carry_in

    def _workshop_job(self, carry_in, lines=({"line_type": "labour"},), parts=(), finish=True, start=JOB_START):
        """Tara Tech's job on the unit at the centre: the diagnosis, the estimate (approved at once when
        nothing is to pay, else accepted at the counter), the repair order with the ``parts`` taken from
        the centre's stock, the job started at ``start``, and done when ``finish``."""
        visit = carry_in.visit_id
        # the dispatch to a workshop technician is tested with the workshop: Tara takes this job
        visit.write(
            {
                "technician_id": self.tech_a.id,
                "scheduled_start": start,
                "line_ids": [Command.create(vals) for vals in lines],
                "part_ids": [
                    Command.create(
                        {"product_id": product.id, "quantity": quantity, "location_id": self.warehouse.lot_stock_id.id}
                    )
                    for product, quantity in parts
                ],
            }
        )
        as_technician = carry_in.with_user(self.technician_user)
        as_technician.diagnosis = "<p>Worn drum bearing.</p>"
        as_technician.action_send_estimate()
        if carry_in.state == "waiting_approval":
            carry_in.with_user(self.agent).action_accept_estimate()
        self.assertEqual(carry_in.state, "in_repair")
        with freeze_time(start):
            visit.with_user(self.technician_user).action_start()
        if finish:
            self._finish_job(visit)
        return visit

    def _finish_job(self, visit):
        visit.write({"work_report": "<p>Drum bearing replaced.</p>", "signature": SIGNATURE, "signed_by": "Wendy"})
        with freeze_time(visit.check_in + timedelta(hours=2)):
            visit.with_user(self.technician_user).action_done()
        return visit

    def _ready_carry_in(self, lines=({"line_type": "labour"},), parts=()):
        """A received unit whose job (and its repair order, with ``parts``) is done: ready, as no inspection
        check is required."""
        carry_in = self._receive(self._carry_in())
        self._workshop_job(carry_in, lines=lines, parts=parts)
        return carry_in

    def _sign_handover(self, carry_in, name="Wendy Washer"):
        """The customer signs the hand-over in the agent's signature window."""
        action = carry_in.with_user(self.agent).action_sign_handover()
        with Form(self.env[action["res_model"]].with_user(self.agent).with_context(**action["context"])) as form:
            form.signature = SIGNATURE
            form.signed_by = name
        form.record.action_sign()

    def _quant_quantity(self, location, owner=None, product=None, lot=None):
        domain = [("product_id", "=", (product or self.product).id), ("location_id", "=", location.id)]
        if owner is not None:
            domain.append(("owner_id", "=", owner.id if owner else False))
        if lot:
            domain.append(("lot_id", "=", lot.id))
        return sum(self.env["stock.quant"].search(domain).mapped("quantity"))
