from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    improvement_action_ids = fields.One2many("aftersales.improvement.action", "ticket_id", string="Improvement Actions")
    improvement_action_count = fields.Integer(compute="_compute_improvement_action_count")

    @api.depends("improvement_action_ids")
    def _compute_improvement_action_count(self):
        for ticket in self:
            ticket.improvement_action_count = len(ticket.improvement_action_ids)

    def action_create_improvement(self):
        """An improvement action answering this complaint, for the branch and service partner of the job
        complained about."""
        self.ensure_one()
        if not self.complaint_of_id:
            raise UserError(_("Only complaint tickets start improvement actions; %(name)s is not one.", name=self.name))
        Action = self.env["aftersales.improvement.action"]
        action = Action._create_from_origin(self._prepare_improvement_vals())
        return action._get_form_action()

    def _prepare_improvement_vals(self):
        self.ensure_one()
        origin = self.complaint_of_id
        job = origin.visit_ids.filtered(lambda v: v.state == "done").sorted("id")[-1:] or origin.visit_ids[-1:]
        branch = origin.branch_id or self.branch_id
        responsible = self.company_id._aftersales_responsible_user(branch=branch)
        return {
            "name": _("Answer complaint %(name)s", name=self.display_name),
            "origin": "ticket",
            "ticket_id": self.id,
            "company_id": self.company_id.id,
            "branch_id": branch.id,
            "service_partner_id": job.service_partner_id.id,
            "user_id": responsible.id,
            "description": self.description,
        }

    def action_view_improvement_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_improvement_action_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {}
        return action
