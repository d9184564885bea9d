from odoo import models
from odoo.tools import SQL


class AftersalesScorecard(models.Model):
    _inherit = "aftersales.scorecard"

    def _read_job_figures(self, job_ids):
        """The parts fitted on the jobs: their quantity, and the cost of those not billed on a line (a billed
        part's cost is already the cost of its line)."""
        figures = super()._read_job_figures(job_ids)
        if not job_ids:
            return figures
        self.env.cr.execute(
            SQL(
                """SELECT p.visit_id,
                          SUM(p.quantity) AS quantity,
                          SUM(CASE WHEN p.visit_line_id IS NULL
                                   THEN p.quantity * COALESCE((pp.standard_price ->> %s)::numeric, 0)
                                   ELSE 0 END) AS cost
                     FROM aftersales_visit_part p
                     JOIN product_product pp ON pp.id = p.product_id
                    WHERE p.visit_id IN %s AND NOT COALESCE(p.removed, FALSE)
                    GROUP BY p.visit_id""",
                str(self.company_id.id),
                tuple(job_ids),
            )
        )
        for row in self.env.cr.dictfetchall():
            job = figures.setdefault(row["visit_id"], {"revenue": 0.0, "cost": 0.0})
            job["cost"] += float(row["cost"] or 0.0)
            job["part_quantity"] = float(row["quantity"] or 0.0)
        return figures

    def _prepare_extra_figures(self, tally):
        figures = super()._prepare_extra_figures(tally)
        quantity = tally.extra.get("part_quantity", 0.0)
        figures["part_quantity"] = quantity
        figures["parts_per_job"] = quantity / tally.jobs if tally.jobs else None
        return figures

    def _measure_values(self, figures, tally):
        values = super()._measure_values(figures, tally)
        values["parts_per_job"] = figures.get("parts_per_job")
        return values
