from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DURATION_UNITS = [("day", "Days"), ("month", "Months"), ("year", "Years")]
START_TRIGGERS = [
    ("delivery", "Delivery"),
    ("invoice", "Invoice"),
    ("installation", "Installation Done"),
]


class AftersalesWarrantyPolicy(models.Model):
    _name = "aftersales.warranty.policy"
    _description = "Warranty Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Leave empty to share the policy between companies.")
    duration = fields.Integer(required=True, default=1)
    duration_unit = fields.Selection(DURATION_UNITS, required=True, default="year")
    start_trigger = fields.Selection(
        START_TRIGGERS,
        string="Starts at",
        required=True,
        default="delivery",
        help="What starts the clock: the delivery to the customer, the posting of the invoice, or the "
        "installation visit being done.",
    )
    grace_days = fields.Integer(
        help="Days after the end during which claims are still accepted as covered.",
    )
    covers_parts = fields.Boolean(string="Parts", default=True)
    covers_labour = fields.Boolean(string="Labour", default=True)
    covers_travel = fields.Boolean(string="Travel", default=False)
    conditions = fields.Html(translate=True, help="What the warranty does not cover, and how to claim.")
    product_tmpl_count = fields.Integer(string="Products", compute="_compute_product_tmpl_count")

    @api.constrains("duration", "grace_days")
    def _check_duration(self):
        for policy in self:
            if policy.duration <= 0:
                raise ValidationError(
                    _("The duration of warranty policy %(policy)s must be positive.", policy=policy.name)
                )
            if policy.grace_days < 0:
                raise ValidationError(
                    _("The grace days of warranty policy %(policy)s cannot be negative.", policy=policy.name)
                )

    def _compute_product_tmpl_count(self):
        counts = dict(
            self.env["product.template"]._read_group(
                [("aftersales_warranty_policy_id", "in", self.ids)], ["aftersales_warranty_policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.product_tmpl_count = counts.get(policy, 0)

    def _duration_delta(self, extra_months=0):
        self.ensure_one()
        delta = relativedelta(**{f"{self.duration_unit}s": self.duration})
        return delta + relativedelta(months=extra_months)

    def _aftersales_end_date(self, start, extra_months=0):
        """The last day covered by a warranty of this policy that starts on ``start``."""
        self.ensure_one()
        return start + self._duration_delta(extra_months) - relativedelta(days=1)
