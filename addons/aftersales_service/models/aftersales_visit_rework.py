from datetime import timedelta

from odoo import models
from odoo.osv import expression

# The kinds of visit that come back because something went wrong: a repair. Planned work
# (installation, maintenance, inspection) and a follow-up are not re-work.
REWORK_KINDS = ("repair",)


class AftersalesVisitRework(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    def _rework_unit_key(self):
        """The unit a visit works on: the serial number of its ticket, else the ticket itself."""
        self.ensure_one()
        return ("lot", self.ticket_id.lot_id.id) if self.ticket_id.lot_id else ("ticket", self.ticket_id.id)

    def _rework_unit_domain(self):
        """Domain of the visits on the same units as these visits (see :meth:`_rework_unit_key`)."""
        lots = self.ticket_id.lot_id
        tickets = self.filtered(lambda visit: not visit.ticket_id.lot_id).ticket_id
        domains = []
        if lots:
            domains.append([("ticket_id.lot_id", "in", lots.ids)])
        if tickets:
            domains.append([("ticket_id", "in", tickets.ids)])
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    def _find_revisits(self, windows):
        """The revisit that shows each of these done visits needed re-work.

        A revisit of a visit is a later done repair visit (see ``REWORK_KINDS``) on the same unit,
        on any ticket, started within ``windows[visit]`` days after the visit was done. The first
        one counts. Searched in one query for all the visits.

        :param dict windows: ``{visit: days}``; visits without a window have no revisit
        :return: ``{visit: revisit}`` for the visits that have one
        """
        visits = self.filtered(lambda visit: visit.state == "done" and visit.check_out and windows.get(visit))
        if not visits:
            return {}
        ends = {visit: visit.check_out + timedelta(days=windows[visit]) for visit in visits}
        candidates = self.search(
            expression.AND(
                [
                    visits._rework_unit_domain(),
                    [
                        ("state", "=", "done"),
                        ("visit_kind", "in", REWORK_KINDS),
                        ("company_id", "in", visits.company_id.ids),
                        ("check_in", ">", min(visits.mapped("check_out"))),
                        ("check_in", "<=", max(ends.values())),
                    ],
                ]
            ),
            order="check_in, id",
        )
        by_unit = {}
        for candidate in candidates:
            by_unit.setdefault(candidate._rework_unit_key(), []).append(candidate)
        result = {}
        for visit in visits:
            for candidate in by_unit.get(visit._rework_unit_key(), ()):
                if (
                    candidate != visit
                    and candidate.company_id == visit.company_id
                    and visit.check_out < candidate.check_in <= ends[visit]
                ):
                    result[visit] = candidate
                    break
        return result

    def _find_reworked(self, max_days):
        """The earlier done visits, on the same units, that these done visits may be re-work of
        (done at most ``max_days`` days before them): their commissions follow these visits."""
        revisits = self.filtered(
            lambda visit: visit.state == "done" and visit.check_in and visit.visit_kind in REWORK_KINDS
        )
        if not revisits or not max_days:
            return self.browse()
        starts = revisits.mapped("check_in")
        return self.search(
            expression.AND(
                [
                    revisits._rework_unit_domain(),
                    [
                        ("id", "not in", revisits.ids),
                        ("state", "=", "done"),
                        ("company_id", "in", revisits.company_id.ids),
                        ("check_out", ">=", min(starts) - timedelta(days=max_days)),
                        ("check_out", "<", max(starts)),
                    ],
                ]
            )
        )
