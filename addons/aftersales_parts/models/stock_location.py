from odoo import fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    aftersales_technician_ids = fields.One2many(
        "aftersales.technician",
        "van_location_id",
        string="Van of",
        context={"active_test": False},
        help="The technicians whose van this location is: only they, and the stock and after-sales office, see "
        "what it holds.",
    )

    def _aftersales_in_warehouse_stock(self, company, branch=None):
        """Whether this location is the stock location of a warehouse of ``company`` serving ``branch``, or one
        of its sublocations. The warehouses serving a branch are its own, those of no branch, and the one
        ``res.company._aftersales_warehouse`` picks for it; without a branch, all the company's. The other
        locations of a warehouse (vans, Defective Parts, input and output) are not its stock."""
        self.ensure_one()
        location = self.sudo()
        warehouse = location.warehouse_id
        if not warehouse or warehouse.company_id != company:
            return False
        if not location.parent_path.startswith(warehouse.lot_stock_id.parent_path):
            return False
        return (
            not branch
            or not warehouse.aftersales_branch_id
            or warehouse.aftersales_branch_id == branch
            or warehouse == company._aftersales_warehouse(branch).sudo()
        )
