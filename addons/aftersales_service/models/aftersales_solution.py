import re

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

WORD_RE = re.compile(r"\w{4,}", re.UNICODE)


class AftersalesSolution(models.Model):
    _name = "aftersales.solution"
    _description = "Solution Article"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    content = fields.Html(translate=True, sanitize_attributes=False)
    keywords = fields.Char(
        translate=True,
        help="Words, separated by spaces or commas, that suggest this article when they "
        "appear in a ticket's subject or description.",
    )
    product_category_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="The article is suggested on tickets for products of these categories "
        "(sub-categories included). Leave empty for all.",
    )
    ticket_type_ids = fields.Many2many(
        "aftersales.ticket.type",
        string="Ticket Types",
        help="The article is suggested on tickets of these types. Leave empty for all.",
    )
    fault_code_ids = fields.Many2many(
        "aftersales.fault.code",
        "aftersales_fault_code_solution_rel",
        "solution_id",
        "fault_code_id",
        string="Fault Codes",
    )
    ticket_ids = fields.One2many("aftersales.ticket", "solution_id", string="Solved Tickets")
    ticket_count = fields.Integer(string="Tickets Solved", compute="_compute_ticket_count")

    def _compute_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group([("solution_id", "in", self.ids)], ["solution_id"], ["__count"])
        )
        for solution in self:
            solution.ticket_count = counts.get(solution, 0)

    def _aftersales_words(self):
        """The words (4 letters or more, lower case) an article is found by."""
        self.ensure_one()
        return set(WORD_RE.findall(f"{self.name} {self.keywords or ''}".lower()))

    def _aftersales_score(self, ticket, ticket_words):
        """How well this article fits ``ticket``: 0 when it does not apply at all."""
        self.ensure_one()
        category = ticket.product_id.categ_id
        if self.product_category_ids and not (
            category and any(category.parent_path.startswith(c.parent_path) for c in self.product_category_ids)
        ):
            return 0
        if self.ticket_type_ids and ticket.ticket_type_id not in self.ticket_type_ids:
            return 0
        score = len(self._aftersales_words() & ticket_words)
        if ticket.fault_code_id and ticket.fault_code_id in self.fault_code_ids:
            score += 3
        if score and self.product_category_ids:
            score += 1
        return score

    def action_apply_to_ticket(self):
        """Record this article as the solution of the ticket in the context."""
        self.ensure_one()
        ticket_id = self.env.context.get("aftersales_ticket_id")
        if not ticket_id:
            raise UserError(_("Open a ticket to apply this solution to it."))
        ticket = self.env["aftersales.ticket"].browse(ticket_id).exists()
        if not ticket:
            raise UserError(_("The ticket to apply this solution to no longer exists."))
        ticket.action_apply_solution(self)
        return True

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("solution_id", "=", self.id)]
        action["context"] = {}
        return action

    @staticmethod
    def _aftersales_text_words(*texts):
        return set(WORD_RE.findall(" ".join(html2plaintext(t or "") for t in texts).lower()))
