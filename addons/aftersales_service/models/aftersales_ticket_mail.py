"""The conversation of a ticket: e-mails to the teams' aliases, who may write to the customer, the
customer as follower, and the subtypes of the stage changes."""

from odoo import Command, _, api, models
from odoo.exceptions import AccessError


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values and self.is_closed:
            return self.env.ref("aftersales_service.mt_ticket_closed")
        if "stage_id" in init_values and not init_values["stage_id"]:
            return self.env.ref("aftersales_service.mt_ticket_new")
        if "stage_id" in init_values:
            return self.env.ref("aftersales_service.mt_ticket_stage")
        return super()._track_subtype(init_values)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail sent to a team's alias opens a ticket for the sender's contact."""
        values = dict(custom_values or {})
        values.setdefault("channel", "email")
        values.setdefault("description", msg_dict.get("body"))
        author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if not author and msg_dict.get("email_from"):
            author = (
                self.env["mail.thread"]._mail_find_partner_from_emails([msg_dict["email_from"]], force_create=False)[0]
                or self.env["res.partner"]
            )
        if author and not author.user_ids.filtered(lambda user: not user.share):
            values.setdefault("partner_id", author.id)
        if not msg_dict.get("subject"):
            values.setdefault("name", _("Request from %(sender)s", sender=msg_dict.get("email_from")))
        return super().message_new(msg_dict, custom_values=values)

    def message_post(self, **kwargs):
        self._check_post_to_customers(kwargs)
        return super().message_post(**kwargs)

    def _check_post_to_customers(self, post_values):
        """Readers of a ticket (accountants, parts clerks) write internal notes on it, read by employees
        only; what goes to the customer and the other followers comes from those who work the ticket
        (write access). Customers answer on their own tickets from the portal."""
        if self.env.su or self.env.user.share or not self or self.has_access("write"):
            return
        subtype = self.env["mail.message.subtype"]
        if post_values.get("subtype_id"):
            subtype = subtype.browse(post_values["subtype_id"])
        else:
            subtype = self.env.ref(post_values.get("subtype_xmlid") or "mail.mt_note", raise_if_not_found=False)
        partners = self.env["res.partner"].browse(post_values.get("partner_ids") or []).sudo()
        to_outsiders = any(partners.mapped("partner_share"))
        if (subtype and not subtype.internal) or to_outsiders:
            raise AccessError(
                _(
                    "You may read ticket %(ticket)s but not answer its customer: write an internal note, "
                    "or ask the team in charge to answer.",
                    ticket=self[:1].display_name,
                )
            )

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        if self.partner_id and self.partner_id not in self.message_partner_ids:
            self._message_add_suggested_recipient(recipients, partner=self.partner_id, reason=_("Customer"))
        elif not self.partner_id and self.email_from:
            self._message_add_suggested_recipient(recipients, email=self.email_from, reason=_("Requester"))
        return recipients

    def _subscribe_customers(self, creator=None, followed=True):
        """The customer follows their tickets, so that answers reach them; ``creator``, the partner who
        opened new tickets, follows them too, with the default subtypes, as ``mail.thread`` subscribes
        the creator of a document. ``followed``: whether the tickets may have followers already (new
        tickets have none, unless ``mail.thread`` subscribed their assignee).

        Followers are inserted in one batch, with the subtypes ``message_subscribe`` would give them,
        instead of one call per customer.
        """
        creator = creator or self.env["res.partner"]
        tickets = self if creator else self.filtered("partner_id")
        if not tickets:
            return
        Followers = self.env["mail.followers"].sudo()
        following = followed and {
            (follower.res_id, follower.partner_id.id)
            for follower in Followers.search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", tickets.ids),
                    ("partner_id", "in", (tickets.partner_id | creator).ids),
                ],
                ["res_id", "partner_id"],
            )
        }
        following = following or set()
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        vals_list = []
        for ticket in tickets:
            for partner, subtypes in (
                (creator, default),
                (ticket.partner_id, external if ticket.partner_id.partner_share else default),
            ):
                if not partner or (ticket.id, partner.id) in following:
                    continue
                following.add((ticket.id, partner.id))
                vals_list.append(
                    {
                        "res_model": self._name,
                        "res_id": ticket.id,
                        "partner_id": partner.id,
                        "subtype_ids": [Command.set(subtypes.ids)],
                    }
                )
        Followers.create(vals_list)

    def _creation_message(self):
        # the name of the document without reading the model's record
        self.ensure_one()
        return _("Service Ticket created")
