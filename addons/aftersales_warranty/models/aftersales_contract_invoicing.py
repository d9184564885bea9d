# The invoicing of a contract: one invoice per period, prorated when the period is not full, caught up.
from dateutil.relativedelta import relativedelta

from odoo import Command, _, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .aftersales_contract import PERIOD_MONTHS


class AftersalesContract(models.Model):
    _inherit = "aftersales.contract"  # pylint: disable=consider-merging-classes-inherited

    def action_invoice(self):
        """Invoice the periods that have started and are not invoiced yet."""
        cancelled = self.filtered(lambda c: c.state == "cancel")
        if cancelled:
            raise UserError(
                _("Cancelled contracts are not invoiced: %(contracts)s.", contracts=", ".join(cancelled.mapped("name")))
            )
        if any(contract.state == "draft" for contract in self):
            raise UserError(_("Start the contract before invoicing it."))
        # the invoices are written as superuser: only those who may change the contracts invoice them
        self.check_access("write")
        return self._aftersales_invoice_due(fields.Date.context_today(self))

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("aftersales_contract_id", "=", self.id)]
        action["context"] = {"create": False, "default_move_type": "out_invoice"}
        return action

    def _aftersales_period_end(self, period_start):
        self.ensure_one()
        period_end = period_start + relativedelta(months=PERIOD_MONTHS[self.invoicing_period], days=-1)
        return min(period_end, self.end_date)

    def _aftersales_invoice_due(self, today):
        """Create one invoice per period that has started by ``today`` and is not invoiced yet (catching up)."""
        vals_list = []
        for contract in self.filtered(lambda c: c.recurring_amount and c.next_invoice_date):
            if not contract.product_id:
                raise UserError(
                    _("Choose the service product of contract %(contract)s to invoice it.", contract=contract.name)
                )
            invoiced = set(
                contract.invoice_ids.filtered(lambda m: m.state != "cancel").mapped("aftersales_period_start")
            )
            period_start = contract.next_invoice_date
            while period_start and period_start <= today:
                if period_start > contract.end_date:
                    period_start = False
                    break
                if period_start not in invoiced:
                    vals_list.append(contract._prepare_invoice_vals(period_start))
                period_start = contract._aftersales_period_end(period_start) + relativedelta(days=1)
            if period_start and period_start > contract.end_date:
                period_start = False
            with contract._unguard("next_invoice_date"):
                contract.next_invoice_date = period_start
        moves = self.env["account.move"].sudo().with_context(default_move_type="out_invoice").create(vals_list)
        for move in moves:
            move.aftersales_contract_id.message_post(
                body=_("Invoice %(invoice)s created for %(period)s.", invoice=move.name, period=move.ref)
            )
        return moves.sudo(False)

    def _prepare_invoice_vals(self, period_start):
        """Values of the customer invoice of the period that starts on ``period_start`` (extension point)."""
        self.ensure_one()
        period_end = self._aftersales_period_end(period_start)
        period = _(
            "%(start)s to %(end)s",
            start=format_date(self.env, period_start, lang_code=self.partner_id.lang),
            end=format_date(self.env, period_end, lang_code=self.partner_id.lang),
        )
        label = _(
            "%(product)s, contract %(contract)s, %(period)s",
            product=self.product_id.display_name,
            contract=self.name,
            period=period,
        )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": period_start,
            "invoice_origin": self.name,
            "ref": period,
            "aftersales_contract_id": self.id,
            "aftersales_period_start": period_start,
            "aftersales_period_end": period_end,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": self.product_id.id,
                        "name": label,
                        "quantity": 1.0,
                        "price_unit": self.recurring_amount,
                    }
                )
            ],
        }
