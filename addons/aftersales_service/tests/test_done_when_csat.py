import io
import re
from html import unescape

import openpyxl

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged

from .test_survey import AftersalesSurveyCommon


@tagged("post_install", "-at_install")
class TestDoneWhenCsat(AftersalesSurveyCommon, HttpCase):
    """From a repaired ticket to the month's Excel report, through the real routes: the follow-up
    call, the survey sent on closing, the customer's low score through the link of the e-mail, the
    complaint for the manager and the report downloaded by the manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager.tz = "UTC"
        cls.type_repair.write({"followup_required": True, "followup_delay": 2})

    def _survey_link(self, mail):
        """The customer's personal link, as written in the e-mail."""
        links = re.findall(r'href="([^"]*/survey/start/[^"]*)"', mail.body_html)
        self.assertTrue(links, "the e-mail carries a link to the survey")
        return "/survey/" + unescape(links[0]).split("/survey/", 1)[1]

    def test_repair_to_report(self):
        ticket = self._ticket(user_id=self.agent.id, lot_id=self.lot.id)
        agent_ticket = ticket.with_user(self.agent)
        self._done_visit(ticket, self.tech_a)

        # the repair is done: a follow-up call is planned, and the ticket waits for it
        followup = ticket.followup_ids
        self.assertEqual(followup.state, "planned")
        self.assertEqual(followup.user_id, self.agent)
        agent_ticket.resolution = "<p>Replaced the drain pump.</p>"
        with self.assertRaisesRegex(UserError, "follow-up call"):
            agent_ticket.action_close()
        self.assertFalse(ticket.csat_answer_ids, "no survey while the ticket is open")

        # the agent logs the call, then closes the ticket
        with Form(followup.with_user(self.agent)) as form:
            form.satisfied = "yes"
            form.problem_solved = "yes"
            form.fee_correct = "yes"
            form.notes = "<p>Drains well.</p>"
        followup.with_user(self.agent).action_done()
        self.assertEqual(followup.state, "done")
        agent_ticket.action_close()
        self.assertTrue(ticket.is_closed)

        # closing sent the invitation with the customer's personal link
        answer = ticket.csat_answer_ids
        self.assertEqual(len(answer), 1)
        mail = self._invitation_mails(answer)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        link = self._survey_link(mail)
        self.assertIn(answer.access_token, link)

        # the customer, not logged in, opens the link and submits a low score
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.survey.title, response.text)
        result = self._answer_through_link(
            answer, 2, solved=True, conduct=3, comment="The noise came back after two days."
        )
        self.assertNotIn("error", result[1])
        self.assertEqual(answer.state, "done")
        self.assertEqual(ticket.csat_score, 2)

        # an answer token of no one is refused
        wrong = f"{self.survey.get_base_url()}/survey/submit/{self.survey.access_token}/not-a-token"
        response = self.opener.post(url=wrong, json={"params": {"token": "not-a-token"}})
        self.assertIn("error", response.json()["result"][1])

        # a complaint linked to the ticket, with an activity for the manager
        complaint = ticket.complaint_ids
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.complaint_of_id, ticket)
        self.assertEqual(complaint.ticket_type_id, self.env.ref("aftersales_service.ticket_type_complaint"))
        self.assertIn("The noise came back after two days.", complaint.description)
        activity = complaint.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.manager)
        self.assertEqual(answer.aftersales_complaint_id, complaint)
        # the repaired ticket stays closed: the complaint is handled on its own ticket
        self.assertTrue(ticket.is_closed)
        self.assertEqual(ticket.reopen_count, 0)

        # the manager downloads this month's ticket report
        wizard_form = Form(self.env["aftersales.report.export"].with_user(self.manager))
        self.assertEqual(wizard_form.report_kind, "tickets")
        today = fields.Date.today()  # the manager works in UTC
        self.assertEqual(wizard_form.date_from, today.replace(day=1))
        self.assertEqual(wizard_form.date_to, today)
        wizard_form.team_id = self.team
        action = wizard_form.save().action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        url = action["url"]

        # not without a login
        self.assertEqual(self.url_open(url).status_code, 404)
        self.authenticate(self.manager.login, self.manager.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertIn(".xlsx", response.headers["Content-Disposition"])
        book = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
        rows = list(book["Tickets"].iter_rows(values_only=True))
        header = rows[2]
        column = {title: index for index, title in enumerate(header)}
        data, totals = rows[3:-1], rows[-1]
        self.assertEqual(
            {row[column["Reference"]] for row in data},
            {ticket.reference, complaint.reference},
            "the repaired ticket and its complaint, reported this month",
        )
        row = next(row for row in data if row[column["Reference"]] == ticket.reference)
        self.assertEqual(row[column["Customer"]], self.customer.display_name)
        self.assertEqual(row[column["Serial Number"]], self.lot.name)
        self.assertEqual(row[column["Closed"]], 1)
        self.assertEqual(row[column["Visits"]], 1)
        self.assertEqual(totals[0], "Total: 2 tickets")
        self.assertEqual(totals[column["Visits"]], 1)
        self.assertEqual(totals[column["Closed"]], 1)
        self.assertEqual(totals[column["Reopened"]], 0)
