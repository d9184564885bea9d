from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .test_campaign import CampaignCommon


@tagged("post_install", "-at_install")
class TestCampaignLineGuards(CampaignCommon):
    """The status of a campaign's unit follows its ticket, its visit and the outcome recorded: nobody
    settles a unit, or hides it from its campaign, by writing its status."""

    def test_status_of_unit_not_written_directly(self):
        campaign = self._recall_from_alert()
        campaign.action_launch()
        line = campaign.line_ids.filtered(lambda line: line.lot_id == self.lot_b)
        self.assertEqual(line.state, "notified")
        other_product = self.env["product.product"].create({"name": "Other machine", "type": "consu"})
        for user in (self.campaign_agent, self.campaign_manager):
            for vals in (
                {"state": "done"},
                {"state": "refused"},
                {"campaign_state": "done"},
                {"product_id": other_product.id},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError), self.cr.savepoint():
                    line.with_user(user).write(vals)
        line.invalidate_recordset()
        self.assertEqual((line.state, line.campaign_state, line.product_id), ("notified", "running", self.product))
        # the unit still waits: its serial and ticket still show the campaign
        self.assertEqual(self.lot_b._aftersales_open_campaigns()[self.lot_b.id], campaign)
        ticket = line.ticket_id.with_user(self.campaign_agent)
        self.assertEqual(ticket.open_campaign_ids, campaign)

        # the outcome recorded through the wizard still settles it
        wizard = Form(
            self.env["aftersales.campaign.line.outcome"]
            .with_user(self.campaign_agent)
            .with_context(active_model="aftersales.campaign.line", active_ids=line.ids)
        )
        wizard.outcome = "refused"
        wizard.reason = "Does not want a visit"
        wizard.save().action_confirm()
        self.assertEqual(line.state, "refused")
        self.assertFalse(self.lot_b._aftersales_open_campaigns().get(self.lot_b.id))
