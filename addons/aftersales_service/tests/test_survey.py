from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SIGNATURE, AftersalesCommon


class AftersalesSurveyCommon(AftersalesCommon):
    """The shipped satisfaction survey as the company's, two technicians who
    serve the customer, and helpers to close tickets and answer like a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env.ref("aftersales_service.survey_csat")
        cls.company.write(
            {
                "aftersales_csat_survey_id": cls.survey.id,
                "aftersales_csat_trigger": "ticket_close",
                "aftersales_csat_deadline_days": 14,
                "aftersales_csat_threshold": 2,
            }
        )
        cls.q_overall = cls.env.ref("aftersales_service.survey_csat_question_overall")
        cls.q_solved = cls.env.ref("aftersales_service.survey_csat_question_solved")
        cls.q_conduct = cls.env.ref("aftersales_service.survey_csat_question_conduct")
        cls.q_comment = cls.env.ref("aftersales_service.survey_csat_question_comment")
        cls.zone = cls.env["aftersales.zone"].create(
            {"name": "Everywhere", "country_ids": [Command.set(cls.env.ref("base.be").ids)]}
        )
        cls.customer.write({"zip": "1050", "country_id": cls.env.ref("base.be").id, "city": "Brussels"})
        cls.tech_a, cls.tech_b = cls._create_technicians(cls.zone)
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_repair")

    def _closed_ticket(self, technician=None, **values):
        ticket = self._ticket(resolution="<p>Replaced the drain pump.</p>", **values)
        if technician:
            self._done_visit(ticket, technician)
        ticket.action_close()
        return ticket

    def _done_visit(self, ticket, technician):
        visit = self.env["aftersales.visit"].create(
            {
                "ticket_id": ticket.id,
                "visit_type_id": self.visit_type.id,
                "scheduled_start": datetime(2026, 6, 9, 10, 0),
            }
        )
        with visit._assignment_checked():
            visit.technician_id = technician
        visit.action_schedule()
        visit.action_start()
        visit.write({"work_report": "<p>Done.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        visit.action_done()
        return visit

    def _choice(self, question, score):
        return question.suggested_answer_ids.filtered(lambda choice: choice.answer_score == score)

    def _answer(self, answer, overall, solved=True, conduct=5, comment=""):
        """Answer as the customer does: survey's own line saving, then submit."""
        answer._save_lines(self.q_overall, self._choice(self.q_overall, overall).id)
        answer._save_lines(self.q_solved, self._choice(self.q_solved, 1 if solved else 0).id)
        answer._save_lines(self.q_conduct, self._choice(self.q_conduct, conduct).id)
        answer._save_lines(self.q_comment, comment)
        answer._mark_done()
        return answer

    def _answer_through_link(self, answer, overall, solved=True, conduct=5, comment=""):
        """Answer as the customer does in the browser, without login, through survey's own routes
        (HttpCase only): start, then submit the page. Returns the JSON result of the submit."""
        base = f"{self.survey.get_base_url()}/survey/%s/{self.survey.access_token}/{answer.access_token}"
        response = self.opener.post(url=base % "begin", json={})
        self.assertEqual(response.status_code, 200)
        post_data = {
            str(self.q_overall.id): str(self._choice(self.q_overall, overall).id),
            str(self.q_solved.id): str(self._choice(self.q_solved, 1 if solved else 0).id),
            str(self.q_conduct.id): str(self._choice(self.q_conduct, conduct).id),
            str(self.q_comment.id): comment,
            "token": answer.access_token,
        }
        response = self.opener.post(url=base % "submit", json={"params": post_data})
        self.assertEqual(response.status_code, 200)
        return response.json()["result"]

    def _invitation_mails(self, answer):
        return self.env["mail.mail"].search([("body_html", "ilike", answer.access_token)])


@tagged("post_install", "-at_install")
class TestSurvey(AftersalesSurveyCommon):
    def test_invitation_on_closing(self):
        ticket = self._ticket(resolution="<p>Cleaned the filter.</p>")
        self.assertFalse(ticket.csat_answer_ids, "no survey before the ticket closes")
        before = fields.Datetime.now()
        # an agent closes the ticket, without any right on surveys
        ticket.with_user(self.agent).action_close()
        answer = ticket.csat_answer_ids
        self.assertEqual(len(answer), 1)
        self.assertEqual(answer.survey_id, self.survey)
        self.assertEqual(answer.partner_id, self.customer)
        self.assertEqual(answer.email, "wendy@example.com")
        self.assertEqual(answer.state, "new")
        self.assertAlmostEqual(answer.deadline, before + timedelta(days=14), delta=timedelta(minutes=1))
        self.assertEqual(ticket.csat_answer_count, 1)
        mail = self._invitation_mails(answer)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(ticket.reference, mail.subject)
        link = f"/survey/start/{self.survey.access_token}?answer_token={answer.access_token}"
        self.assertIn(link, mail.body_html, "the e-mail carries the customer's personal link")
        self.assertIn("Satisfaction survey sent to wendy@example.com", ticket.message_ids[0].body)
        action = ticket.action_view_csat_answers()
        self.assertEqual(self.env["survey.user_input"].search(action["domain"]), answer)

    def test_survey_of_type_then_team_then_company(self):
        survey_team = self.survey.copy({"title": "Team survey"})
        survey_type = self.survey.copy({"title": "Repair survey"})
        self.assertEqual(self._ticket()._csat_survey(), self.survey)
        self.team.csat_survey_id = survey_team
        self.assertEqual(self._ticket()._csat_survey(), survey_team)
        self.type_repair.csat_survey_id = survey_type
        ticket = self._closed_ticket()
        self.assertEqual(ticket.csat_answer_ids.survey_id, survey_type)

    def test_answer_linked_to_ticket_and_technician(self):
        ticket = self._closed_ticket(technician=self.tech_a)
        answer = ticket.csat_answer_ids
        self.assertEqual(answer.aftersales_ticket_id, ticket)
        self.assertEqual(answer.aftersales_technician_id, self.tech_a)
        self.assertEqual(answer.aftersales_visit_id, ticket.visit_ids)
        self.assertEqual(answer.aftersales_team_id, self.team)
        self._answer(answer, 4, conduct=5, comment="Quick and tidy.")
        self.assertEqual(answer.state, "done")
        self.assertEqual(answer.aftersales_overall_score, 4)
        self.assertEqual(answer.aftersales_conduct_score, 5)
        self.assertEqual(answer.aftersales_solved, "yes")
        self.assertEqual(answer.aftersales_comment, "Quick and tidy.")
        self.assertEqual(ticket.csat_score, 4)
        self.assertEqual(ticket.csat_solved, "yes")
        self.assertFalse(ticket.complaint_ids, "a good score opens no complaint")
        self.assertFalse(answer.aftersales_complaint_id)

    def test_invitation_when_visit_done(self):
        self.company.aftersales_csat_trigger = "visit_done"
        ticket = self._ticket(resolution="<p>Replaced the drain pump.</p>")
        visit = self._done_visit(ticket, self.tech_b)
        answer = ticket.csat_answer_ids
        self.assertEqual(len(answer), 1)
        self.assertEqual(answer.aftersales_visit_id, visit)
        self.assertEqual(answer.aftersales_technician_id, self.tech_b)
        self._done_visit(ticket, self.tech_a)
        ticket.action_close()
        self.assertEqual(len(ticket.csat_answer_ids), 1, "one invitation per ticket, whatever happens next")

    def test_csat_rollup(self):
        other_team = self.env["aftersales.team"].create({"name": "Installers"})
        answers = [
            (self._closed_ticket(technician=self.tech_a), 5, 4),
            (self._closed_ticket(technician=self.tech_a), 2, 3),
            (self._closed_ticket(technician=self.tech_b), 4, 5),
            (self._closed_ticket(technician=self.tech_b, team_id=other_team.id), 3, 2),
        ]
        not_answered = self._closed_ticket(technician=self.tech_b)
        for ticket, overall, conduct in answers:
            self._answer(ticket.csat_answer_ids, overall, conduct=conduct)
        self.assertEqual([ticket.csat_score for ticket, _o, _c in answers], [5, 2, 4, 3])
        self.assertEqual(not_answered.csat_score, 0)
        self.assertAlmostEqual(self.tech_a.csat_avg, 3.5)
        self.assertAlmostEqual(self.tech_a.csat_conduct_avg, 3.5)
        self.assertEqual(self.tech_a.csat_count, 2)
        self.assertAlmostEqual(self.tech_b.csat_avg, 3.5)
        self.assertAlmostEqual(self.tech_b.csat_conduct_avg, 3.5)
        self.assertEqual(self.tech_b.csat_count, 2)
        self.assertAlmostEqual(self.team.csat_avg, 11 / 3, places=2)
        self.assertEqual(self.team.csat_count, 3)
        self.assertAlmostEqual(other_team.csat_avg, 3.0)
        self.assertEqual(other_team.csat_count, 1)
        # the same figures grouped in the satisfaction analysis
        groups = self.env["survey.user_input"]._read_group(
            [("aftersales_ticket_id", "in", [t.id for t, _o, _c in answers]), ("state", "=", "done")],
            ["aftersales_team_id"],
            ["aftersales_overall_score:avg"],
        )
        self.assertAlmostEqual(dict(groups)[self.team], 11 / 3)
        self.assertEqual(
            self.env["survey.user_input"].search(self.tech_a.action_view_csat_answers()["domain"]),
            answers[0][0].csat_answer_ids | answers[1][0].csat_answer_ids,
        )

    def test_low_score_opens_one_complaint(self):
        ticket = self._closed_ticket(technician=self.tech_a, lot_id=self.lot.id)
        answer = self._answer(ticket.csat_answer_ids, 2, conduct=3, comment="The noise is back.")
        complaint = ticket.complaint_ids
        self.assertEqual(len(complaint), 1)
        self.assertEqual(answer.aftersales_complaint_id, complaint)
        self.assertEqual(complaint.complaint_of_id, ticket)
        self.assertEqual(complaint.ticket_type_id, self.env.ref("aftersales_service.ticket_type_complaint"))
        self.assertEqual(complaint.partner_id, self.customer)
        self.assertEqual(complaint.product_id, self.product)
        self.assertEqual(complaint.lot_id, self.lot)
        self.assertEqual(complaint.team_id, self.team)
        self.assertFalse(complaint.is_closed)
        activity = complaint.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref("aftersales_service.mail_activity_type_complaint"))
        self.assertEqual(activity.user_id, self.manager, "the team leader handles the complaint")
        self.assertIn("Overall score: 2 / 5", activity.note)
        self.assertIn("The noise is back.", activity.note)
        self.assertEqual(ticket.complaint_count, 1)
        # submitting again, or recording again, opens no second complaint
        answer._mark_done()
        answer._aftersales_record_csat()
        self.assertEqual(len(ticket.complaint_ids), 1)
        self.assertFalse(complaint.csat_answer_ids, "the complaint is not closed, so it has no survey yet")

    def test_score_above_threshold_opens_none(self):
        self.company.aftersales_csat_threshold = 1
        ticket = self._closed_ticket()
        self._answer(ticket.csat_answer_ids, 2)
        self.assertFalse(ticket.complaint_ids)
        self.assertEqual(ticket.csat_score, 2)

    def test_not_solved_opens_one_complaint(self):
        ticket = self._closed_ticket()
        answer = self._answer(ticket.csat_answer_ids, 4, solved=False)
        self.assertEqual(answer.aftersales_solved, "no")
        self.assertEqual(ticket.csat_solved, "no")
        self.assertEqual(len(ticket.complaint_ids), 1)
        self.assertIn("Not Solved", ticket.complaint_ids.activity_ids.note)

    def test_complaint_goes_to_a_manager_without_team_leader(self):
        self.team.user_id = False
        ticket = self._closed_ticket()
        self._answer(ticket.csat_answer_ids, 1)
        managers = self.env.ref("aftersales_service.aftersales_service_group_manager").users
        expected = managers.filtered(lambda user: self.company in user.company_ids).sorted("id")[:1]
        self.assertEqual(ticket.complaint_ids.activity_ids.user_id, expected)

    def test_no_email_no_invitation(self):
        silent = self.env["res.partner"].create({"name": "Silent Sam"})
        ticket = self._closed_ticket(partner_id=silent.id)
        self.assertFalse(ticket.csat_answer_ids)
        self.assertIn("no e-mail address", ticket.message_ids[0].body)

    def test_never_two_invitations(self):
        ticket = self._closed_ticket()
        answer = ticket.csat_answer_ids
        ticket.action_reopen()
        ticket.action_close()
        self.assertEqual(ticket.csat_answer_ids, answer)
        self.assertEqual(len(self._invitation_mails(answer)), 1)
        tickets = self._ticket(resolution="<p>Ok</p>") | self._ticket(resolution="<p>Ok</p>")
        tickets.action_close()
        self.assertEqual(len(tickets.csat_answer_ids), 2, "one invitation for each ticket closed together")

    def test_no_survey_when_disabled(self):
        self.company.aftersales_csat_trigger = "never"
        self.assertFalse(self._closed_ticket().csat_answer_ids)
        self.company.aftersales_csat_trigger = "ticket_close"
        self.company.aftersales_csat_survey_id = False
        self.assertFalse(self._closed_ticket().csat_answer_ids)

    def test_archived_or_login_survey_is_not_sent(self):
        self.survey.active = False
        ticket = self._closed_ticket()
        self.assertTrue(ticket.is_closed, "the ticket closes all the same")
        self.assertFalse(ticket.csat_answer_ids)
        self.assertIn("archived or needs a login", ticket.message_ids[0].body)
        self.survey.write({"active": True, "access_mode": "token"})
        self.assertTrue(self._closed_ticket().csat_answer_ids)

    def test_staff_read_only_the_satisfaction_surveys(self):
        other = self.env["survey.survey"].create(
            {
                "title": "Staff Appraisal",
                "question_and_page_ids": [
                    Command.create(
                        {
                            "title": "Right answer?",
                            "question_type": "simple_choice",
                            "suggested_answer_ids": [Command.create({"value": "Yes", "is_correct": True})],
                        }
                    )
                ],
            }
        )
        Survey = self.env["survey.survey"].with_user(self.agent)
        self.assertEqual(Survey.search([("id", "in", (self.survey | other).ids)]), self.survey)
        with self.assertRaises(AccessError):
            other.with_user(self.agent).read(["title"])
        with self.assertRaises(AccessError):
            other.question_ids.suggested_answer_ids.with_user(self.tech_a.user_id).read(["is_correct"])
        self.assertTrue(self.q_overall.suggested_answer_ids.with_user(self.tech_a.user_id).read(["value"]))

    def test_wrong_settings(self):
        with self.assertRaisesRegex(ValidationError, "between 0"):
            self.company.aftersales_csat_threshold = 6
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.company.aftersales_csat_deadline_days = -1

    def test_access_to_answers(self):
        ticket = self._closed_ticket(technician=self.tech_a)
        answer = self._answer(ticket.csat_answer_ids, 5)
        other = self._closed_ticket(technician=self.tech_b).csat_answer_ids
        Answer = self.env["survey.user_input"]
        self.assertEqual(Answer.with_user(self.tech_a.user_id).search([("id", "in", (answer | other).ids)]), answer)
        answer.with_user(self.tech_a.user_id).read(["aftersales_overall_score"])
        with self.assertRaises(AccessError):
            other.with_user(self.tech_a.user_id).read(["aftersales_overall_score"])
        self.assertEqual(Answer.with_user(self.agent).search([("id", "in", (answer | other).ids)]), answer | other)
        self.assertTrue(answer.with_user(self.agent).user_input_line_ids.read(["display_name"]))
        with self.assertRaises(AccessError):
            answer.with_user(self.agent).write({"email": "x@example.com"})
        portal = new_test_user(
            self.env, login="as_portal_wendy", groups="base.group_portal", partner_id=self.customer.id
        )
        with self.assertRaises(AccessError):
            answer.with_user(portal).read(["aftersales_overall_score"])
        # the ticket shows the count to anyone who sees it
        self.assertEqual(ticket.with_user(self.agent).csat_answer_count, 1)


@tagged("post_install", "-at_install")
class TestSurveyLink(AftersalesSurveyCommon, HttpCase):
    def test_personal_link_opens_without_login(self):
        ticket = self._closed_ticket()
        answer = ticket.csat_answer_ids
        response = self.url_open(answer.get_start_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.survey.title, response.text)
        self.assertIn(answer.access_token, response.text)

    def test_customer_answers_through_link(self):
        """The whole way of a customer: open the link, start, submit a low score."""
        ticket = self._closed_ticket(technician=self.tech_a)
        answer = ticket.csat_answer_ids
        self.assertEqual(self.url_open(answer.get_start_url()).status_code, 200)
        result = self._answer_through_link(answer, 1, solved=False, conduct=4, comment="Nobody called me back.")
        self.assertNotIn("error", result[1])
        self.assertEqual(answer.state, "done")
        self.assertEqual(ticket.csat_score, 1)
        self.assertEqual(self.tech_a.csat_avg, 1)
        complaint = ticket.complaint_ids
        self.assertEqual(len(complaint), 1)
        self.assertIn("Nobody called me back.", complaint.description)
        self.assertEqual(complaint.activity_ids.user_id, self.manager)
