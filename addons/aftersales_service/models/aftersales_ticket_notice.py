# The customer told that their request was received: its reference and what happens next.
from collections import defaultdict

from odoo import api, fields, models

# the channels where the customer asks us: a ticket opened from a returned delivery tells nobody
ACKNOWLEDGED_CHANNELS = ("phone", "email", "portal", "web", "walk_in")
# the acknowledgements sent per run of the scheduled action
ACKNOWLEDGEMENT_BATCH = 500
RECEIVED_TEMPLATE = "aftersales_service.mail_template_ticket_received"
RECEIVED_CRON = "aftersales_service.ir_cron_aftersales_ticket_received"
# the key of the pre-commit hook that triggers it, once per transaction
RECEIVED_HOOK = "aftersales_service.ticket_received"


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    received_pending = fields.Boolean(
        string="Acknowledgement Pending",
        compute="_compute_received_pending",
        store=True,
        precompute=True,
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The customer is due the e-mail acknowledging the ticket: the scheduled action sends it "
        "right after the ticket is opened.",
    )

    # no dependencies: decided once, when the ticket is opened, and written with it
    def _compute_received_pending(self):
        """The customers of new tickets are e-mailed their reference and the link to follow them, when
        their company sends it. A ticket opened by e-mail gets this one answer: the aliases of the teams
        do not answer on their own."""
        for ticket in self:
            ticket.received_pending = bool(
                not ticket._origin
                and ticket.company_id.aftersales_notify_ticket
                and ticket.channel in ACKNOWLEDGED_CHANNELS
                and not ticket.is_closed
                and ticket.partner_id.email
            )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"received_pending"}

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        if any(tickets.mapped("received_pending")):
            tickets._trigger_received()
        return tickets

    def _trigger_received(self):
        """Opening a ticket renders nothing: the scheduled action, triggered when the transaction commits,
        renders and posts the acknowledgements of the tickets marked (see :meth:`_cron_send_received`).
        The trigger is created once per transaction, among its pre-commit hooks (as Odoo writes its
        tracking): tickets opened one by one in one transaction (an import, a batch of e-mails) wake the
        action once, and none is written for tickets rolled back."""
        hooks = self.env.cr.precommit
        if not hooks.data.get(RECEIVED_HOOK):
            hooks.data[RECEIVED_HOOK] = True  # cleared by Odoo when the hooks run or are dropped
            hooks.add(self.env["aftersales.ticket"]._trigger_received_now)

    @api.model
    def _trigger_received_now(self):
        # browsed from the cached xml id, not read back to check it exists
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(RECEIVED_CRON, raise_if_not_found=False)
        if cron_id:
            cron = self.env["ir.cron"].sudo().browse(cron_id)
            cron.fetch(["active"])  # all that the trigger reads of the action
            cron._trigger()

    @api.model
    def _cron_send_received(self):
        """E-mail the acknowledgements of the tickets marked at their creation, a batch per call: each
        ticket gets one message in its chatter, e-mailed to its customer, as the ticket's followers are
        told of any answer. The messages are rendered in batch by Odoo's composer, as the user who opened
        the tickets (the template's ``user``), and signed by the company (see :meth:`_received_author`)."""
        template = self.env.ref(RECEIVED_TEMPLATE, raise_if_not_found=False)
        tickets = self.search([("received_pending", "=", True)], limit=ACKNOWLEDGEMENT_BATCH, order="id")
        if not tickets:
            return
        with tickets._unguard("received_pending"):
            tickets.write({"received_pending": False})
        if template:
            groups = defaultdict(list)
            for ticket in tickets:
                creator = ticket.create_uid or self.env.user
                author = ticket._received_author()
                groups[(creator, author, creator.partner_id == ticket.partner_id)].append(ticket.id)
            comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
            for (creator, author, notify_author), ticket_ids in groups.items():
                # sudo as the creator: the acknowledgement is the ticket's, whatever they may read of mail
                composer = (
                    self.env["mail.compose.message"]
                    .with_user(creator)
                    .sudo()
                    .with_context(
                        default_composition_mode="comment",
                        default_model=self._name,
                        default_res_ids=ticket_ids,
                        default_template_id=template.id,
                        mail_post_autofollow=False,
                        # the customer opening their ticket on the portal is e-mailed too: Odoo spares the
                        # current user by default
                        mail_notify_author=notify_author,
                    )
                    .create({"message_type": "comment", "subtype_id": comment, "author_id": author.id})
                )
                composer._action_send_mail()
        remaining = self.search_count([("received_pending", "=", True)])
        self.env["ir.cron"]._notify_progress(done=len(tickets), remaining=remaining)

    def _received_author(self):
        """Who signs the acknowledgement of this ticket: its company, whoever opened it, so that the
        message is no answer of the team and starts no reply clock of the customer (see
        ``_message_post_after_hook``)."""
        self.ensure_one()
        return self.company_id.partner_id
