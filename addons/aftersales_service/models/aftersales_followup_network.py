from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .aftersales_call_rule import CALL_TARGETS

CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("call_back", "Call Back"),
]


class AftersalesFollowup(models.Model):
    """Network calls: the customer-relations team's periodic calls to dealers, service partners, service
    points and key customers, planned by the call rules (``aftersales.call.rule``)."""

    _inherit = "aftersales.followup"  # pylint: disable=consider-merging-classes-inherited

    kind = fields.Selection(selection_add=[("network", "Network Call")], ondelete={"network": "cascade"})
    call_rule_id = fields.Many2one(
        "aftersales.call.rule",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        tracking=True,
        help="The rule that planned this call; the next call of the rule to the same target is planned when "
        "this one is recorded.",
    )
    target_type = fields.Selection(CALL_TARGETS, string="Target", index="btree_not_null")
    branch_id = fields.Many2one(
        "aftersales.branch",
        string="Branch Called",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        help="The service point called: its users and those of the branches above it see the call.",
    )
    outcome = fields.Selection(CALL_OUTCOMES, copy=False, tracking=True)
    callback_date = fields.Date(
        string="Call Back on", copy=False, help="When the contact asked to be called back: the next call is then."
    )
    issues = fields.Text(string="Issues Raised", copy=False, help="What the contact complained about or asked for.")
    improvement_action_ids = fields.One2many(
        "aftersales.improvement.action", "followup_id", string="Improvement Actions"
    )
    improvement_action_count = fields.Integer(compute="_compute_improvement_action_count")
    raised_ticket_id = fields.Many2one(
        "aftersales.ticket",
        string="Ticket Raised",
        copy=False,
        index="btree_not_null",
        check_company=True,
        ondelete="set null",
        help="The ticket opened from the issues raised on this call.",
    )

    @api.depends("improvement_action_ids")
    def _compute_improvement_action_count(self):
        counts = dict(
            self.env["aftersales.improvement.action"]._read_group(
                [("followup_id", "in", self.ids)], ["followup_id"], ["__count"]
            )
        )
        for call in self:
            call.improvement_action_count = counts.get(call, 0)

    @api.model
    def _guarded_fields(self):
        # the rule's cron plans the calls and the actions open their tickets
        return super()._guarded_fields() | {"call_rule_id", "target_type", "branch_id", "raised_ticket_id"}

    def _check_outcome(self):
        network = self.filtered(lambda f: f.kind == "network")
        result = super(AftersalesFollowup, self - network)._check_outcome()
        for call in network:
            if not call.outcome:
                raise UserError(
                    _("Record the outcome of call %(name)s: reached, no answer or call back.", name=call.name)
                )
            if call.outcome == "reached" and not call.satisfied:
                raise UserError(_("Ask whether %(contact)s is satisfied.", contact=call.partner_id.display_name))
            if call.outcome == "call_back" and not call.callback_date:
                raise UserError(_("Write when to call %(contact)s back.", contact=call.partner_id.display_name))
        return result

    def _get_caller_team_and_branch(self):
        if self.kind == "network":
            return self.call_rule_id.team_id, self.branch_id
        return super()._get_caller_team_and_branch()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_done(self):
        result = super().action_done()
        network = self.filtered(lambda f: f.kind == "network")
        network._plan_next_calls()
        return result

    def action_create_improvement(self):
        """Track what the network must change after the issues raised on a recorded call."""
        self.ensure_one()
        if self.kind != "network" or self.state != "done":
            raise UserError(_("Improvement actions are opened from recorded network calls only."))
        if not (self.issues or "").strip():
            raise UserError(_("Write the issues raised on call %(name)s first.", name=self.name))
        action = self.env["aftersales.improvement.action"]._create_from_origin(self._prepare_improvement_action_vals())
        return action._get_form_action()

    def action_view_improvement_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_improvement_action_action"
        )
        action["domain"] = [("followup_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_open_ticket(self):
        """Open a service ticket from the issues raised on the call."""
        self.ensure_one()
        if self.kind != "network":
            raise UserError(_("Tickets are opened from network calls only."))
        if not self.raised_ticket_id:
            if self.state == "cancel":
                raise UserError(_("Call %(name)s was cancelled: no ticket is opened from it.", name=self.name))
            if not (self.issues or "").strip():
                raise UserError(_("Write the issues raised on call %(name)s first.", name=self.name))
            ticket = self.env["aftersales.ticket"].create(self._prepare_ticket_vals())
            with self._unguard("raised_ticket_id"):
                self.raised_ticket_id = ticket
            ticket.message_post_with_source(
                "mail.message_origin_link",
                render_values={"self": ticket, "origin": self},
                subtype_xmlid="mail.mt_note",
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.ticket",
            "res_id": self.raised_ticket_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------

    def _prepare_ticket_vals(self):
        """The service ticket opened from the issues raised on this call."""
        self.ensure_one()
        return {
            "name": _("Raised on call %(name)s", name=self.name),
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "branch_id": self.branch_id.id,
            "user_id": self.env.user.id,
            "description": Markup("<p>%s</p>") % self.issues,
        }

    def _prepare_improvement_action_vals(self):
        """The improvement action answering the issues raised on this call."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        return {
            "name": _("Issues raised on call %(name)s", name=self.name),
            "origin": "call",
            "followup_id": self.id,
            "company_id": self.company_id.id,
            "branch_id": self.branch_id.id,
            "service_partner_id": partner.id if partner.aftersales_service_partner else False,
            "user_id": self.company_id._aftersales_responsible_user(branch=self.branch_id).id,
            "description": Markup("<p>%s</p>") % self.issues,
        }

    def _next_call_date(self):
        """When the rule calls the same target again after this recorded call: on the call-back date the
        contact asked for, else ``interval_weeks`` after the call."""
        self.ensure_one()
        if self.outcome == "call_back" and self.callback_date:
            return self.callback_date
        called_on = fields.Datetime.context_timestamp(self, self.call_date or fields.Datetime.now()).date()
        return called_on + timedelta(weeks=self.call_rule_id.interval_weeks)

    def _plan_next_calls(self):
        """Plan the next call of the rule to the same target, unless one is already planned."""
        calls = self.filtered(lambda f: f.state == "done" and f.call_rule_id.active)
        if not calls:
            return self.browse()
        open_keys = {
            (rule.id, partner.id, branch.id)
            for rule, partner, branch in self._read_group(
                [("call_rule_id", "in", calls.call_rule_id.ids), ("state", "=", "planned"), ("kind", "=", "network")],
                ["call_rule_id", "partner_id", "branch_id"],
            )
        }
        vals_list = []
        for call in calls:
            key = (call.call_rule_id.id, call.partner_id.id, call.branch_id.id)
            if key in open_keys:
                continue
            open_keys.add(key)
            vals_list.append(
                call.call_rule_id._prepare_followup_vals(call.partner_id, call.branch_id, call._next_call_date())
            )
        with self._unguard("call_rule_id", "branch_id", "target_type"):
            return self.create(vals_list)
