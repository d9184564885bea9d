# The knowledge base on the customer portal: published articles, and suggestions while typing.
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager

from .portal import AftersalesCustomerPortal

# the most text the suggestions read of what the customer typed
SUGGEST_TEXT_LIMIT = 4000


class AftersalesKnowledgePortal(AftersalesCustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "knowledge_count" in counters:
            Solution = request.env["aftersales.solution"]
            values["knowledge_count"] = (
                Solution.search_count(self._aftersales_knowledge_domain(), limit=1)
                if Solution.has_access("read")
                else 0
            )
        return values

    def _aftersales_knowledge_domain(self):
        """The articles a portal visitor reads: the published ones of their companies (the record rules
        say the same for portal users; this holds for employees visiting the portal too)."""
        return [
            ("portal_published", "=", True),
            ("company_id", "in", [False, *request.env.user.company_ids.ids]),
        ]

    @http.route(["/my/knowledge", "/my/knowledge/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_knowledge(self, page=1, search=None, **kw):
        Solution = request.env["aftersales.solution"]
        domain = self._aftersales_knowledge_domain()
        if search:
            domain += [
                "|",
                "|",
                ("name", "ilike", search),
                ("keywords", "ilike", search),
                ("content", "ilike", search),
            ]
        readable = Solution.has_access("read")
        count = Solution.search_count(domain) if readable else 0
        pager = portal_pager(
            url="/my/knowledge",
            url_args={"search": search} if search else {},
            total=count,
            page=page,
            step=self._items_per_page,
        )
        articles = Solution.search(domain, limit=self._items_per_page, offset=pager["offset"]) if readable else Solution
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "aftersales_knowledge",
                "articles": articles,
                "pager": pager,
                "search": search or "",
                "default_url": "/my/knowledge",
            }
        )
        return request.render("aftersales_service.portal_my_aftersales_knowledge", values)

    @http.route(["/my/knowledge/<int:article_id>"], type="http", auth="user", website=True)
    def portal_my_aftersales_knowledge_article(self, article_id, **kw):
        Solution = request.env["aftersales.solution"]
        if not Solution.has_access("read"):
            raise NotFound()
        article = Solution.search([("id", "=", article_id), *self._aftersales_knowledge_domain()])
        if not article:
            raise NotFound()
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "aftersales_knowledge", "aftersales_article": article})
        return request.render("aftersales_service.portal_my_aftersales_knowledge_article", values)

    @http.route(["/my/knowledge/suggest"], type="json", auth="user", methods=["POST"])
    def portal_aftersales_knowledge_suggest(self, name="", description="", product_id=None, **kw):
        """The published articles that fit what the customer is typing on the new ticket form."""
        Solution = request.env["aftersales.solution"]
        if not Solution.has_access("read"):
            return []
        text = f"{name or ''}\n{description or ''}"[:SUGGEST_TEXT_LIMIT]
        category = None  # no product chosen yet: the articles of every product fit
        product_id = self._aftersales_int(product_id)
        if product_id:
            # only a product of the customer tells the category; any other id is ignored
            products = self._aftersales_portal_units(request.env.user.partner_id)[0]
            product = products.filtered(lambda p: p.id == product_id)
            if product:
                category = product.categ_id
        articles = Solution._suggest(
            text,
            request.env.company,
            lang=request.env.lang,
            category=category,
            domain=self._aftersales_knowledge_domain(),
        )
        return [{"id": article.id, "name": article.name, "url": f"/my/knowledge/{article.id}"} for article in articles]
