"""One inspection decision on some of the units received for a return line."""

from collections import defaultdict

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_round

from .aftersales_rma_line import INSPECTION_CONDITIONS, INSPECTION_DECISIONS

# what only applying the decision sets
INSPECTION_GUARDED_FIELDS = frozenset({"applied", "picking_id", "scrap_id", "repair_order_id", "repair_ticket_id"})


class AftersalesRmaInspection(models.Model):
    _name = "aftersales.rma.inspection"
    _description = "Return Inspection Decision"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "rma_line_id, id"
    _check_company_auto = True

    rma_line_id = fields.Many2one(
        "aftersales.rma.line", string="Return Line", required=True, index=True, ondelete="cascade"
    )
    rma_id = fields.Many2one(related="rma_line_id.rma_id", store=True, precompute=True, index=True, string="Return")
    company_id = fields.Many2one(related="rma_line_id.company_id", store=True, precompute=True, index=True)
    product_id = fields.Many2one(related="rma_line_id.product_id")
    product_uom_id = fields.Many2one(related="rma_line_id.product_uom_id", string="Unit")
    tracking = fields.Selection(related="rma_line_id.product_id.tracking")
    qty_to_inspect = fields.Float(related="rma_line_id.qty_to_inspect", string="Left to Inspect")
    quantity = fields.Float(digits="Product Unit of Measure", required=True, default=1.0)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        compute="_compute_lot_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    condition = fields.Selection(
        INSPECTION_CONDITIONS,
        help="The state in which these units were found.",
    )
    decision = fields.Selection(
        INSPECTION_DECISIONS,
        required=True,
        help="What becomes of these units: applying it runs the stock operation from the inspection location.",
    )
    applied = fields.Boolean(readonly=True, copy=False)
    picking_id = fields.Many2one(
        "stock.picking",
        string="Transfer",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
        help="The transfer of these units to the stock, the vendor or the customer.",
    )
    scrap_id = fields.Many2one("stock.scrap", readonly=True, copy=False, check_company=True, index="btree_not_null")
    repair_order_id = fields.Many2one(
        "repair.order", readonly=True, copy=False, check_company=True, index="btree_not_null"
    )
    repair_ticket_id = fields.Many2one("aftersales.ticket", readonly=True, copy=False, index="btree_not_null")

    @api.depends("rma_line_id")
    def _compute_lot_id(self):
        for inspection in self:
            inspection.lot_id = inspection.rma_line_id.lot_id

    @api.constrains("quantity", "rma_line_id")
    def _check_quantity(self):
        for line in self.rma_line_id:
            rounding = line.product_uom_id.rounding or 0.01
            for inspection in self.filtered(lambda i, line=line: i.rma_line_id == line):
                if float_compare(inspection.quantity, 0.0, precision_rounding=rounding) <= 0:
                    raise UserError(
                        _("Decide on a positive quantity of %(product)s.", product=line.product_id.display_name)
                    )
            decided = sum(line.inspection_ids.mapped("quantity"))
            if float_compare(decided, line.qty_received, precision_rounding=rounding) > 0:
                asked = sum(self.filtered(lambda i, line=line: i.rma_line_id == line).mapped("quantity"))
                raise UserError(
                    _(
                        "Only %(left)s %(uom)s of %(product)s on %(rma)s are left to decide on (%(received)s "
                        "received, %(before)s decided already): %(asked)s %(uom)s is too many.",
                        left=float_round(max(line.qty_received - (decided - asked), 0.0), precision_rounding=rounding),
                        uom=line.product_uom_id.name,
                        product=line.product_id.display_name,
                        rma=line.rma_id.name,
                        received=line.qty_received,
                        before=float_round(decided - asked, precision_rounding=rounding),
                        asked=asked,
                    )
                )

    @api.constrains("lot_id", "rma_line_id")
    def _check_lot(self):
        """A decision is on the units that came back: the line's serial, else a lot its receipt brought."""
        for inspection in self.filtered("lot_id"):
            line = inspection.rma_line_id.sudo()
            received = line.lot_id or line._received_moves().move_line_ids.lot_id
            if inspection.lot_id not in received:
                raise ValidationError(
                    _(
                        "%(lot)s did not come back with %(rma)s: decide on %(received)s.",
                        lot=inspection.lot_id.name,
                        rma=line.rma_id.name,
                        received=", ".join(received.mapped("name")) or _("the units received without a lot"),
                    )
                )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | INSPECTION_GUARDED_FIELDS

    def _locked_records(self):
        """Applied decisions are final: their documents carry them."""
        return super()._locked_records() | self.filtered("applied")

    def _lock_refusal(self, field_names):
        return UserError(
            _(
                "The inspection decisions on %(products)s are applied: they can no longer change.",
                products=", ".join(self.product_id.mapped("display_name")[:5]),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        lines = self.env["aftersales.rma.line"].browse(
            {vals["rma_line_id"] for vals in vals_list if vals.get("rma_line_id")}
        )
        lines._check_customer_lines(_("Inspecting"))
        lines._check_received()
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_applied(self):
        if any(self.mapped("applied")):
            raise UserError(_("An applied inspection decision is kept with the documents it created."))

    def action_apply(self):
        """Run the stock operation of each decision: a transfer to the stock, a scrap, a repair, a transfer
        to the vendor or back to the customer."""
        self.check_access("write")
        for inspection in self:
            if inspection.applied:
                raise UserError(
                    _(
                        "The decision on %(quantity)s %(uom)s of %(product)s was already applied.",
                        quantity=inspection.quantity,
                        uom=inspection.product_uom_id.name,
                        product=inspection.product_id.display_name,
                    )
                )
        self.rma_line_id._check_customer_lines(_("Applying an inspection decision"))
        inspections = self.sudo()
        documents = {}
        restock = inspections.browse()
        for inspection in inspections:
            if inspection.decision == "stock":
                # moved to the stock together, before the next decision that takes units
                restock |= inspection
                continue
            documents.update(restock._restock())
            restock = inspections.browse()
            documents[inspection] = getattr(inspection.rma_line_id, f"_decide_{inspection.decision}")(
                inspection.quantity, inspection.lot_id
            )
        documents.update(restock._restock())
        for inspection in inspections:
            vals = {"applied": True}
            field = {
                "stock.picking": "picking_id",
                "stock.scrap": "scrap_id",
                "repair.order": "repair_order_id",
                "aftersales.ticket": "repair_ticket_id",
            }.get(documents[inspection]._name)
            if field:
                vals[field] = documents[inspection][:1].id
            inspection.write(vals)
        inspections._post_applied()
        return True

    def _restock(self):
        """Back to stock, for the inspections of ``self``: their units go from where their receipt put them
        to the warehouse stock, by transfers created, confirmed and reserved together (none for units in
        the stock already). Returns the transfer of each inspection."""
        Line = self.env["aftersales.rma.line"]
        moved = self.browse()
        vals_list = []
        warehouses = {}  # looked up once per company and branch
        for inspection in self:
            line = inspection.rma_line_id
            location = line._received_location()
            key = (line.rma_id.company_id, line.rma_id.branch_id)
            if key not in warehouses:
                warehouses[key] = line._warehouse()
            warehouse = warehouses[key]
            if not location or location._child_of(warehouse.lot_stock_id):
                continue
            vals_list.append(
                line._prepare_out_picking_vals(
                    warehouse.int_type_id, location, warehouse.lot_stock_id, quantity=inspection.quantity, link=False
                )
            )
            moved |= inspection
        pickings = self.env["stock.picking"].create(vals_list)
        Line._ready_pickings(pickings, [inspection.lot_id for inspection in moved])
        documents = dict.fromkeys(self, self.env["stock.picking"])
        documents.update(zip(moved, pickings, strict=True))
        return documents

    def _post_applied(self):
        """Tell the returns' chatter what became of the units: one note per return."""
        labels = dict(self._fields["decision"]._description_selection(self.env))
        conditions = dict(self._fields["condition"]._description_selection(self.env))
        bodies = defaultdict(list)
        for inspection in self:
            bodies[inspection.rma_id.id].append(
                escape(
                    _(
                        "Inspection of %(quantity)s %(uom)s of %(product)s (%(condition)s): %(decision)s.",
                        quantity=inspection.quantity,
                        uom=inspection.product_uom_id.name,
                        product=inspection.product_id.display_name,
                        condition=conditions.get(inspection.condition, _("condition not noted")),
                        decision=labels[inspection.decision],
                    )
                )
            )
        self.rma_id._message_log_batch({rma_id: Markup("<br/>").join(texts) for rma_id, texts in bodies.items()})
