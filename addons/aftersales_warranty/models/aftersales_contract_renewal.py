# The renewal of a contract: the reminder, the quotation of the next term, the contract that follows.
from dateutil.relativedelta import relativedelta

from odoo import Command, _, fields, models
from odoo.exceptions import UserError

from .aftersales_contract import RUNNING_STATES


class AftersalesContract(models.Model):
    _inherit = "aftersales.contract"  # pylint: disable=consider-merging-classes-inherited

    def action_renew(self):
        """Continue each contract for another term, at its renewal price, in a new contract linked to it."""
        wrong = self.filtered(lambda c: c.state not in (*RUNNING_STATES, "expired") or c.renewal_contract_id)
        if wrong:
            raise UserError(
                _(
                    "Only running or expired contracts not renewed yet can be renewed: %(contracts)s.",
                    contracts=", ".join(wrong.mapped("name")),
                )
            )
        self.check_access("write")
        renewals = self.env["aftersales.contract"]
        for contract in self:
            with self._unguard("next_invoice_date", "previous_contract_id"):
                renewal = contract.copy(contract._prepare_renewal_vals())
            with contract._unguard("renewal_contract_id"):
                contract.renewal_contract_id = renewal
            renewal.action_start()
            contract.message_post(
                body=_("Renewed by %(contract)s from %(date)s.", contract=renewal.name, date=renewal.start_date)
            )
            renewals |= renewal
        if self:
            self._aftersales_update_states()
        if len(renewals) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "aftersales.contract",
                "res_id": renewals.id,
                "view_mode": "form",
            }
        return True

    def action_send_reminder(self):
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

    def _aftersales_update_states(self, today=None):
        """Move contracts between running, to renew and expired; remind and auto-renew on the way."""
        today = today or fields.Date.context_today(self)
        ended = self.filtered(lambda c: c.state in RUNNING_STATES and c.end_date < today)
        to_renew = ended.filtered(lambda c: c.auto_renew and not c.renewal_contract_id)
        if to_renew:
            to_renew.action_renew()
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
