from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_csat_survey_id = fields.Many2one(related="company_id.aftersales_csat_survey_id", readonly=False)
    aftersales_csat_trigger = fields.Selection(related="company_id.aftersales_csat_trigger", readonly=False)
    aftersales_csat_deadline_days = fields.Integer(related="company_id.aftersales_csat_deadline_days", readonly=False)
    aftersales_csat_threshold = fields.Integer(related="company_id.aftersales_csat_threshold", readonly=False)

    aftersales_notify_ticket = fields.Boolean(related="company_id.aftersales_notify_ticket", readonly=False)
    aftersales_notify_visit_invite = fields.Boolean(related="company_id.aftersales_notify_visit_invite", readonly=False)
    aftersales_notify_visit_confirm = fields.Boolean(
        related="company_id.aftersales_notify_visit_confirm", readonly=False
    )
    aftersales_notify_visit_change = fields.Boolean(related="company_id.aftersales_notify_visit_change", readonly=False)
    aftersales_notify_visit_reminder = fields.Boolean(
        related="company_id.aftersales_notify_visit_reminder", readonly=False
    )
    aftersales_notify_on_my_way = fields.Boolean(related="company_id.aftersales_notify_on_my_way", readonly=False)
    aftersales_send_service_report = fields.Boolean(related="company_id.aftersales_send_service_report", readonly=False)
    aftersales_portal_change_hours = fields.Integer(related="company_id.aftersales_portal_change_hours", readonly=False)
    aftersales_create_contacts = fields.Boolean(related="company_id.aftersales_create_contacts", readonly=False)
