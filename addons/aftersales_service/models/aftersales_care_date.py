from odoo import fields, models


class AftersalesCareDate(models.Model):
    _name = "aftersales.care.date"
    _description = "Customer Care Date"
    _order = "date"

    rule_id = fields.Many2one("aftersales.care.rule", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="rule_id.company_id", store=True, index=True)
    date = fields.Date(required=True)
    name = fields.Char(string="Note", help="e.g. the Year of the Horse")

    _sql_constraints = [
        ("rule_date_uniq", "unique (rule_id, date)", "This date is already planned for the rule."),
    ]
