from odoo.tests import tagged

from .common import AftersalesCommon

MAIL_TEMPLATE = """Return-Path: <{email_from}>
To: {to}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
{extra}Date: Tue, 09 Jun 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}
"""


@tagged("post_install", "-at_install")
class TestMailGateway(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create({"name": "service.example.com"})
        cls.team.write({"alias_name": "appliances", "alias_domain_id": cls.alias_domain.id})

    def _receive(self, email_from, subject, msg_id, extra="", body="My machine does not drain."):
        message = MAIL_TEMPLATE.format(
            email_from=email_from,
            to=self.team.alias_email,
            subject=subject,
            msg_id=msg_id,
            extra=extra,
            body=body,
        )
        return self.env["mail.thread"].message_process(None, message)

    def test_alias_points_to_tickets(self):
        self.assertEqual(self.team.alias_email, "appliances@service.example.com")
        self.assertEqual(self.team.alias_id.alias_model_id.model, "aftersales.ticket")

    def test_known_sender_opens_ticket_for_customer(self):
        ticket_id = self._receive("Wendy <wendy@example.com>", "Water everywhere", "<m1@example.com>")
        ticket = self.env["aftersales.ticket"].browse(ticket_id)
        self.assertEqual(ticket.name, "Water everywhere")
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.channel, "email")
        self.assertIn("does not drain", ticket.description)
        self.assertTrue(ticket.sla_resolve_deadline)
        self.assertIn(self.customer, ticket.message_partner_ids)

    def test_unknown_sender_keeps_address(self):
        ticket_id = self._receive("stranger@example.org", "Who fixes dryers?", "<m2@example.org>")
        ticket = self.env["aftersales.ticket"].browse(ticket_id)
        self.assertFalse(ticket.partner_id)
        self.assertEqual(ticket.email_from, "stranger@example.org")
        self.assertEqual(ticket.channel, "email")

    def test_reply_lands_in_chatter(self):
        ticket_id = self._receive("wendy@example.com", "Water everywhere", "<m3@example.com>")
        ticket = self.env["aftersales.ticket"].browse(ticket_id)
        reply_id = self._receive(
            "wendy@example.com",
            "Re: Water everywhere",
            "<m4@example.com>",
            extra="In-Reply-To: <m3@example.com>\nReferences: <m3@example.com>\n",
            body="It happened again this morning.",
        )
        self.assertEqual(reply_id, ticket.id)
        self.assertEqual(self.env["aftersales.ticket"].search_count([("team_id", "=", self.team.id)]), 1)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "happened again" in (m.body or "")))
