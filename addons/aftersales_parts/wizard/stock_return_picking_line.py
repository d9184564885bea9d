from odoo import fields, models


class StockReturnPickingLine(models.TransientModel):
    _inherit = "stock.return.picking.line"

    aftersales_rma_line_id = fields.Many2one("aftersales.rma.line", string="Return Line")

    def _prepare_move_default_values(self, new_picking):
        vals = super()._prepare_move_default_values(new_picking)
        if self.aftersales_rma_line_id:
            vals["aftersales_rma_line_id"] = self.aftersales_rma_line_id.id
        return vals
