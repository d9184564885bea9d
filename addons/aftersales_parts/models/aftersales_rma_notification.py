"""The e-mails telling customers where their returns stand."""

from markupsafe import escape

from odoo import _, models

# the e-mail sent to the customer at each step of a return from a customer
CUSTOMER_TEMPLATES = {
    "approved": "aftersales_parts.mail_template_rma_approved",
    "rejected": "aftersales_parts.mail_template_rma_rejected",
    "received": "aftersales_parts.mail_template_rma_received",
    "refunded": "aftersales_parts.mail_template_rma_refunded",
}


class AftersalesRmaNotification(models.Model):
    _inherit = "aftersales.rma"  # pylint: disable=consider-merging-classes-inherited

    def _notify_customer(self, step):
        """E-mail the customers of the returns of ``self`` that their return reached ``step`` (a key of
        ``CUSTOMER_TEMPLATES``), with the link to the return on the portal; the e-mail is kept in the chatter.

        Called by the actions once they are done: nothing is sent for the returns to suppliers, nor where
        the company does not e-mail its customers. A customer without an e-mail address is not written to,
        and the chatter says so; the action goes on.
        """
        # sudo: the action that called this was allowed; telling its customer follows from it
        rmas = self.sudo().filtered(
            lambda rma: rma.direction == "customer" and rma.company_id.aftersales_rma_notify_customer
        )
        template = rmas and self.env.ref(CUSTOMER_TEMPLATES[step], raise_if_not_found=False)
        if not template:
            return
        labels = {
            "approved": _("approved"),
            "rejected": _("rejected"),
            "received": _("received"),
            "refunded": _("refunded"),
        }
        unreachable = rmas.filtered(lambda rma: not rma.partner_id.email)
        if unreachable:  # in one go: a batch of returns of customers without e-mail costs no message each
            unreachable._message_log_batch(
                {
                    rma.id: escape(
                        self.env._(
                            "%(customer)s has no e-mail address: they were not told that their return is %(step)s.",
                            customer=rma.partner_id.display_name,
                            step=labels[step],
                        )
                    )
                    for rma in unreachable
                }
            )
        user_partner = self.env.user.partner_id
        for rma in rmas - unreachable:
            # the return's responsible, else the company, else whoever acts (the warehouse user validating a
            # receipt may have no e-mail address) writes to the customer
            candidates = (rma.user_id.partner_id, rma.company_id.partner_id, user_partner)
            sender = next((partner for partner in candidates if partner.email), None)
            if not sender:
                rma._message_log(
                    body=escape(
                        self.env._(
                            "Nobody could tell %(customer)s that their return is %(step)s: neither you, the return's "
                            "responsible nor the company has an e-mail address to write from.",
                            customer=rma.partner_id.display_name,
                            step=labels[step],
                        )
                    )
                )
                continue
            rma._portal_ensure_token()
            rma.message_post_with_source(
                template,
                email_layout_xmlid="mail.mail_notification_light",
                subtype_xmlid="mail.mt_comment",
                author_id=sender.id,
                email_from=sender.email_formatted,
            )
