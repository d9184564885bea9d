from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

LINE_TYPES = [("job", "Job")]


class AftersalesPartnerSettlementLine(models.Model):
    _name = "aftersales.partner.settlement.line"
    _description = "Service Partner Settlement Line"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "settlement_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    settlement_id = fields.Many2one("aftersales.partner.settlement", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="settlement_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    partner_id = fields.Many2one(related="settlement_id.partner_id", store=True, string="Service Partner")
    state = fields.Selection(related="settlement_id.state", store=True, index=True, precompute=True)
    line_type = fields.Selection(LINE_TYPES, string="Type", required=True, default="job")
    visit_id = fields.Many2one(
        "aftersales.visit", string="Job", required=True, index=True, check_company=True, ondelete="restrict"
    )
    job_date = fields.Datetime(related="visit_id.check_out", string="Done on")
    name = fields.Char(string="Description", required=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    price_unit = fields.Monetary(string="Unit Price")
    price_subtotal = fields.Monetary(string="Subtotal", compute="_compute_price_subtotal", store=True)
    move_line_ids = fields.One2many(
        "account.move.line", "aftersales_settlement_line_id", string="Bill Lines", readonly=True
    )

    def init(self):
        # the database itself refuses a job on two live settlements
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS aftersales_partner_settlement_line_job_once
                ON aftersales_partner_settlement_line (visit_id)
             WHERE line_type = 'job' AND state != 'cancel'
            """
        )

    @api.depends("quantity", "price_unit")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.currency_id.round(line.quantity * line.price_unit)

    def _check_not_settled(self, jobs):
        """Refuse jobs already on a live settlement, or twice in the same batch."""
        settled = self.search([("visit_id", "in", jobs.ids), ("line_type", "=", "job"), ("state", "!=", "cancel")])
        twice = [job for job in set(jobs) if jobs.ids.count(job.id) > 1]
        if settled or twice:
            raise ValidationError(
                _(
                    "A job is settled only once: %(jobs)s already are on %(settlements)s.",
                    jobs=", ".join((settled.visit_id | jobs.browse([job.id for job in twice])).mapped("name")),
                    settlements=", ".join(settled.settlement_id.mapped("name")) or _("this settlement"),
                )
            )

    @api.constrains("visit_id", "line_type", "state")
    def _check_job_settled_once(self):
        jobs = self.filtered(lambda line: line.line_type == "job" and line.state != "cancel")
        if not jobs:
            return
        others = self.search(
            [
                ("visit_id", "in", jobs.visit_id.ids),
                ("line_type", "=", "job"),
                ("state", "!=", "cancel"),
                ("id", "not in", jobs.ids),
            ]
        )
        duplicated = others.visit_id | jobs.visit_id.filtered(
            lambda visit: len(jobs.filtered(lambda line: line.visit_id == visit)) > 1
        )
        if duplicated:
            raise ValidationError(
                _(
                    "A job is settled only once: %(jobs)s already are on %(settlements)s.",
                    jobs=", ".join(duplicated.mapped("name")),
                    settlements=", ".join(others.settlement_id.mapped("name")) or _("this settlement"),
                )
            )

    @api.constrains("visit_id", "settlement_id")
    def _check_partner_job(self):
        for line in self:
            if line.visit_id.service_partner_id != line.settlement_id.partner_id.commercial_partner_id:
                raise ValidationError(
                    _(
                        "%(visit)s was not done by %(partner)s: it cannot be on their settlement.",
                        visit=line.visit_id.name,
                        partner=line.settlement_id.partner_id.display_name,
                    )
                )

    @api.model
    def _guarded_fields(self):
        """The status (the settlement's) and the bill lines change by the settlement's actions only."""
        return super()._guarded_fields() | {"state", "move_line_ids"}

    def _locked_records(self):
        """The lines of confirmed and billed settlements."""
        return super()._locked_records() | self.filtered(
            lambda line: line.settlement_id.state in ("confirmed", "billed")
        )

    @api.model_create_multi
    def create(self, vals_list):
        settlements = self.env["aftersales.partner.settlement"].browse(
            {vals.get("settlement_id") for vals in vals_list}
        )
        settlements._check_lines_editable()
        job_ids = [
            vals["visit_id"] for vals in vals_list if vals.get("visit_id") and vals.get("line_type", "job") == "job"
        ]
        if job_ids:
            self._check_not_settled(self.env["aftersales.visit"].browse(job_ids))
        return super().create(vals_list)

    def write(self, vals):
        # the rights first: a locked line is refused as such
        self._guard_check_write(vals)
        self.settlement_id._check_lines_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        self.settlement_id._check_lines_editable()
