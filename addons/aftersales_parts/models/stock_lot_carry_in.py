from odoo import _, fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"  # pylint: disable=consider-merging-classes-inherited

    aftersales_part_warranty_count = fields.Integer(
        string="Repair Warranties", compute="_compute_aftersales_part_warranty_count"
    )

    def _compute_aftersales_part_warranty_count(self):
        # sudo: a count on the serial's form, whoever opens it; the list itself follows the rules
        counts = dict(
            self.env["aftersales.part.warranty"]
            .sudo()
            ._read_group([("unit_lot_id", "in", self.ids)], ["unit_lot_id"], ["__count"])
        )
        for lot in self:
            lot.aftersales_part_warranty_count = counts.get(lot, 0)

    def action_view_aftersales_part_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_parts.aftersales_part_warranty_action")
        action.update(
            {
                "name": _("Repair Warranties of %(serial)s", serial=self.name),
                "domain": [("unit_lot_id", "=", self.id)],
                "context": {"search_default_running": 0},
            }
        )
        return action
