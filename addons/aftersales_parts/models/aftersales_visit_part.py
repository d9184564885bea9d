from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

# what a technician records; the rest is written by the visit's flow
EDITABLE_FIELDS = {
    "visit_id",
    "product_id",
    "quantity",
    "lot_id",
    "location_id",
    "removed",
    "sequence",
    "partner_supplied",
}
# who works in the office rather than only on the road, agents and parts clerks: they handle every van's parts,
# and scrap, put back and return the defective parts, which technicians never do
OFFICE_GROUPS = ("aftersales_service.aftersales_service_group_user", "aftersales_parts.aftersales_parts_group_clerk")
TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"
# what the visit's flow and the defective parts' actions record: their documents and the resulting status
PART_GUARDED_FIELDS = frozenset(
    {"visit_line_id", "move_id", "scrap_id", "repair_picking_id", "claim_id", "defective_state"}
)
DEFECTIVE_STATES = [
    ("to_receive", "To Receive"),
    ("received", "In Defective Parts"),
    ("scrapped", "Scrapped"),
    ("repaired", "Repaired"),
    ("supplier", "Sent to Supplier"),
]


class AftersalesVisitPart(models.Model):
    _name = "aftersales.visit.part"
    _description = "Part Used or Removed on a Visit"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "visit_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    visit_id = fields.Many2one("aftersales.visit", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="visit_id.company_id", store=True, index=True, precompute=True)
    ticket_id = fields.Many2one(related="visit_id.ticket_id", store=True, index=True)
    visit_state = fields.Selection(related="visit_id.state", string="Visit Status")
    product_id = fields.Many2one(
        "product.product",
        string="Part",
        required=True,
        check_company=True,
        domain="[('type', '=', 'consu')]",
        index=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial Number",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
        index="btree_not_null",
        help="The serial of the part fitted, or of the part removed from the unit.",
    )
    removed = fields.Boolean(
        help="A defective part taken out of the customer's unit: it comes back to the Defective Parts "
        "location instead of being used and billed."
    )
    partner_supplied = fields.Boolean(
        string="From the Partner's Stock",
        copy=False,
        help="The service partner fitted a part of its own: it comes from the vendor location and is paid to the "
        "partner on its settlement at the agreed price.",
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Taken From",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        compute="_compute_location_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Where the part is taken from: the technician's van, or a warehouse stock location.",
    )
    visit_line_id = fields.Many2one(
        "aftersales.visit.line", string="Billable Line", readonly=True, copy=False, index="btree_not_null"
    )
    move_id = fields.Many2one("stock.move", string="Stock Move", readonly=True, copy=False, index="btree_not_null")
    move_state = fields.Selection(related="move_id.state", string="Move Status")
    scrap_id = fields.Many2one("stock.scrap", readonly=True, copy=False, index="btree_not_null")
    repair_picking_id = fields.Many2one(
        "stock.picking", string="Back to Stock", readonly=True, copy=False, index="btree_not_null"
    )
    claim_id = fields.Many2one(
        "aftersales.supplier.claim", string="Supplier Claim", readonly=True, copy=False, index="btree_not_null"
    )
    defective_state = fields.Selection(DEFECTIVE_STATES, compute="_compute_defective_state", store=True, index=True)

    @api.depends("removed", "partner_supplied", "visit_id.technician_id", "visit_id.service_partner_id")
    def _compute_location_id(self):
        suppliers = self.env.ref("stock.stock_location_suppliers")
        for part in self:
            if part.removed:
                part.location_id = False
            elif part.partner_supplied:
                part.location_id = suppliers
            elif part.visit_id.service_partner_id and part.visit_id.partner_job_state in ("accepted", "done"):
                part.location_id = part.visit_id.service_partner_id.aftersales_partner_location_id
            elif not part.location_id or part.location_id == suppliers:
                # the van of the technician recording the part, else the visit's technician's
                crew = part.visit_id.technician_id | part.visit_id.helper_ids
                own = crew.filtered(
                    lambda technician: technician.user_id == self.env.user and technician.van_location_id
                )
                part.location_id = (own[:1] or part.visit_id.technician_id).van_location_id

    @api.depends(
        "removed",
        "move_id.state",
        "scrap_id.state",
        "repair_picking_id.state",
        "claim_id.rma_line_ids.qty_sent",
    )
    def _compute_defective_state(self):
        for part in self:
            if not part.removed or not part.move_id:
                part.defective_state = False
            elif part.lot_id and part.claim_id.rma_line_ids.filtered(
                lambda line, part=part: line.qty_sent and line.lot_id == part.lot_id
            ):
                part.defective_state = "supplier"
            elif part.scrap_id.state == "done":
                part.defective_state = "scrapped"
            elif part.repair_picking_id.state == "done":
                part.defective_state = "repaired"
            elif part.move_id.state == "done":
                part.defective_state = "received"
            else:
                part.defective_state = "to_receive"

    @api.constrains("partner_supplied", "removed", "visit_id")
    def _check_partner_supplied(self):
        for part in self.filtered("partner_supplied"):
            if part.removed or not part.visit_id.service_partner_id:
                raise ValidationError(
                    _(
                        "Only a service partner supplies parts from its own stock, and only parts it fits: "
                        "%(part)s on visit %(visit)s.",
                        part=part.product_id.display_name,
                        visit=part.visit_id.name,
                    )
                )

    @api.constrains("location_id", "removed", "visit_id")
    def _check_source_location(self):
        """Parts come from the vans of the visit's technicians, the service partner's consignment, or
        the stock of a warehouse of the visit's branch (any of the company's without a branch): its
        stock location or a sublocation of it, never a van, a Defective Parts or any other location
        beside the stock. The service partner's own parts come from its vendor location. A technician
        takes parts from his own van only, not from another technician's."""
        parts = self.sudo().filtered(lambda part: part.location_id and not part.removed and not part.partner_supplied)
        # the vans among the sources, read once for all the parts
        vans = (
            self.env["aftersales.technician"]
            .sudo()
            .with_context(active_test=False)
            .search([("van_location_id", "in", parts.location_id.ids)])
            .van_location_id
        )
        own_van_only = self._is_technician_only()
        for part in parts:
            visit = part.visit_id
            location = part.location_id
            if location in vans:
                crew = visit.technician_id | visit.helper_ids
                if own_van_only:
                    crew = crew.filtered(lambda technician: technician.user_id == self.env.user)
                if location in crew.van_location_id:
                    continue
                raise ValidationError(
                    _(
                        "%(part)s cannot be taken from %(location)s for visit %(visit)s: it is the van of "
                        "%(technicians)s. Take it from your own van or from a warehouse's stock; a parts clerk moves "
                        "parts between vans by a transfer.",
                        part=part.product_id.display_name,
                        location=location.display_name,
                        visit=visit.name,
                        technicians=", ".join(location.aftersales_technician_ids.mapped("name")),
                    )
                )
            if visit.service_partner_id and location == visit.service_partner_id.aftersales_partner_location_id:
                continue
            if location._aftersales_in_warehouse_stock(visit.company_id, visit.branch_id):
                continue
            raise ValidationError(
                _(
                    "%(part)s cannot be taken from %(location)s for visit %(visit)s: parts come from the vans of its "
                    "technicians, the service partner's consignment or the stock of a warehouse of its branch.",
                    part=part.product_id.display_name,
                    location=location.display_name,
                    visit=visit.name,
                )
            )

    @api.constrains("quantity", "lot_id", "product_id")
    def _check_quantity(self):
        for part in self:
            if part.quantity <= 0:
                raise ValidationError(
                    _(
                        "The quantity of %(part)s on visit %(visit)s must be positive.",
                        part=part.product_id.display_name,
                        visit=part.visit_id.name,
                    )
                )
            if part.product_id.tracking == "serial" and part.lot_id and part.quantity != 1:
                raise ValidationError(
                    _(
                        "Serial number %(serial)s is one part: record each serial on its own line.",
                        serial=part.lot_id.name,
                    )
                )

    def _is_technician_only(self):
        """Whether the current user works on the road only: a technician, neither an agent nor a parts clerk."""
        user = self.env.user
        return (
            not self.env.su
            and user.has_group(TECHNICIAN_GROUP)
            and not any(user.has_group(group) for group in OFFICE_GROUPS)
        )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | PART_GUARDED_FIELDS

    @api.model_create_multi
    def create(self, vals_list):
        visits = self.env["aftersales.visit"].browse({vals.get("visit_id") for vals in vals_list})
        visits._check_parts_editable()
        return super().create(vals_list)

    def write(self, vals):
        if EDITABLE_FIELDS.intersection(vals):
            self.visit_id._check_parts_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        self.visit_id._check_parts_editable()

    # ------------------------------------------------------------------
    # Defective parts
    # ------------------------------------------------------------------

    def _check_received(self, action):
        wrong = self.filtered(lambda part: part.defective_state != "received")
        if wrong:
            raise UserError(
                _(
                    "%(action)s needs parts received in the Defective Parts location: %(parts)s.",
                    action=action,
                    parts=", ".join(wrong.mapped(lambda part: part.lot_id.name or part.product_id.display_name)),
                )
            )

    def _check_defective_rights(self, action):
        """Refuse ``action`` on defective parts to whoever is neither an agent nor a parts clerk."""
        self.check_access("write")
        user = self.env.user
        if self.env.su or any(user.has_group(group) for group in OFFICE_GROUPS):
            return
        raise AccessError(
            _(
                "%(action)s defective parts is for after-sales agents and parts clerks, not %(user)s.",
                action=action,
                user=user.name,
            )
        )

    def action_aftersales_scrap(self):
        """Scrap defective parts that cannot be repaired, with an ordinary scrap order."""
        self._check_defective_rights(_("Scrapping"))
        self._check_received(_("Scrapping"))
        for part in self:
            scrap = (
                self.env["stock.scrap"]
                .sudo()
                .create(
                    {
                        "product_id": part.product_id.id,
                        "product_uom_id": part.product_id.uom_id.id,
                        "lot_id": part.lot_id.id,
                        "scrap_qty": part.quantity,
                        "location_id": part.move_id.location_dest_id.id,
                        "company_id": part.company_id.id,
                        "origin": part.visit_id.name,
                    }
                )
            )
            scrap.action_validate()
            with part._unguard("scrap_id"):
                part.scrap_id = scrap
        return True

    def action_aftersales_repair(self):
        """Put repaired parts back into the warehouse stock by an internal transfer."""
        self._check_defective_rights(_("Putting back to stock"))
        self._check_received(_("Putting back to stock"))
        for part in self:
            source = part.move_id.location_dest_id
            warehouse = source.warehouse_id
            picking = part.visit_id._parts_picking(
                warehouse.int_type_id, source, warehouse.lot_stock_id, part, validate=True
            )
            with part._unguard("repair_picking_id"):
                part.repair_picking_id = picking
        return True

    def action_aftersales_claim_supplier(self):
        """Propose a claim on the supplier of each removed part still under supplier warranty."""
        self._check_defective_rights(_("Claiming from the supplier"))
        for part in self:
            if not part.removed or not part.lot_id:
                raise UserError(_("Only removed parts with a serial number can be claimed from the supplier."))
            claim = self.env["aftersales.supplier.claim"]._propose(
                part.lot_id, ticket=part.ticket_id, visit=part.visit_id
            )
            if not claim:
                raise UserError(
                    _(
                        "%(serial)s is not under supplier warranty, a claim is already proposed for it, or "
                        "visit %(visit)s is no repair (only repairs are claimed from suppliers).",
                        serial=part.lot_id.name,
                        visit=part.visit_id.name,
                    )
                )
            with part._unguard("claim_id"):
                part.claim_id = claim
        return True

    def action_aftersales_return_to_supplier(self):
        """Send removed parts back to their supplier under warranty: a return to a supplier per vendor."""
        self._check_defective_rights(_("Returning to the supplier"))
        self._check_received(_("Returning to the supplier"))
        unclaimed = self.filtered(lambda part: not part.claim_id)
        if unclaimed:
            unclaimed.action_aftersales_claim_supplier()
        return self.claim_id.action_aftersales_return_to_supplier()
