"""The satisfaction of the ticket's customer: the survey sent when the ticket closes or its visit is
done, the score and the answer it gives, and the complaints opened from bad answers."""

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools import format_datetime

# the satisfaction measured from the survey answers and the complaints they open, never written by a client
CSAT_GUARDED_FIELDS = frozenset({"csat_score", "csat_solved", "complaint_of_id"})


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    csat_answer_ids = fields.One2many("survey.user_input", "aftersales_ticket_id", string="Satisfaction Answers")
    csat_answer_count = fields.Integer(string="Survey Answers", compute="_compute_csat_answer_count")
    csat_score = fields.Float(
        string="CSAT",
        compute="_compute_csat_score",
        store=True,
        precompute=True,  # a new ticket is not rated: written with it, not after
        aggregator="avg",
        digits=(3, 2),
        help="The overall score (1 to 5) the customer gave in the satisfaction survey; 0 while not rated.",
    )
    csat_solved = fields.Selection(
        [("yes", "Solved"), ("no", "Not Solved")],
        string="Solved for the Customer",
        compute="_compute_csat_score",
        store=True,
        precompute=True,  # a new ticket is not rated: written with it, not after
    )
    complaint_of_id = fields.Many2one(
        "aftersales.ticket",
        string="Complaint about",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The ticket whose satisfaction survey opened this complaint.",
    )
    complaint_ids = fields.One2many("aftersales.ticket", "complaint_of_id", string="Complaints")
    complaint_count = fields.Integer(compute="_compute_complaint_count")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_csat_answer_count(self):
        # a count, shown to anyone who sees the ticket: the answers keep their own access rules
        counts = dict(
            self.env["survey.user_input"]
            .sudo()
            ._read_group([("aftersales_ticket_id", "in", self.ids)], ["aftersales_ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.csat_answer_count = counts.get(ticket, 0)

    @api.depends(
        "csat_answer_ids.state", "csat_answer_ids.aftersales_overall_score", "csat_answer_ids.aftersales_solved"
    )
    def _compute_csat_score(self):
        for ticket in self:
            answer = ticket.csat_answer_ids.filtered(lambda a: a.state == "done").sorted("end_datetime")[-1:]
            ticket.csat_score = answer.aftersales_overall_score
            ticket.csat_solved = answer.aftersales_solved

    def _compute_complaint_count(self):
        counts = dict(
            self.with_context(active_test=False)._read_group(
                [("complaint_of_id", "in", self.ids)], ["complaint_of_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.complaint_count = counts.get(ticket, 0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | CSAT_GUARDED_FIELDS

    @api.model_create_multi
    def create(self, vals_list):
        # a new ticket is not rated: the satisfaction of its team does not change
        Team = self.env["aftersales.team"]
        team_fields = [Team._fields["csat_avg"], Team._fields["csat_count"]]
        pending = {field: self.env.records_to_compute(field) for field in team_fields}
        tickets = super().create(vals_list)
        if not any(tickets.mapped("csat_score")):
            for field in team_fields:
                self.env.remove_to_compute(field, self.env.records_to_compute(field) - pending[field])
        return tickets

    def write(self, vals):
        closing = self.browse()
        if "stage_id" in vals and self.env["aftersales.ticket.stage"].browse(vals["stage_id"]).is_closed:
            closing = self.filtered(lambda t: not t.is_closed)
        result = super().write(vals)
        if closing:
            closing._send_csat_survey("ticket_close")
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_csat_answers(self):
        self.ensure_one()
        return self.env["survey.user_input"]._aftersales_csat_action([("aftersales_ticket_id", "=", self.id)])

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("complaint_of_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Satisfaction surveys
    # ------------------------------------------------------------------

    def _csat_survey(self):
        """The survey of the ticket's type, else of its team, else of its company."""
        self.ensure_one()
        return (
            self.ticket_type_id.csat_survey_id
            or self.team_id.csat_survey_id
            or self.company_id.aftersales_csat_survey_id
        )

    def _csat_visit(self):
        """The last visit done for the ticket: its technician is the one rated."""
        self.ensure_one()
        done = self.visit_ids.filtered(lambda visit: visit.state == "done" and visit.technician_id)
        return done.sorted(lambda visit: (visit.check_out or visit.write_date, visit.id))[-1:]

    def _send_csat_survey(self, trigger, visit=None):
        """Invite the customers to the satisfaction survey, once per ticket.

        ``trigger`` is the event that happened (``ticket_close`` or ``visit_done``):
        only the tickets of companies sending their surveys on that event are
        invited. A ticket without a customer e-mail gets a note instead.
        """
        tickets = self.filtered(lambda t: t.company_id.aftersales_csat_trigger == trigger)
        if not tickets:
            return self.env["survey.user_input"]
        Answer = self.env["survey.user_input"].sudo()
        invited = {
            ticket.id
            for [ticket] in Answer._read_group([("aftersales_ticket_id", "in", tickets.ids)], ["aftersales_ticket_id"])
        }
        template = self.env.ref("aftersales_service.mail_template_csat_invitation", raise_if_not_found=False)
        answers = Answer
        for ticket in tickets:
            survey = ticket._csat_survey()
            if ticket.id in invited or not survey:
                continue
            invited.add(ticket.id)
            survey_sudo = survey.sudo()
            if not survey_sudo.active or survey_sudo.access_mode not in ("public", "token"):
                ticket.message_post(
                    body=_(
                        "No satisfaction survey was sent: the survey %(survey)s is archived or needs a login.",
                        survey=survey_sudo.title,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            partner = ticket.partner_id
            email = partner.email if partner else ticket.email_from
            if not email:
                ticket.message_post(
                    body=_("No satisfaction survey was sent: the customer has no e-mail address."),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            # the invitation belongs to the closing of the ticket, allowed to whoever may close it,
            # even without rights on surveys
            answer = survey.sudo()._create_answer(
                partner=partner,
                email=email,
                check_attempts=False,
                **ticket._prepare_csat_answer_vals(visit or ticket._csat_visit()),
            )
            if not answer.email:
                answer.email = email
            if template:
                template.sudo().send_mail(answer.id, email_layout_xmlid="mail.mail_notification_light")
            ticket.message_post(
                body=_(
                    "Satisfaction survey sent to %(email)s, to answer by %(deadline)s.",
                    email=email,
                    # the customer's deadline, in the customer's time zone
                    deadline=answer.deadline
                    and format_datetime(self.env, answer.deadline, tz=ticket._customer_tz(), dt_format="short")
                    or _("no deadline"),
                ),
                subtype_xmlid="mail.mt_note",
            )
            answers |= answer
        return answers

    def _prepare_csat_answer_vals(self, visit):
        """Values of the survey answer created for the ticket's customer."""
        self.ensure_one()
        days = self.company_id.aftersales_csat_deadline_days
        return {
            "aftersales_ticket_id": self.id,
            "aftersales_visit_id": visit.id,
            "aftersales_technician_id": visit.technician_id.id,
            "deadline": fields.Datetime.now() + relativedelta(days=days) if days > 0 else False,
        }

    def _prepare_complaint_vals(self, answer):
        """Values of the complaint ticket opened from a bad answer to the survey of this ticket."""
        self.ensure_one()
        complaint_type = self.env.ref("aftersales_service.ticket_type_complaint", raise_if_not_found=False)
        return {
            "name": _("Complaint: %(subject)s", subject=self.name),
            "ticket_type_id": complaint_type.id if complaint_type else False,
            "complaint_of_id": self.id,
            "company_id": self.company_id.id,
            "team_id": self.team_id.id,
            "partner_id": self.partner_id.id,
            "contact_id": self.contact_id.id,
            "email_from": self.email_from,
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "channel": "web",
            "priority": "2",
            "description": answer._aftersales_csat_summary(),
        }

    def _complaint_manager(self):
        """Who handles the complaints of the ticket: the team leader, else the branch manager, else an
        after-sales manager of the company (nobody when there is none)."""
        self.ensure_one()
        return self.company_id._aftersales_responsible_user(team=self.team_id, branch=self.branch_id)
