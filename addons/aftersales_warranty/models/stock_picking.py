from collections import defaultdict

from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        self._aftersales_set_supplier_warranty()
        return result

    def _aftersales_set_supplier_warranty(self):
        """Give the lots received from a vendor the warranty of the vendor's price line.

        The price line is the vendor's line of the product (or of its template) for the
        receipt's company; lots of the same end and supplier are written at once.
        """
        receipts = self.filtered(lambda p: p.state == "done" and p.location_id.usage == "supplier" and p.partner_id)
        move_lines = receipts.move_line_ids.filtered(lambda line: line.lot_id and line.quantity > 0)
        if not move_lines:
            return
        lots_by_values = defaultdict(lambda: self.env["stock.lot"])
        for line in move_lines:
            picking = line.picking_id
            info = picking._aftersales_supplier_warranty_info(line.product_id)
            received_on = fields.Date.context_today(self, picking.date_done or fields.Datetime.now())
            end = info and info._aftersales_warranty_end(received_on)
            if end:
                lots_by_values[(end, info.aftersales_warranty_partner_id.id or info.partner_id.id)] |= line.lot_id
        for (end, supplier_id), lots in lots_by_values.items():
            lots.sudo().write({"aftersales_supplier_warranty_end": end, "aftersales_supplier_id": supplier_id})

    def _aftersales_supplier_warranty_info(self, product):
        """The price line of this receipt's vendor that gives ``product`` a warranty, if any."""
        self.ensure_one()
        vendor = self.partner_id.commercial_partner_id
        return (
            product.sudo()
            .seller_ids.filtered(
                lambda info: (
                    info.partner_id.commercial_partner_id == vendor
                    and info.aftersales_warranty_duration > 0
                    and (not info.product_id or info.product_id == product)
                    and (not info.company_id or info.company_id == self.company_id)
                )
            )
            .sorted(lambda info: (not info.product_id, info.sequence, info.id))[:1]
        )
