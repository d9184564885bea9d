from odoo import fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

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
