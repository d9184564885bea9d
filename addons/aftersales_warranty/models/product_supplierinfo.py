from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .aftersales_warranty_policy import DURATION_UNITS


class ProductSupplierinfo(models.Model):
    _inherit = "product.supplierinfo"

    aftersales_warranty_duration = fields.Integer(
        string="Supplier Warranty",
        help="How long the vendor covers the units and parts received from them; 0 for no warranty.",
    )
    aftersales_warranty_unit = fields.Selection(
        DURATION_UNITS, string="Supplier Warranty Unit", required=True, default="year"
    )
    aftersales_warranty_partner_id = fields.Many2one(
        "res.partner",
        string="Claim From",
        compute="_compute_aftersales_warranty_partner_id",
        store=True,
        readonly=False,
        help="Who warranty claims on these units go to: the vendor unless a manufacturer handles them.",
    )

    @api.depends("partner_id")
    def _compute_aftersales_warranty_partner_id(self):
        for info in self:
            info.aftersales_warranty_partner_id = info.partner_id

    def _aftersales_warranty_end(self, received_on):
        """The last day the vendor covers a unit received on ``received_on`` (False without warranty)."""
        self.ensure_one()
        if self.aftersales_warranty_duration <= 0:
            return False
        delta = relativedelta(**{f"{self.aftersales_warranty_unit}s": self.aftersales_warranty_duration})
        return received_on + delta - relativedelta(days=1)
