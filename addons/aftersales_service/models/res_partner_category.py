from odoo import models


class ResPartnerCategory(models.Model):
    _inherit = "res.partner.category"

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals:
            # the SLA policies keep their active tags in the registry's cache (see
            # aftersales.sla.policy._criteria)
            self.env.registry.clear_cache()
        return result
