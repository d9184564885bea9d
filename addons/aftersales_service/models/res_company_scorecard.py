from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # every company weighs its scorecard from the start; its managers adjust the weights afterwards
        self.env["aftersales.scorecard.measure"]._create_company_defaults(companies)
        return companies
