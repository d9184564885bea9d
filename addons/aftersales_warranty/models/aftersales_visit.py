from odoo import models


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"

    def action_done(self):
        result = super().action_done()
        self._aftersales_propose_supplier_claims()
        return result

    def _aftersales_propose_supplier_claims(self):
        """Covered work on a unit still under its supplier's warranty: propose a claim on the supplier."""
        Claim = self.env["aftersales.supplier.claim"]
        for visit in self.filtered(lambda v: v.state == "done" and v.ticket_id.lot_id):
            Claim._aftersales_propose(visit.ticket_id.lot_id, ticket=visit.ticket_id, visit=visit)
