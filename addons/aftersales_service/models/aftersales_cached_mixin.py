from odoo import api, models


class AftersalesCachedMixin(models.AbstractModel):
    """Records that the registry's cache keeps a digest of (an ``ormcache`` of their ids or
    criteria): any creation, change or deletion of one clears the cache."""

    _name = "aftersales.cached.mixin"
    _description = "After-Sales Records Kept in the Registry Cache"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
