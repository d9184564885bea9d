from collections import defaultdict

from odoo import fields, models


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"

    # what the technician reads on site: whether the unit is still under warranty
    warranty_state = fields.Selection(related="ticket_id.warranty_state", compute_sudo=False)
    warranty_end_date = fields.Date(related="ticket_id.warranty_end_date", compute_sudo=False)
    # the inverse of the campaign units' visit: a visit's change of state finds its campaign units
    # in the visits' prefetch, not by a search per visit written (the planner writes them one by one)
    campaign_line_ids = fields.One2many("aftersales.campaign.line", "visit_id", string="Campaign Units", readonly=True)

    def _after_done(self):
        result = super()._after_done()
        self._start_installed_warranties()
        self._propose_supplier_claims()
        return result

    def _start_installed_warranties(self):
        """Start, on the day the installation visit checked out, the warranties that wait for it.

        A serial's warranty is found by the ticket's serial number; an untracked unit's by the
        delivered move of the visit, else by the ticket's sale order line.
        """
        visits = self.filtered(lambda v: v.state == "done" and v.visit_kind == "installation" and v.check_out)
        if not visits:
            return
        lots = visits.ticket_id.lot_id
        sale_lines = visits.ticket_id.sale_line_id
        if not lots and not sale_lines:
            return
        domain = [("state", "=", "draft"), ("policy_id.start_trigger", "=", "installation")]
        if lots and sale_lines:
            domain += ["|", ("lot_id", "in", lots.ids), ("sale_line_id", "in", sale_lines.ids)]
        elif lots:
            domain += [("lot_id", "in", lots.ids)]
        else:
            domain += [("sale_line_id", "in", sale_lines.ids)]
        waiting = self.env["aftersales.warranty"].sudo().search(domain)
        by_date = defaultdict(lambda: waiting.browse())
        for visit in visits:
            installed = visit._waiting_warranties(waiting)
            if installed:
                by_date[fields.Date.context_today(visit, visit.check_out)] |= installed
                waiting -= installed
        for start, warranties in by_date.items():
            warranties._start(start)

    def _waiting_warranties(self, waiting):
        """The warranties among ``waiting`` that this installation visit starts."""
        self.ensure_one()
        ticket = self.ticket_id
        if ticket.lot_id:
            return waiting.filtered(lambda w: w.lot_id == ticket.lot_id)
        if self.move_id:
            return waiting.filtered(lambda w: not w.lot_id and w.move_id == self.move_id)
        return waiting.filtered(lambda w: not w.lot_id and w.sale_line_id == ticket.sale_line_id)

    def _propose_supplier_claims(self):
        """Covered work on a unit still under its supplier's warranty: propose a claim on the supplier."""
        Claim = self.env["aftersales.supplier.claim"]
        for visit in self.filtered(lambda v: v.state == "done" and v.ticket_id.lot_id):
            Claim._propose(visit.ticket_id.lot_id, ticket=visit.ticket_id, visit=visit)
