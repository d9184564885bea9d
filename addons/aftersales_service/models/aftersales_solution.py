from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.kb_terms import MatchText, keyword_terms, normalize, title_terms

# points of an article, beside one per term of its title and keywords found in the text
FAULT_CODE_SCORE = 3  # the ticket's fault code is one of the article's
CODE_IN_TEXT_SCORE = 2  # the code of one of its fault codes is written in the text
CATEGORY_SCORE = 1  # the article is written for the product's category


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
        help="Words, separated by spaces or commas (、，； too), that suggest this article when they "
        "appear in a ticket's subject or description. Chinese keywords match where they are written as they "
        "are, e.g. 排水 in 洗衣机不排水.",
    )
    portal_published = fields.Boolean(
        string="Published on the Portal",
        help="Customers read the article on their portal, and it is suggested to them while they report a problem.",
    )
    search_terms = fields.Text(
        compute="_compute_search_terms",
        store=True,
        help="The terms of the title and keywords in every installed language, and the codes of the fault "
        "codes: the articles worth scoring for a text are found by them.",
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

    @api.depends("name", "keywords", "fault_code_ids.code")
    def _compute_search_terms(self):
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        for solution in self:
            terms = {normalize(code) for code in solution.fault_code_ids.mapped("code")}
            for lang in langs:
                terms |= solution.with_context(lang=lang)._match_terms()
            solution.search_terms = "\n".join(sorted(terms))

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

    def action_portal_publish(self):
        """Show the articles to customers on their portal; agents may, without editing the articles."""
        return self._set_portal_published(True)

    def action_portal_unpublish(self):
        return self._set_portal_published(False)

    def _set_portal_published(self, published):
        if not self.env.user.has_group("aftersales_service.aftersales_service_group_user"):
            raise AccessError(_("Only service agents and managers publish articles on the portal."))
        self.check_access("read")
        # agents read the articles but do not edit them: publishing is all they change
        self.sudo().portal_published = published
        return True

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("solution_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Suggestions
    # ------------------------------------------------------------------

    @api.model
    def _suggest(self, text, company, lang=None, category=None, ticket_type=None, fault_code=None, domain=(), limit=5):
        """The articles that fit a problem, best first.

        :param str text: what the customer wrote (plain text)
        :param company: the company of the request; articles of no company fit every company
        :param str lang: the language the titles and keywords are read in (the customer's)
        :param category: the product's category, ``False`` for a request without product, ``None`` when
            not known yet (the articles of every category then fit)
        :param ticket_type: the type of the request, ``None`` when not known yet
        :param fault_code: the fault code found, if any
        :param domain: what the articles must match besides (the caller's access is checked by the search)
        """
        match = MatchText(text)
        candidate_ids = self._candidate_ids(match.text, company, fault_code)
        if not candidate_ids:
            return self.browse()
        candidates = self.search([("id", "in", candidate_ids), ("company_id", "in", [False, company.id]), *domain])
        # the caller may read the articles found; how they are set up is read whatever its rights on
        # fault codes and categories (a portal customer has none)
        scored = []
        for solution in candidates.sudo().with_context(lang=lang or self.env.lang):
            score = solution._score(match, category, ticket_type, fault_code)
            if score:
                scored.append((-score, solution.sequence, solution.id))
        return self.browse([solution_id for *_order, solution_id in sorted(scored)[:limit]])

    @api.model
    def _candidate_ids(self, text, company, fault_code=None):
        """The ids of the active articles one of whose terms is written in ``text`` (normalized), or
        that have ``fault_code``: one query, whatever the size of the knowledge base, so that only
        these are read and scored."""
        if not text.strip() and not fault_code:
            return []
        self.flush_model(["search_terms", "active", "company_id"])
        self.env["aftersales.fault.code"].flush_model(["solution_ids"])
        self.env.cr.execute(
            SQL(
                """
                SELECT solution.id
                  FROM aftersales_solution solution
                 WHERE solution.active
                   AND (solution.company_id IS NULL OR solution.company_id = %(company)s)
                   AND (
                        EXISTS (
                            SELECT 1
                              FROM unnest(string_to_array(solution.search_terms, E'\n')) AS term
                             WHERE term <> '' AND strpos(%(text)s, term) > 0
                        )
                        OR solution.id IN (
                            SELECT rel.solution_id
                              FROM aftersales_fault_code_solution_rel rel
                             WHERE rel.fault_code_id = %(fault_code)s
                        )
                   )
                """,
                company=company.id or None,
                text=text,
                fault_code=fault_code.id if fault_code else None,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _match_terms(self):
        """The terms of the title and keywords, in the language of the context."""
        self.ensure_one()
        return keyword_terms(self.keywords) | title_terms(self.name)

    def _effective_categories(self):
        """The product categories the article is for: its own, else those of its fault codes when
        each of them is for some categories. Empty: every category."""
        self.ensure_one()
        if self.product_category_ids or not self.fault_code_ids:
            return self.product_category_ids
        if all(self.fault_code_ids.mapped("product_category_ids")):
            return self.fault_code_ids.product_category_ids
        return self.product_category_ids

    def _effective_ticket_types(self):
        """The ticket types the article is for, its own or its fault codes' like the categories."""
        self.ensure_one()
        if self.ticket_type_ids or not self.fault_code_ids:
            return self.ticket_type_ids
        if all(self.fault_code_ids.mapped("ticket_type_ids")):
            return self.fault_code_ids.ticket_type_ids
        return self.ticket_type_ids

    def _applies_to(self, category, ticket_type):
        """Whether the article is for this category (sub-categories included) and ticket type;
        ``None`` is a category or type not known yet, which every article fits."""
        self.ensure_one()
        categories = self._effective_categories()
        if (
            categories
            and category is not None
            and not (category and any(category.parent_path.startswith(c.parent_path) for c in categories))
        ):
            return False
        types = self._effective_ticket_types()
        return not (types and ticket_type is not None and ticket_type not in types)

    def _score(self, match, category=None, ticket_type=None, fault_code=None):
        """How well this article fits the text ``match`` (a ``MatchText``): 0 when it does not apply."""
        self.ensure_one()
        if not self._applies_to(category, ticket_type):
            return 0
        score = sum(1 for term in self._match_terms() if match.has(term))
        score += CODE_IN_TEXT_SCORE * sum(
            1 for code in self.fault_code_ids.mapped("code") if match.has(normalize(code))
        )
        if fault_code and fault_code in self.fault_code_ids:
            score += FAULT_CODE_SCORE
        if score and self._effective_categories():
            score += CATEGORY_SCORE
        return score
