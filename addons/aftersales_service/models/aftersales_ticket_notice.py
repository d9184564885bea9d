# The customer told that their request was received: its reference and what happens next.
from odoo import api, models

# the channels where the customer asks us: a ticket opened from a returned delivery tells nobody
ACKNOWLEDGED_CHANNELS = ("phone", "email", "portal", "web", "walk_in")


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._aftersales_send_received()
        return tickets

    def _aftersales_send_received(self):
        """E-mail the customers of new tickets their reference and the link to follow them, when their
        company sends it. A ticket opened by e-mail gets this one answer: the aliases of the teams do
        not answer on their own."""
        template = self.env.ref("aftersales_service.mail_template_ticket_received", raise_if_not_found=False)
        if not template:
            return self.browse()
        tickets = self.filtered(
            lambda t: (
                t.company_id.aftersales_notify_ticket
                and t.channel in ACKNOWLEDGED_CHANNELS
                and not t.is_closed
                and t.partner_id.email
            )
        )
        if not tickets:
            return tickets
        # sudo: the tickets were just created by this user; the customer is answered whoever opened them
        if len(tickets) == 1:
            # the customer opening their ticket on the portal is e-mailed too: Odoo spares the current user by default
            tickets.sudo().with_context(
                mail_post_autofollow=False, mail_notify_author=self.env.user.partner_id == tickets.partner_id
            ).message_post_with_source(template, message_type="comment", subtype_xmlid="mail.mt_comment")
        else:
            # many tickets at once (an import): rendered and queued together
            template.sudo().send_mail_batch(tickets.ids)
            tickets.sudo()._message_log_batch(
                bodies={
                    ticket.id: self.env._(
                        "Acknowledgement of ticket %(ticket)s sent to %(customer)s.",
                        ticket=ticket.reference,
                        customer=ticket.partner_id.name,
                    )
                    for ticket in tickets
                }
            )
        return tickets
