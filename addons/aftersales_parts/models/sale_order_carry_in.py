from odoo import _, models


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def action_confirm(self):
        result = super().action_confirm()
        # the customer accepted the estimate of a carry-in repair (signed on the portal, or at the counter)
        self._aftersales_estimates_waiting()._approve()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        # the customer declined the estimate on the portal, or the quotation was cancelled in Sales
        for carry_in in self._aftersales_estimates_waiting():
            carry_in._refuse(
                _("the customer declined estimate %(order)s", order=carry_in.visit_id.sudo().quotation_id.name)
            )
        return result

    def _aftersales_estimates_waiting(self):
        """The carry-in repairs whose estimate, waiting for the customer, is one of these orders."""
        # sudo: the customer answers on the portal; the stay's flow follows his answer
        return (
            self.env["aftersales.carry.in"]
            .sudo()
            .search([("visit_id.quotation_id", "in", self.ids), ("state", "=", "waiting_approval")])
        )
