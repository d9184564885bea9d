# The customer told that their request was received: its reference and what happens next.
from odoo import api, fields, models

# the channels where the customer asks us: a ticket opened from a returned delivery tells nobody
ACKNOWLEDGED_CHANNELS = ("phone", "email", "portal", "web", "walk_in")
# the acknowledgements of tickets opened many at once, sent per run of the scheduled action
ACKNOWLEDGEMENT_BATCH = 500


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    received_pending = fields.Boolean(
        string="Acknowledgement Pending",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Opened with many others at once (an import): the scheduled action e-mails its acknowledgement.",
    )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"received_pending"}

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._send_received()
        return tickets

    def _send_received(self):
        """E-mail the customers of new tickets their reference and the link to follow them, when their
        company sends it. A ticket opened by e-mail gets this one answer: the aliases of the teams do
        not answer on their own."""
        # the id alone (cached), not a query to check the template exists: its xml id goes with it
        template = self.env["mail.template"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id(
                "aftersales_service.mail_template_ticket_received", raise_if_not_found=False
            )
        )
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
            # many tickets at once (an import): their e-mails are rendered by the scheduled action, so
            # that opening them costs no rendering per ticket
            with tickets._unguard("received_pending"):
                tickets.sudo().write({"received_pending": True})
            self.env.ref("aftersales_service.ir_cron_aftersales_ticket_received").sudo()._trigger()
        return tickets

    @api.model
    def _cron_send_received(self):
        """E-mail the acknowledgements of the tickets opened many at once, a batch per call."""
        template = self.env.ref("aftersales_service.mail_template_ticket_received", raise_if_not_found=False)
        tickets = self.search([("received_pending", "=", True)], limit=ACKNOWLEDGEMENT_BATCH)
        if not tickets:
            return
        with tickets._unguard("received_pending"):
            tickets.write({"received_pending": False})
        if template:
            template.send_mail_batch(tickets.ids)
            tickets._message_log_batch(
                bodies={
                    ticket.id: self.env._(
                        "Acknowledgement of ticket %(ticket)s sent to %(customer)s.",
                        ticket=ticket.reference,
                        customer=ticket.partner_id.name,
                    )
                    for ticket in tickets
                }
            )
        remaining = self.search_count([("received_pending", "=", True)])
        self.env["ir.cron"]._notify_progress(done=len(tickets), remaining=remaining)
