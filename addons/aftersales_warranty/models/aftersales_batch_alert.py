# A batch that fails too often is recalled: a campaign over its delivered units, from the alert.
from odoo import _, fields, models


class AftersalesBatchAlert(models.Model):
    _inherit = "aftersales.batch.alert"

    campaign_count = fields.Integer(string="Campaigns Count", compute="_compute_campaign_count")

    def _compute_campaign_count(self):
        counts = dict(
            self.env["aftersales.campaign"]._read_group(
                [("batch_alert_id", "in", self.ids)], ["batch_alert_id"], ["__count"]
            )
        )
        for alert in self:
            alert.campaign_count = counts.get(alert, 0)

    def action_create_campaign(self):
        """Recall the delivered units of the batch: a draft campaign with its units computed, to review
        and launch."""
        self.ensure_one()
        Campaign = self.env["aftersales.campaign"]
        Campaign.check_access("create")
        with Campaign._unguard("batch_alert_id"):
            campaign = Campaign.create(self._prepare_campaign_vals())
        campaign.action_compute_units()
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.campaign",
            "res_id": campaign.id,
            "view_mode": "form",
        }

    def _prepare_campaign_vals(self):
        self.ensure_one()
        return {
            "name": _("Recall of %(product)s, batch %(batch)s", product=self.product_id.display_name, batch=self.batch),
            "kind": "recall",
            "company_id": self.company_id.id,
            "product_id": self.product_id.id,
            "batch": self.batch,
            "batch_alert_id": self.id,
        }

    def action_view_campaigns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_warranty.aftersales_campaign_action")
        action["domain"] = [("batch_alert_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
