from odoo import fields, models


class StockReturnPickingLine(models.TransientModel):
    _inherit = "stock.return.picking.line"

    aftersales_rma_line_id = fields.Many2one("aftersales.rma.line", string="Return Line")

    def _prepare_move_default_values(self, new_picking):
        vals = super()._prepare_move_default_values(new_picking)
        if self.aftersales_rma_line_id:
            vals["aftersales_rma_line_id"] = self.aftersales_rma_line_id.id
            if self.wizard_id.aftersales_location_dest_id:
                # the returned units end at the inspection, whose decision moves them on: no push rule of
                # the warehouse takes them elsewhere first
                vals["location_final_id"] = self.wizard_id.aftersales_location_dest_id.id
        return vals
