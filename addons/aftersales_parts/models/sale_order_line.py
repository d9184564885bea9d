from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        # parts used on a visit left the van when the visit was done: their move is
        # linked to the line, no delivery is needed
        lines = self.filtered(lambda line: line.aftersales_visit_line_id.line_type != "part")
        return super(SaleOrderLine, lines)._action_launch_stock_rule(previous_product_uom_qty=previous_product_uom_qty)
