from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import format_date

from ..tools.timezones import person_tz

SOLVED_STATES = [
    ("yes", "Solved"),
    ("no", "Not Solved"),
]


class SurveyUserInput(models.Model):
    _name = "survey.user_input"
    _inherit = ["survey.user_input", "aftersales.guarded.mixin"]

    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket", string="Service Ticket", index="btree_not_null", readonly=True, ondelete="set null"
    )
    aftersales_technician_id = fields.Many2one(
        "aftersales.technician", string="Technician", index="btree_not_null", readonly=True, ondelete="set null"
    )
    aftersales_visit_id = fields.Many2one(
        "aftersales.visit", string="Visit", index="btree_not_null", readonly=True, ondelete="set null"
    )
    aftersales_team_id = fields.Many2one(
        related="aftersales_ticket_id.team_id", string="After-Sales Team", store=True, index="btree_not_null"
    )
    aftersales_company_id = fields.Many2one(
        related="aftersales_ticket_id.company_id", string="Service Company", store=True
    )
    aftersales_overall_score = fields.Float(
        string="Overall Score", readonly=True, aggregator="avg", digits=(3, 2), help="From 1 (bad) to 5 (excellent)."
    )
    aftersales_conduct_score = fields.Float(
        string="Conduct Score",
        readonly=True,
        aggregator="avg",
        digits=(3, 2),
        help="The technician's conduct, from 1 (bad) to 5 (excellent).",
    )
    aftersales_solved = fields.Selection(SOLVED_STATES, string="Problem Solved", readonly=True)
    aftersales_comment = fields.Text(string="Customer Comment", readonly=True)
    aftersales_complaint_id = fields.Many2one(
        "aftersales.ticket",
        string="Complaint",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        copy=False,
        help="The complaint ticket this answer opened.",
    )

    @api.model
    def _guarded_fields(self):
        # the links decide which ticket and technician the scores and complaints go to
        return super()._guarded_fields() | {
            "aftersales_ticket_id",
            "aftersales_technician_id",
            "aftersales_visit_id",
            "aftersales_overall_score",
            "aftersales_conduct_score",
            "aftersales_solved",
            "aftersales_comment",
            "aftersales_complaint_id",
        }

    def _mark_done(self):
        result = super()._mark_done()
        self.filtered("aftersales_ticket_id")._aftersales_record_csat()
        return result

    def _aftersales_deadline_text(self):
        """The last day to answer, in the customer's time zone, for the invitation e-mail."""
        self.ensure_one()
        if not self.deadline:
            return ""
        tz = person_tz(self.partner_id, self.aftersales_ticket_id.company_id)
        return format_date(self.with_context(tz=tz).env, self.deadline)

    def _aftersales_record_csat(self):
        """Store the scores of completed after-sales answers and open complaints for the bad ones."""
        with self._unguard(
            "aftersales_overall_score", "aftersales_conduct_score", "aftersales_solved", "aftersales_comment"
        ):
            for answer in self:
                answer.write(answer._aftersales_csat_values())
        self.filtered(lambda answer: answer._aftersales_is_complaint())._aftersales_open_complaints()

    def _aftersales_csat_values(self):
        """The scores read from the answer's lines, by the measure of their question."""
        self.ensure_one()
        values = {
            "aftersales_overall_score": 0.0,
            "aftersales_conduct_score": 0.0,
            "aftersales_solved": False,
            "aftersales_comment": False,
        }
        comments = []
        for line in self.user_input_line_ids.filtered(lambda line: not line.skipped):
            role = line.question_id.aftersales_csat_role
            if not role:
                continue
            choice = line.suggested_answer_id
            if line.answer_type == "suggestion" and choice:
                if role == "overall":
                    values["aftersales_overall_score"] = choice.answer_score
                elif role == "conduct":
                    values["aftersales_conduct_score"] = choice.answer_score
                elif role == "solved":
                    values["aftersales_solved"] = "yes" if choice.answer_score > 0 else "no"
            elif line.answer_type in ("text_box", "char_box"):
                text = line.value_text_box if line.answer_type == "text_box" else line.value_char_box
                if text:
                    comments.append(text.strip())
        values["aftersales_comment"] = "\n".join(comments) or False
        return values

    def _aftersales_is_complaint(self):
        """A score at or below the company's threshold, or a problem not solved."""
        self.ensure_one()
        if self.aftersales_complaint_id or not self.aftersales_ticket_id:
            return False
        threshold = self.aftersales_ticket_id.company_id.aftersales_csat_threshold
        score = self.aftersales_overall_score
        return self.aftersales_solved == "no" or bool(score and score <= threshold)

    def _aftersales_open_complaints(self):
        """One complaint ticket per answer, and an activity for the manager of the team."""
        # the customer answers through the link of the invitation, without rights on tickets
        Ticket = self.env["aftersales.ticket"].sudo()
        for answer in self:
            ticket = answer.aftersales_ticket_id.sudo()
            complaint = Ticket.create(ticket._prepare_complaint_vals(answer))
            answer.sudo().aftersales_complaint_id = complaint
            summary = answer._aftersales_csat_summary()
            manager = ticket._complaint_manager()
            if manager:
                complaint.activity_schedule(
                    "aftersales_service.mail_activity_type_complaint",
                    user_id=manager.id,
                    note=summary,
                )
            else:
                complaint._message_log(
                    body=_(
                        "Nobody could be asked to handle this complaint: the team has no leader, the branch no "
                        "manager and the company no after-sales manager."
                    )
                )
            ticket.message_post(
                body=_(
                    "The customer's answer to the satisfaction survey opened the complaint %(complaint)s.",
                    complaint=complaint._get_html_link(title=complaint.display_name),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _aftersales_csat_summary(self):
        """The score, the solved answer and the comment, as a short HTML text."""
        self.ensure_one()
        solved = dict(self._fields["aftersales_solved"]._description_selection(self.env)).get(
            self.aftersales_solved, _("not answered")
        )
        score = f"{self.aftersales_overall_score:g}" if self.aftersales_overall_score else "-"
        conduct = f"{self.aftersales_conduct_score:g}" if self.aftersales_conduct_score else "-"
        summary = Markup("<p>%s</p>") % _(
            "Overall score: %(score)s / 5, technician's conduct: %(conduct)s / 5, problem: %(solved)s.",
            score=score,
            conduct=conduct,
            solved=solved,
        )
        if self.aftersales_comment:
            summary += Markup("<p>%s</p>") % _("Comment: %(comment)s", comment=self.aftersales_comment)
        return summary

    @api.model
    def _aftersales_csat_action(self, domain):
        """The satisfaction answers of ``domain``, in the after-sales views."""
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.survey_user_input_action_aftersales")
        action["domain"] = domain
        action["context"] = {"create": False}
        return action

    def action_aftersales_open_ticket(self):
        self.ensure_one()
        return self.aftersales_ticket_id.get_formview_action()
