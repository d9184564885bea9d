from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.aftersales_warranty.models.aftersales_warranty_policy import DURATION_UNITS


class AftersalesWarrantyPolicy(models.Model):
    _inherit = "aftersales.warranty.policy"

    repair_warranty_duration = fields.Integer(
        string="Repair Warranty on Replaced Parts",
        tracking=True,
        help="How long the parts fitted at the service centre on a unit of this policy are guaranteed from "
        "the day the customer collects it: a later part line of the same part on the same unit is covered "
        "while it runs. 0: no repair warranty.",
    )
    repair_warranty_unit = fields.Selection(DURATION_UNITS, default="day", required=True, tracking=True)

    @api.constrains("repair_warranty_duration")
    def _check_repair_warranty_duration(self):
        if any(policy.repair_warranty_duration < 0 for policy in self):
            raise ValidationError(_("The repair warranty on replaced parts cannot last a negative time."))

    def _repair_warranty_end(self, start):
        """The last day covered by the repair warranty of a part fitted on ``start`` (False: none)."""
        self.ensure_one()
        if self.repair_warranty_duration <= 0:
            return False
        delta = relativedelta(**{f"{self.repair_warranty_unit}s": self.repair_warranty_duration})
        return start + delta - relativedelta(days=1)
