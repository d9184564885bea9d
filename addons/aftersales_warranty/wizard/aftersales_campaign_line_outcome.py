from odoo import api, fields, models

from ..models.aftersales_campaign_line import LINE_OUTCOMES


class AftersalesCampaignLineOutcome(models.TransientModel):
    _name = "aftersales.campaign.line.outcome"
    _description = "Record a Campaign Unit's Outcome"

    line_ids = fields.Many2many("aftersales.campaign.line", string="Units", required=True)
    outcome = fields.Selection(LINE_OUTCOMES, required=True, default="refused")
    reason = fields.Char(required=True, help="What the owner said, or how they were tried.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            "line_ids" in fields_list
            and self.env.context.get("active_model") == "aftersales.campaign.line"
            and self.env.context.get("active_ids")
        ):
            values["line_ids"] = [fields.Command.set(self.env.context["active_ids"])]
        return values

    def action_confirm(self):
        self.ensure_one()
        self.line_ids._set_outcome(self.outcome, self.reason)
        return {"type": "ir.actions.act_window_close"}
