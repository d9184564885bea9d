from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_refail_days = fields.Integer(
        string="Repeat Failure Window (days)",
        default=30,
        help="A new failure of a serial number within this many days after one of its repairs was closed "
        "counts as a unit that failed again.",
    )
    aftersales_batch_alert_rate = fields.Float(
        string="Batch Failure Rate Alert (%)",
        default=5.0,
        help="When the failed units of a batch reach this share of its delivered units, the quality manager "
        "gets an activity. 0 turns the alert off.",
    )
    aftersales_batch_alert_min_units = fields.Integer(
        string="Batch Alert Minimum Delivered Units",
        default=20,
        help="A batch is judged only once at least this many of its units were delivered.",
    )
    aftersales_quality_user_id = fields.Many2one(
        "res.users",
        string="Quality Manager",
        domain="[('share', '=', False)]",
        help="Receives an activity on each batch whose failure rate reaches the alert rate.",
    )
