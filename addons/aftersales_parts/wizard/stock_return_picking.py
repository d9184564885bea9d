from odoo import _, fields, models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    aftersales_location_dest_id = fields.Many2one(
        "stock.location",
        string="Return Destination",
        help="Where the returned goods go, instead of the destination of the return operation type.",
    )
    aftersales_picking_type_id = fields.Many2one(
        "stock.picking.type",
        string="Return Operation Type",
        help="The operation type of the return, when the goods come back to another warehouse than the one "
        "that delivered them.",
    )
    aftersales_rma_id = fields.Many2one("aftersales.rma", string="Return Authorization", readonly=True)

    def _prepare_picking_default_values(self):
        vals = super()._prepare_picking_default_values()
        if self.aftersales_location_dest_id:
            vals["location_dest_id"] = self.aftersales_location_dest_id.id
        if self.aftersales_picking_type_id:
            vals["picking_type_id"] = self.aftersales_picking_type_id.id
        if self.aftersales_rma_id:
            vals["aftersales_rma_id"] = self.aftersales_rma_id.id
            vals["origin"] = _("%(rma)s (%(origin)s)", rma=self.aftersales_rma_id.name, origin=vals.get("origin"))
        return vals
