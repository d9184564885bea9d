from odoo import _, fields, models
from odoo.exceptions import AccessError


class StockMove(models.Model):
    _inherit = "stock.move"

    aftersales_rma_line_id = fields.Many2one(
        "aftersales.rma.line",
        string="Return Line",
        index="btree_not_null",
        copy=False,
        help="The return line received by this move, when it does not return a delivery.",
    )

    def write(self, vals):
        # the receipts of a return carry its lines from their creation (a split keeps them): not re-pointed by hand
        if (
            not self.env.su
            and "aftersales_rma_line_id" in vals
            and any(move.aftersales_rma_line_id.id != (vals["aftersales_rma_line_id"] or False) for move in self)
        ):
            raise AccessError(
                _("A stock move receives or sends the return line it was created for: it is not changed by hand.")
            )
        return super().write(vals)

    def _prepare_merge_moves_distinct_fields(self):
        """The moves of two return lines stay apart: each line counts what its own move carried."""
        return super()._prepare_merge_moves_distinct_fields() + ["aftersales_rma_line_id"]

    def _prepare_move_split_vals(self, qty):
        """The part left for a backorder still receives the same return line."""
        vals = super()._prepare_move_split_vals(qty)
        if self.aftersales_rma_line_id:
            vals["aftersales_rma_line_id"] = self.aftersales_rma_line_id.id
        return vals
