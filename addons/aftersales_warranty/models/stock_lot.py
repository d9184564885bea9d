from odoo import _, fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    aftersales_warranty_count = fields.Integer(
        string="Warranty Count",
        compute="_compute_aftersales_warranty_count",
        groups="aftersales_service.aftersales_service_group_user,stock.group_stock_user",
    )

    def _compute_aftersales_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.aftersales_warranty_count = counts.get(lot, 0)

    def action_view_aftersales_warranties(self):
        self.ensure_one()
        return self.env["aftersales.warranty"]._aftersales_action_for(
            [("lot_id", "=", self.id)], _("Warranties of %(serial)s", serial=self.name)
        )
