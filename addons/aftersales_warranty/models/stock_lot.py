from odoo import _, fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    aftersales_warranty_count = fields.Integer(
        string="Warranty Count",
        compute="_compute_aftersales_warranty_count",
        groups="aftersales_service.aftersales_service_group_user,stock.group_stock_user",
    )

    aftersales_supplier_warranty_end = fields.Date(
        string="Supplier Warranty End",
        copy=False,
        help="The last day the vendor covers this unit, set when it is received from them.",
    )
    aftersales_supplier_id = fields.Many2one(
        "res.partner",
        string="Warranty Supplier",
        copy=False,
        help="Who to claim from while the unit is under supplier warranty.",
    )

    def _compute_aftersales_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.aftersales_warranty_count = counts.get(lot, 0)

    def _aftersales_owners(self):
        """The warranty's customer owns the unit before the delivery's: a unit registered by a
        customer who bought it elsewhere, or transferred to a second owner, belongs to them. The
        address stays the delivery's while the owner is the delivery's customer's company, else it is the
        owner's delivery address."""
        owners = super()._aftersales_owners()
        if not self.ids:
            return owners
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search([("lot_id", "in", self.ids), ("state", "!=", "void")], order="end_date, id")
        )
        delivery_of = {}
        # the running warranty wins over ended ones, the latest over older ones
        for warranty in warranties.sorted(lambda w: (w.state == "active", w.end_date or fields.Date.today(), w.id)):
            owner = warranty.partner_id
            delivered = owners.get(warranty.lot_id.id)
            if delivered and delivered[0].commercial_partner_id == owner.commercial_partner_id:
                owners[warranty.lot_id.id] = (owner, delivered[1])
            else:
                # a unit registered or transferred: it stands at the owner's delivery address
                if owner not in delivery_of:
                    delivery_of[owner] = owner.browse(owner.address_get(["delivery"])["delivery"])
                owners[warranty.lot_id.id] = (owner, delivery_of[owner])
        return owners

    def action_view_aftersales_warranties(self):
        self.ensure_one()
        return self.env["aftersales.warranty"]._action_for(
            [("lot_id", "=", self.id)], _("Warranties of %(serial)s", serial=self.name)
        )

    def _aftersales_under_supplier_warranty(self, on_date=None):
        """The lots of ``self`` still covered by their supplier on ``on_date`` (today)."""
        on_date = on_date or fields.Date.context_today(self)
        return self.filtered(
            lambda lot: (
                lot.aftersales_supplier_id
                and lot.aftersales_supplier_warranty_end
                and lot.aftersales_supplier_warranty_end >= on_date
            )
        )
