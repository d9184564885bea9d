from odoo.tests import Form, new_test_user, tagged

from odoo.addons.aftersales_warranty.tests.common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestTicketFormClerk(WarrantyCommon):
    """The parts clerk opens the tickets the parts are for, with their service level and escalations."""

    def test_parts_clerk_opens_ticket(self):
        clerk = new_test_user(
            self.env,
            login="as_ticket_form_clerk",
            groups="aftersales_parts.aftersales_parts_group_clerk,stock.group_production_lot",
        )
        ticket = self.env["aftersales.ticket"].create(
            {"name": "Drum does not turn", "partner_id": self.customer.id, "lot_id": self.lot.id}
        )
        form = Form(ticket.with_user(clerk))
        self.assertEqual(form.reference, ticket.reference)
        self.assertFalse(len(form.escalation_ids))
