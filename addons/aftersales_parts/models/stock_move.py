from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class StockMove(models.Model):
    _name = "stock.move"
    _inherit = ["stock.move", "aftersales.guarded.mixin"]

    aftersales_rma_line_id = fields.Many2one(
        "aftersales.rma.line",
        string="Return Line",
        index="btree_not_null",
        copy=False,
        help="The return line received by this move, when it does not return a delivery.",
    )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"aftersales_rma_line_id"}

    def _guard_check_create(self, vals_list):
        # Odoo's own split creates the rest of a receipt's move with its return line, as the user
        return

    def _guard_refusal(self, field_names, records=None):
        # the receipts of a return carry its lines from their creation (a split keeps them): not re-pointed by hand
        return AccessError(
            _("A stock move receives or sends the return line it was created for: it is not changed by hand.")
        )

    def _prepare_merge_moves_distinct_fields(self):
        """The moves of two return lines stay apart: each line counts what its own move carried."""
        return super()._prepare_merge_moves_distinct_fields() + ["aftersales_rma_line_id"]

    def _prepare_move_split_vals(self, qty):
        """The part left for a backorder still receives the same return line."""
        vals = super()._prepare_move_split_vals(qty)
        if self.aftersales_rma_line_id:
            vals["aftersales_rma_line_id"] = self.aftersales_rma_line_id.id
        return vals
