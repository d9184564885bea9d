from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError

# who reads the parts of visits (their access rules): the inverses of their transfers are theirs
PARTS_READERS = (
    "aftersales_service.aftersales_service_group_technician,aftersales_parts.aftersales_parts_group_clerk,"
    "aftersales_service.aftersales_service_group_accountant"
)


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
    # the inverse of the parts' moves: a move done or cancelled finds the parts whose status it changes
    # in the cache of its batch, not by a search of the parts per write of the moves' states
    aftersales_visit_part_ids = fields.One2many(
        "aftersales.visit.part",
        "move_id",
        string="Visit Parts",
        groups=PARTS_READERS,
    )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"aftersales_rma_line_id"}

    @api.model_create_multi
    def create(self, vals_list):
        self._aftersales_carry_in_unit_owner(vals_list)
        return super().create(vals_list)

    @api.model
    def _aftersales_carry_in_unit_owner(self, vals_list):
        """The move of the unit a repair order of a carry-in repair ends with takes the customer's unit:
        Odoo looks for the owner's unit in the parts' location, not in the carry-in location where it
        waits, and would move it as ours."""
        repair_ids = {
            vals["repair_id"] for vals in vals_list if vals.get("repair_id") and not vals.get("repair_line_type")
        }
        if not repair_ids:
            return
        # sudo: the carry-in repair of the order, whoever ends it
        repairs = self.env["repair.order"].sudo().browse(repair_ids).filtered("aftersales_carry_in_id")
        for vals in vals_list:
            repair = repairs.filtered(lambda ro, vals=vals: ro.id == vals.get("repair_id"))
            if not repair or vals.get("repair_line_type") or vals.get("product_id") != repair.product_id.id:
                continue
            owner = repair.aftersales_carry_in_id.partner_id
            for command in vals.get("move_line_ids") or []:
                if command[0] == Command.CREATE and not command[2].get("owner_id"):
                    command[2]["owner_id"] = owner.id

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
