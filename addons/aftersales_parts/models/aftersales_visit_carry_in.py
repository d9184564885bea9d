from odoo import models


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    def _carry_ins(self):
        """The carry-in repairs whose workshop job these visits are."""
        # sudo: the stay of the unit follows its job, whoever finishes it
        CarryIn = self.env["aftersales.carry.in"].sudo()
        return CarryIn.search([("visit_id", "in", self.ids)]) if self.ids else CarryIn

    def _awaiting_hand_over(self):
        """The workshop jobs whose unit is still at the service centre: their follow-up call and survey
        wait for the pick-up."""
        waiting = self._carry_ins().filtered(lambda ci: ci.state not in ("collected", "cancel"))
        return waiting.visit_id

    def _after_done(self):
        result = super()._after_done()
        self._carry_ins()._mark_ready_after_workshop()
        return result
