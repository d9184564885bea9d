from odoo import fields, models


class AftersalesDealerStockReportRefuse(models.TransientModel):
    _name = "aftersales.dealer.stock.report.refuse"
    _description = "Refuse a Dealer Stock Report"

    report_ids = fields.Many2many(
        "aftersales.dealer.stock.report",
        relation="aftersales_dealer_stock_report_refuse_rel",
        column1="wizard_id",
        column2="report_id",
        string="Stock Reports",
        default=lambda self: self.env["aftersales.dealer.stock.report"].browse(self.env.context.get("active_ids", [])),
    )
    reason = fields.Text(required=True, help="Why the figures are refused; the dealer reads it on its portal.")

    def action_refuse(self):
        self.report_ids.action_refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
