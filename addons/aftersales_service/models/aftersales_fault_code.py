from odoo import api, fields, models


class AftersalesFaultCode(models.Model):
    _name = "aftersales.fault.code"
    _description = "Fault Code"
    _order = "code, id"
    _rec_names_search = ["code", "name"]
    _check_company_auto = True

    code = fields.Char(required=True, index=True)
    name = fields.Char(string="Fault", required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    description = fields.Html(translate=True)
    product_category_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Categories whose products may show this fault. Leave empty for all.",
    )
    ticket_type_ids = fields.Many2many(
        "aftersales.ticket.type",
        string="Ticket Types",
        help="Ticket types this fault applies to. Leave empty for all.",
    )
    solution_ids = fields.Many2many(
        "aftersales.solution",
        "aftersales_fault_code_solution_rel",
        "fault_code_id",
        "solution_id",
        string="Solutions",
    )
    ticket_count = fields.Integer(compute="_compute_ticket_count")

    _sql_constraints = [
        ("code_company_uniq", "unique (code, company_id)", "This fault code already exists."),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for fault in self:
            fault.display_name = f"{fault.code} - {fault.name}" if fault.code else fault.name

    def _compute_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("fault_code_id", "in", self.ids)], ["fault_code_id"], ["__count"]
            )
        )
        for fault in self:
            fault.ticket_count = counts.get(fault, 0)
