from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestTicket(AftersalesCommon):
    def test_reference_from_sequence(self):
        first, second = self._ticket(), self._ticket()
        self.assertTrue(first.reference.startswith("TCK/"))
        self.assertNotEqual(first.reference, second.reference)
        self.assertIn(first.reference, first.display_name)
        self.assertEqual(self.env["aftersales.ticket"].name_search(first.reference)[0][0], first.id)

    def test_default_stage_follows_the_stages(self):
        """The first open stage of the team, as the agent opens tickets, after each change of the stages
        (made by the manager) and of the teams."""
        Ticket = self.env["aftersales.ticket"].with_user(self.agent)

        def opened():
            return Ticket.create({"name": "No heat", "partner_id": self.customer.id, "team_id": self.team.id})

        self.assertEqual(opened().stage_id, self.stage_new)
        Stage = self.env["aftersales.ticket.stage"].with_user(self.manager)
        other_team = self.env["aftersales.team"].create({"name": "Other Team", "company_id": self.company.id})
        triage = Stage.create({"name": "Triage", "sequence": 0, "team_ids": [(6, 0, other_team.ids)]})
        self.assertEqual(opened().stage_id, self.stage_new, "a stage of another team is not the default")
        triage.team_ids |= self.team
        self.assertEqual(opened().stage_id, triage)
        self.assertEqual(
            Ticket.with_context(default_team_id=self.team.id).default_get(["stage_id"])["stage_id"], triage.id
        )
        triage.sla_pause = True
        self.assertTrue(opened().sla_paused_since, "the SLA of a ticket opened in a pausing stage waits")
        triage.active = False
        self.assertEqual(opened().stage_id, self.stage_new, "an archived stage is not the default")
        triage.write({"active": True, "sla_pause": False, "team_ids": [(6, 0, other_team.ids)]})
        self.assertEqual(opened().stage_id, self.stage_new)
        other_team.unlink()
        self.assertEqual(opened().stage_id, triage, "the stage of a deleted team serves every team")

    def test_unit_filled_from_serial(self):
        ticket = self.env["aftersales.ticket"].create({"name": "Noisy spin", "lot_id": self.lot.id})
        self.assertEqual(ticket.product_id, self.product)
        self.assertEqual(ticket.sale_order_id, self.sale_order)
        self.assertEqual(ticket.sale_line_id, self.sale_order.order_line)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertIn(self.customer, ticket.message_partner_ids, "the customer follows the ticket")

    def test_unit_filled_in_form(self):
        with Form(self.env["aftersales.ticket"].with_user(self.agent)) as form:
            form.name = "Door does not lock"
            form.lot_id = self.lot
            self.assertEqual(form.product_id, self.product)
            self.assertEqual(form.sale_order_id, self.sale_order)
            self.assertEqual(form.partner_id, self.customer)
            self.assertEqual(form.email_from, "wendy@example.com")
        ticket = form.save()
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertEqual(ticket.channel, "phone")

    def test_customer_filled_from_order(self):
        ticket = self.env["aftersales.ticket"].create({"name": "Install it", "sale_order_id": self.sale_order.id})
        self.assertEqual(ticket.partner_id, self.customer)

    def test_serial_of_another_product_refused(self):
        with self.assertRaisesRegex(ValidationError, "WM7-0001"):
            self._ticket(product_id=self.other_product.id, lot_id=self.lot.id)
        ticket = self._ticket(lot_id=self.lot.id)
        with self.assertRaises(ValidationError):
            ticket.product_id = self.other_product

    def test_order_line_of_another_order_refused(self):
        other_order, _lot = self._sell_and_deliver(self.customer, self.other_product, "DR3-0001")
        with self.assertRaises(ValidationError):
            self._ticket(sale_order_id=other_order.id, sale_line_id=self.sale_order.order_line.id)

    def test_close_needs_resolution(self):
        ticket = self._ticket()
        with self.assertRaisesRegex(UserError, "resolution"):
            ticket.stage_id = self.stage_solved
        with self.assertRaises(UserError):
            ticket.action_close()
        with self.assertRaises(UserError):
            ticket.write({"stage_id": self.stage_solved.id, "resolution": "<p><br></p>"})
        self.assertFalse(ticket.is_closed)
        with self.assertRaises(UserError):
            self._ticket(stage_id=self.stage_solved.id)
        ticket.resolution = "<p>Replaced the door lock.</p>"
        ticket.action_close()
        self.assertTrue(ticket.is_closed)
        self.assertTrue(ticket.closed_date)

    def test_reopen_is_tracked(self):
        ticket = self._ticket(resolution="<p>Fixed</p>")
        self._flush_tracking()
        ticket.action_close()
        with self.assertRaises(UserError):
            self._ticket().action_reopen()
        ticket.action_reopen()
        self.assertFalse(ticket.is_closed)
        self.assertFalse(ticket.closed_date)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "reopened" in (m.body or "")))
        self._flush_tracking()
        ticket.invalidate_recordset(["message_ids"])
        stage_tracking = ticket.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "stage_id")
        self.assertGreaterEqual(len(stage_tracking), 2, "closing and reopening are tracked")

    def test_assign_to_me_tracked(self):
        ticket = self._ticket()
        self._flush_tracking()
        ticket.with_user(self.agent).action_assign_to_me()
        self.assertEqual(ticket.user_id, self.agent)
        self._flush_tracking()
        ticket.invalidate_recordset(["message_ids"])
        self.assertTrue(ticket.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "user_id"))

    def test_smart_buttons(self):
        contact = self.env["res.partner"].create({"name": "Walter", "parent_id": self.customer.id})
        on_lot = self.env["aftersales.ticket"].create({"name": "Leak", "lot_id": self.lot.id})
        by_contact = self._ticket(partner_id=contact.id)
        self.assertEqual(self.sale_order.aftersales_ticket_count, 1)
        self.assertEqual(self.lot.aftersales_ticket_count, 1)
        self.assertEqual(self.customer.aftersales_ticket_count, 2)
        self.assertEqual(contact.aftersales_ticket_count, 1)
        for record, expected in ((self.sale_order, on_lot), (self.lot, on_lot), (self.customer, on_lot | by_contact)):
            action = record.action_view_aftersales_tickets()
            self.assertEqual(self.env["aftersales.ticket"].search(action["domain"]), expected)
        context = self.sale_order.action_view_aftersales_tickets()["context"]
        new = self.env["aftersales.ticket"].with_context(**context).create({"name": "From the order"})
        self.assertEqual(new.sale_order_id, self.sale_order)
        self.assertEqual(new.partner_id, self.customer)

    def test_ticket_with_history_is_archived_not_deleted(self):
        ticket = self._ticket()
        ticket.message_post(body="Customer called again", message_type="comment")
        with self.assertRaises(UserError):
            ticket.unlink()
        ticket.action_archive()
        self.assertFalse(ticket.active)

    def test_access_rights(self):
        ticket = self._ticket().with_user(self.agent)
        ticket.name = "Renamed by the agent"
        with self.assertRaises(AccessError):
            ticket.unlink()
        with self.assertRaises(AccessError):
            self.env["aftersales.sla.policy"].with_user(self.agent).create(
                {"name": "Mine", "calendar_id": self.calendar.id, "response_hours": 1, "resolution_hours": 2}
            )
        with self.assertRaises(AccessError):
            self.stage_new.with_user(self.agent).name = "Renamed"

    def test_multi_company_isolation(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        other_ticket = (
            self.env["aftersales.ticket"]
            .with_company(other_company)
            .create({"name": "Elsewhere", "company_id": other_company.id, "team_id": False})
        )
        self.assertNotIn(other_ticket, self.env["aftersales.ticket"].with_user(self.agent).search([]))
