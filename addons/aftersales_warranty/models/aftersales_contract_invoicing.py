# The invoicing of a contract: one invoice per period, prorated when the period is not full, caught up.
import logging

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from .aftersales_contract import PERIOD_MONTHS, RUNNING_STATES

_logger = logging.getLogger(__name__)


class AftersalesContract(models.Model):
    _inherit = "aftersales.contract"  # pylint: disable=consider-merging-classes-inherited

    calendar_periods = fields.Boolean(
        tracking=True,
        help="Invoice by calendar month, quarter or year: the first and the last periods, not full, "
        "are prorated by their days. Otherwise each period starts on the day the contract started.",
    )
    invoice_failed_date = fields.Date(
        string="Invoicing Failed On",
        readonly=True,
        copy=False,
        help="The day the daily invoicing could not invoice this contract (see its chatter); it is tried "
        "again the next day.",
    )

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
        return self._invoice_due(fields.Date.context_today(self))

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("aftersales_contract_id", "=", self.id)]
        action["context"] = {"create": False, "default_move_type": "out_invoice"}
        return action

    def _period_bounds(self, period_start):
        """The period that starts on ``period_start``: ``(start, end, full_start, full_end)``.

        ``end`` is cut by the end of the term; ``full_start`` and ``full_end`` bound the whole
        period (a calendar month, quarter or year with calendar periods), whose days prorate a
        period that is not full.
        """
        self.ensure_one()
        months = PERIOD_MONTHS[self.invoicing_period]
        full_start = period_start
        if self.calendar_periods:
            full_start = period_start.replace(month=(period_start.month - 1) // months * months + 1, day=1)
        full_end = full_start + relativedelta(months=months, days=-1)
        return period_start, min(full_end, self.end_date), full_start, full_end

    def _period_end(self, period_start):
        self.ensure_one()
        return self._period_bounds(period_start)[1]

    def _period_amount(self, period_start):
        """The amount of the period that starts on ``period_start`` and the share of the full period it
        covers, as ``(amount, days, full_days)``: a period cut by the start or the end of the term is
        prorated by its days."""
        self.ensure_one()
        start, end, full_start, full_end = self._period_bounds(period_start)
        days = (end - start).days + 1
        full_days = (full_end - full_start).days + 1
        if days >= full_days:
            return self.recurring_amount, days, full_days
        return self.currency_id.round(self.recurring_amount * days / full_days), days, full_days

    def _check_invoicing(self):
        """Refuse to invoice a contract that lacks what its invoices need (extension point)."""
        for contract in self:
            if not contract.product_id:
                raise UserError(
                    _("Choose the service product of contract %(contract)s to invoice it.", contract=contract.name)
                )
            customer = contract.partner_id
            if not customer.active or not customer.commercial_partner_id.active:
                raise UserError(
                    _(
                        "The customer %(customer)s of contract %(contract)s is archived: restore it, or "
                        "invoice another address, before invoicing the contract.",
                        customer=customer.display_name,
                        contract=contract.name,
                    )
                )

    def _invoice_due(self, today):
        """Create one invoice per period that has started by ``today`` and is not invoiced yet (catching up).

        Each period is invoiced once: the periods already on an invoice that is not cancelled are
        skipped, however often this runs. Raises on the first contract that cannot be invoiced;
        the daily run uses :meth:`_invoice_due_each` instead.
        """
        vals_list = []
        for contract in self.filtered(lambda c: c.recurring_amount and c.next_invoice_date):
            contract._check_invoicing()
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
                period_start = contract._period_end(period_start) + relativedelta(days=1)
            if period_start and period_start > contract.end_date:
                period_start = False
            with contract._unguard("next_invoice_date", "invoice_failed_date"):
                contract.write({"next_invoice_date": period_start, "invoice_failed_date": False})
        moves = self.env["account.move"].sudo().with_context(default_move_type="out_invoice").create(vals_list)
        for move in moves:
            move.aftersales_contract_id.message_post(
                body=_(
                    "%(invoice)s created for %(period)s.",
                    invoice=move._get_html_link(title=_("Invoice")),
                    period=move.ref,
                )
            )
        return moves.sudo(False)

    def _invoice_due_each(self, today):
        """Invoice each contract on its own: one that fails is rolled back, noted in its chatter and
        tried again tomorrow, and the others are invoiced. Returns the invoices and the failed contracts."""
        moves = self.env["account.move"]
        failed = self.browse()
        for contract in self:
            try:
                with self.env.cr.savepoint():
                    moves |= contract._invoice_due(today)
            except Exception as error:  # noqa: BLE001 - any failure of one contract must not stop the others
                # the savepoint rolled the database back: forget what the cache holds of it
                self.env.invalidate_all()
                _logger.info("Contract %s could not be invoiced: %s", contract.name, error)
                message = error.args[0] if isinstance(error, UserError) else str(error)
                contract.message_post(
                    body=_("The daily invoicing could not invoice this contract: %(error)s", error=message),
                    subtype_xmlid="mail.mt_note",
                )
                with contract._unguard("invoice_failed_date"):
                    contract.invoice_failed_date = today
                failed |= contract
        return moves, failed

    @api.model
    def _invoice_due_domain(self, today):
        """The contracts the daily run invoices: a period started, and not failed today already."""
        return [
            ("state", "in", (*RUNNING_STATES, "expired")),
            ("next_invoice_date", "<=", today),
            ("recurring_amount", ">", 0),
            ("product_id", "!=", False),
            "|",
            ("invoice_failed_date", "=", False),
            ("invoice_failed_date", "<", today),
        ]

    def _prepare_invoice_vals(self, period_start):
        """Values of the customer invoice of the period that starts on ``period_start`` (extension point)."""
        self.ensure_one()
        period_end = self._period_end(period_start)
        lang = self.partner_id.lang
        period = _(
            "%(start)s to %(end)s",
            start=format_date(self.env, period_start, lang_code=lang),
            end=format_date(self.env, period_end, lang_code=lang),
        )
        label = _(
            "%(product)s, contract %(contract)s, %(period)s",
            product=self.product_id.display_name,
            contract=self.name,
            period=period,
        )
        amount, days, full_days = self._period_amount(period_start)
        if days < full_days:
            label = _(
                "%(label)s (prorated: %(days)s of %(full_days)s days of %(amount)s)",
                label=label,
                days=days,
                full_days=full_days,
                amount=format_amount(self.env, self.recurring_amount, self.currency_id, lang_code=lang),
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
                        "price_unit": amount,
                    }
                )
            ],
        }
