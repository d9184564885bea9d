# The renewal of a contract: the reminder, the quotation of the next term, the contract that follows.
from dateutil.relativedelta import relativedelta

from odoo import Command, _, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from .aftersales_contract import PERIOD_MONTHS, RUNNING_STATES


class AftersalesContract(models.Model):
    _inherit = "aftersales.contract"  # pylint: disable=consider-merging-classes-inherited

    renewal_order_id = fields.Many2one(
        "sale.order",
        string="Renewal Quotation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The quotation of the next term sent to the customer: once confirmed, the next contract starts "
        "the day after this one ends.",
    )
    renewal_order_state = fields.Selection(related="renewal_order_id.state", string="Renewal Quotation Status")

    def action_renew(self):
        """Send the customer the quotation of the next term, at the renewal price. The customer accepts
        it on the portal (or the sales team confirms it): then the next contract starts after this one."""
        self._check_renewable()
        self.check_access("write")
        orders = self.env["sale.order"]
        for contract in self:
            # the checks are passed: the quotation is written with the rights of the sales team
            order = self.env["sale.order"].sudo().create(contract._prepare_renewal_order_vals())
            with contract._unguard("renewal_order_id"):
                contract.renewal_order_id = order
            order._aftersales_send_quotation()
            contract.message_post(
                body=_(
                    "Renewal quotation %(order)s of %(amount)s sent to %(customer)s.",
                    order=order._get_html_link(),
                    amount=format_amount(self.env, order.amount_total, order.currency_id),
                    customer=order.partner_id.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            orders |= order
        if len(orders) == 1 and orders.has_access("read"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "sale.order",
                "res_id": orders.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return True

    def _check_renewable(self):
        wrong = self.filtered(lambda c: c.state not in (*RUNNING_STATES, "expired") or c.renewal_contract_id)
        if wrong:
            raise UserError(
                _(
                    "Only running or expired contracts not renewed yet can be renewed: %(contracts)s.",
                    contracts=", ".join(wrong.mapped("name")),
                )
            )
        pending = self.filtered(lambda c: c.sudo().renewal_order_id.state in ("draft", "sent", "sale"))
        if pending:
            raise UserError(
                _(
                    "The renewal quotation of %(contracts)s is already sent: cancel it to send another one.",
                    contracts=", ".join(pending.mapped("name")),
                )
            )
        unpriced = self.filtered(lambda c: not c.product_id)
        if unpriced:
            raise UserError(
                _(
                    "Choose the service product of %(contracts)s to quote its renewal.",
                    contracts=", ".join(unpriced.mapped("name")),
                )
            )

    def _renewal_period_amount(self):
        """The price per invoicing period of the next term."""
        self.ensure_one()
        return self.renewal_amount or self.recurring_amount

    def _renewal_term_amount(self):
        """The price of the whole next term: the renewal price of each of its periods."""
        self.ensure_one()
        periods = self.term_months / PERIOD_MONTHS[self.invoicing_period]
        return self.currency_id.round(self._renewal_period_amount() * periods)

    def _prepare_renewal_order_vals(self):
        """Values of the quotation of the next term (extension point)."""
        self.ensure_one()
        start = self.end_date + relativedelta(days=1)
        end = start + relativedelta(months=self.term_months, days=-1)
        lang = self.partner_id.lang
        name = _(
            "Renewal of contract %(contract)s: %(product)s from %(start)s to %(end)s",
            contract=self.name,
            product=self.product_id.display_name,
            start=format_date(self.env, start, lang_code=lang),
            end=format_date(self.env, end, lang_code=lang),
        )
        vals = {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "origin": self.name,
            "order_line": [
                Command.create(
                    {
                        "product_id": self.product_id.id,
                        "name": name,
                        "product_uom_qty": 1.0,
                        "price_unit": self._renewal_term_amount(),
                        "aftersales_renewed_contract_id": self.id,
                    }
                )
            ],
        }
        if self.pricelist_id:
            vals["pricelist_id"] = self.pricelist_id.id
        return vals

    def _renew_from_sale_lines(self, sale_lines):
        """The renewal quotations of these lines are confirmed: each renewed contract continues in a
        new contract, starting the day after it ends, paid by the order line."""
        renewals = self.browse()
        for line in sale_lines:
            contract = line.aftersales_renewed_contract_id
            # only the quotation the contract sent renews it, once
            if contract.renewal_contract_id or contract.renewal_order_id != line.order_id:
                continue
            vals = contract._prepare_renewal_vals()
            vals.update(
                {
                    "sale_line_id": line.id,
                    # the order pays the term; the next renewal is quoted at the same price
                    "recurring_amount": 0.0,
                    "renewal_amount": contract._renewal_period_amount(),
                    "next_invoice_date": False,
                    "auto_renew": False,
                }
            )
            renewals |= contract._renew_with(vals)
        return renewals

    def _renew_with(self, vals):
        """Create and start the contract that continues this one with ``vals``, and link them."""
        self.ensure_one()
        with self._unguard("next_invoice_date", "previous_contract_id", "sale_line_id"):
            renewal = self.copy(vals)
        with self._unguard("renewal_contract_id"):
            self.renewal_contract_id = renewal
        renewal.action_start()
        self.message_post(
            body=_(
                "Renewed by %(contract)s from %(date)s.",
                contract=renewal._get_html_link(),
                date=format_date(self.env, renewal.start_date),
            )
        )
        return renewal

    def _renew_directly(self):
        """Continue these contracts for another term without a quotation (tacit renewal)."""
        renewals = self.browse()
        for contract in self:
            renewals |= contract._renew_with(contract._prepare_renewal_vals())
        if self:
            self._update_states()
        return renewals

    def action_send_reminder(self):
        self.check_access("write")
        template = self.env.ref("aftersales_warranty.mail_template_contract_renewal_reminder")
        for contract in self:
            contract.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=contract.partner_id.ids,
            )
        with self._unguard("reminder_sent"):
            self.write({"reminder_sent": True})

    def _prepare_renewal_vals(self):
        """Values of the contract that continues this one (extension point)."""
        self.ensure_one()
        start = self.end_date + relativedelta(days=1)
        return {
            "start_date": start,
            "end_date": start + relativedelta(months=self.term_months, days=-1),
            "recurring_amount": self.renewal_amount or self.recurring_amount,
            "renewal_amount": 0.0,
            "previous_contract_id": self.id,
            "lot_ids": [Command.set(self.lot_ids.ids)],
            "site_partner_ids": [Command.set(self.site_partner_ids.ids)],
            "next_invoice_date": start,
        }

    def _update_states(self, today=None):
        """Move contracts between running, to renew and expired; remind and auto-renew on the way."""
        today = today or fields.Date.context_today(self)
        ended = self.filtered(lambda c: c.state in RUNNING_STATES and c.end_date < today)
        # tacit renewal, unless the customer is deciding on a renewal quotation
        to_renew = ended.filtered(
            lambda c: (
                c.auto_renew
                and not c.renewal_contract_id
                and c.sudo().renewal_order_id.state not in ("draft", "sent", "sale")
            )
        )
        if to_renew:
            to_renew._renew_directly()
        ending = self.filtered(
            lambda c: (
                c.state == "running" and c not in ended and c.end_date - relativedelta(days=c.reminder_days) <= today
            )
        )
        with self._unguard("state"):
            ended.write({"state": "expired"})
            ending.write({"state": "to_renew"})
        to_remind = (self - ended).filtered(
            lambda c: c.state == "to_renew" and not c.reminder_sent and not c.renewal_contract_id
        )
        to_remind.action_send_reminder()
