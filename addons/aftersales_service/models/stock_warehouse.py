from odoo import api, fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    aftersales_branch_id = fields.Many2one(
        "aftersales.branch",
        string="After-Sales Branch",
        index="btree_not_null",
        check_company=True,
        help="The branch whose users see this warehouse's locations and transfers.",
    )

    @api.constrains("aftersales_branch_id", "company_id")
    def _check_aftersales_branch_company(self):
        self.env["aftersales.branch"]._check_branch_company(self, "aftersales_branch_id")
