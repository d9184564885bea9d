from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .stock_move import PARTS_READERS

# the links to returns, set by the returns' own actions only: a transfer linked by hand would count as received
RMA_LINK_FIELDS = ("aftersales_rma_id", "aftersales_rma_line_id")


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "aftersales.guarded.mixin"]

    aftersales_rma_id = fields.Many2one(
        "aftersales.rma", string="Return Authorization", index="btree_not_null", copy=False, readonly=True
    )
    aftersales_visit_id = fields.Many2one(
        "aftersales.visit",
        string="After-Sales Visit",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The visit whose parts this transfer carries.",
    )
    aftersales_rma_line_id = fields.Many2one(
        "aftersales.rma.line",
        string="Resolved Return Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The return line whose replacement, or unit sent back, this transfer delivers.",
    )
    aftersales_rma_line_ids = fields.One2many(related="aftersales_rma_id.line_ids", string="Returned Units")
    # the inverses of the requests' and parts' transfers: a transfer whose status changes finds them in the
    # cache of its batch, not by a search per write of the transfers' states
    aftersales_parts_request_ids = fields.One2many(
        "aftersales.parts.request", "picking_id", string="Parts Requests", groups=PARTS_READERS
    )
    aftersales_repaired_part_ids = fields.One2many(
        "aftersales.visit.part", "repair_picking_id", string="Repaired Parts", groups=PARTS_READERS
    )
    aftersales_rma_origin_count = fields.Integer(
        compute="_compute_aftersales_rma_origin_count",
        string="Return Count",
        groups="aftersales_service.aftersales_service_group_user",
    )

    def _compute_aftersales_rma_origin_count(self):
        counts = dict(
            self.env["aftersales.rma"]._read_group([("picking_id", "in", self.ids)], ["picking_id"], ["__count"])
        )
        for picking in self:
            picking.aftersales_rma_origin_count = counts.get(picking, 0)

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | set(RMA_LINK_FIELDS)

    def _guard_refusal(self, field_names, records=None):
        return AccessError(
            _(
                "A transfer is linked to a return by the return's own actions (approving it, replacing or sending "
                "back its units), not by hand."
            )
        )

    def _action_done(self):
        result = super()._action_done()
        self.aftersales_rma_id.sudo()._update_received()
        for picking in self.filtered(lambda p: p.state == "done" and p.aftersales_rma_line_id):
            line = picking.aftersales_rma_line_id.sudo()
            line._carry_warranty(picking)
            if line.resolution == "replacement" and line.lot_id:
                line.replacement_lot_id = (picking.move_line_ids.lot_id - line.lot_id)[:1]
        return result

    def action_cancel(self):
        """A return whose last open transfer is cancelled is received (or sent) with what came."""
        result = super().action_cancel()
        self.aftersales_rma_id.sudo()._update_received()
        return result

    def _create_backorder(self, backorder_moves=None):
        """A backorder of a return's transfer stays on the return, so its units still count."""
        backorders = super()._create_backorder(backorder_moves=backorder_moves)
        for backorder in backorders.filtered(lambda b: b.backorder_id.aftersales_rma_id):
            backorder.sudo().aftersales_rma_id = backorder.backorder_id.aftersales_rma_id
        return backorders

    def _aftersales_register_warranties(self):
        """Replacements and units sent back keep the rest of the returned unit's warranty, no new one; so
        do the customers' own units handed back from a service centre's carry-in location."""
        deliveries = self.filtered(lambda p: p.picking_type_code == "outgoing" and not p.aftersales_rma_line_id)
        if not deliveries:
            return super(StockPicking, deliveries)._aftersales_register_warranties()
        # sudo: the carry-in locations of the warehouses, whoever validates the delivery
        carry_in_locations = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("aftersales_carry_in_location_id", "in", deliveries.location_id.ids)])
            .aftersales_carry_in_location_id
        )
        return super(
            StockPicking,
            deliveries.filtered(lambda p: p.location_id not in carry_in_locations),
        )._aftersales_register_warranties()

    def action_view_aftersales_rma(self):
        self.ensure_one()
        return self.aftersales_rma_id._action_form()

    def action_view_aftersales_rmas(self):
        self.ensure_one()
        action = self.env["aftersales.rma"]._action_list([("picking_id", "=", self.id)])
        action["name"] = _("Returns of %(picking)s", picking=self.name)
        return action

    def action_aftersales_new_rma(self):
        self.ensure_one()
        return self.env["aftersales.rma"]._action_new(
            picking_id=self.id,
            partner_id=self.partner_id.commercial_partner_id.id,
            sale_order_id=self.sale_id.id,
            company_id=self.company_id.id,
        )
