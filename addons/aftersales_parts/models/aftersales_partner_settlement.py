from odoo import _, models


class AftersalesPartnerSettlement(models.Model):
    _inherit = "aftersales.partner.settlement"

    def _collect_line_vals(self):
        """The parts the partner supplied from its own stock on the jobs of the period, at the agreed price."""
        vals_list = super()._collect_line_vals()
        jobs = self._jobs_to_settle()
        parts = jobs.part_ids.filtered(lambda part: part.partner_supplied and not part.removed)
        if not parts:
            return vals_list
        settled = self.env["aftersales.partner.settlement.line"].search(
            [("visit_part_id", "in", parts.ids), ("state", "!=", "cancel"), ("settlement_id", "!=", self.id)]
        )
        Rate = self.env["aftersales.partner.rate"]
        rates = Rate._partner_rates(self.partner_id, self.company_id)
        for part in parts - settled.visit_part_id:
            vals_list.append(self._prepare_part_line_vals(part, Rate._for_visit(self.partner_id, part.visit_id, rates)))
        return vals_list

    def _prepare_part_line_vals(self, part, rate):
        self.ensure_one()
        price = 0.0
        if rate:
            price = rate._part_price(part.product_id, self.currency_id, self.date_to)
        serial = f" ({part.lot_id.name})" if part.lot_id else ""
        return {
            "line_type": "part",
            "visit_id": part.visit_id.id,
            "visit_part_id": part.id,
            "name": _(
                "%(visit)s: %(part)s%(serial)s supplied",
                visit=part.visit_id.name,
                part=part.product_id.display_name,
                serial=serial,
            ),
            "quantity": part.quantity,
            "price_unit": price,
        }
