# The serials a service contract sold with the units covers, attached when they are delivered.
from odoo import Command, _, models


class StockPicking(models.Model):
    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited

    def _action_done(self):
        result = super()._action_done()
        self._aftersales_attach_contract_lots()
        return result

    def _aftersales_attach_contract_lots(self):
        """The delivered serials join the service contracts sold on the same order."""
        deliveries = self.filtered(lambda p: p.state == "done" and p.picking_type_code == "outgoing" and p.sale_id)
        if not deliveries:
            return
        # a consequence of the delivery, whoever validated it
        contracts = (
            self.env["aftersales.contract"]
            .sudo()
            .search(
                [("sale_order_id", "in", deliveries.sale_id.ids), ("state", "in", ("draft", "running", "to_renew"))]
            )
        )
        for contract in contracts:
            order = contract.sale_order_id
            lots = order._aftersales_contract_lots() - contract.lot_ids
            if lots:
                contract.lot_ids = [Command.link(lot.id) for lot in lots]
                contract.message_post(
                    body=_("Delivered serial numbers now covered: %(serials)s.", serials=", ".join(lots.mapped("name")))
                )
