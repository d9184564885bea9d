from odoo import _, api, models
from odoo.exceptions import AccessError


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not self.env.user.share:
            self._aftersales_check_ticket_messages(vals_list)
        return super().create(vals_list)

    @api.model
    def _aftersales_check_ticket_messages(self, vals_list):
        """On tickets, who only reads them (accountants, parts clerks) writes internal notes: a message
        the customer sees comes from those who work the ticket (write access), whichever way the
        message is created. Customers answer on their own tickets from the portal."""
        ticket_vals = [
            vals for vals in vals_list if vals.get("model") == "aftersales.ticket" and not vals.get("is_internal")
        ]
        if not ticket_vals:
            return
        subtypes = self.env["mail.message.subtype"].browse(
            {vals.get("subtype_id") for vals in ticket_vals} - {None, False}
        )
        internal = set(subtypes.sudo().filtered("internal").ids)
        public = [vals for vals in ticket_vals if vals.get("subtype_id") not in internal]
        tickets = self.env["aftersales.ticket"].browse({vals.get("res_id") for vals in public} - {None, False})
        refused = tickets - tickets._filtered_access("write")
        if refused:
            raise AccessError(
                _(
                    "You may read ticket %(ticket)s but not answer its customer: write an internal note, "
                    "or ask the team in charge to answer.",
                    ticket=refused[:1].sudo().display_name,
                )
            )
