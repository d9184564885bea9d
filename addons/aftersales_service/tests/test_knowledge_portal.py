from odoo.tests import HttpCase, tagged

from .test_portal import AftersalesPortalCommon


@tagged("post_install", "-at_install")
class TestKnowledgePortal(AftersalesPortalCommon, HttpCase):
    """The customer reads the published articles, and gets them suggested while reporting a problem."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Solution = cls.env["aftersales.solution"]
        # the articles of the database do not take part
        Solution.search([]).active = False
        cls.published = Solution.create(
            {
                "name": "洗衣机不排水怎么办",
                "keywords": "排水、E21",
                "portal_published": True,
                "content": "<p>拧下排水泵过滤器，冲洗干净。</p>",
                "product_category_ids": [(6, 0, cls.category.ids)],
            }
        )
        cls.unpublished = Solution.create(
            {
                "name": "Internal: replace the drain pump",
                "keywords": "排水, drain",
                "content": "<p>Order part 4711 and replace the pump.</p>",
            }
        )
        cls.english = Solution.create(
            {
                "name": "Clean the drain pump filter",
                "keywords": "drain, water",
                "portal_published": True,
                "product_category_ids": [(6, 0, cls.category.ids)],
            }
        )
        other_company = cls.env["res.company"].create({"name": "Other Appliances Ltd"})
        cls.other_company_article = Solution.create(
            {
                "name": "Other company: drain help",
                "keywords": "排水, drain",
                "portal_published": True,
                "company_id": other_company.id,
            }
        )

    def _suggest(self, **params):
        return self.make_jsonrpc_request("/my/knowledge/suggest", params)

    def test_portal_user_reads_published_articles_only(self):
        Solution = self.env["aftersales.solution"].with_user(self.portal_user)
        self.assertEqual(Solution.search([]), self.published | self.english)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/knowledge")
        self.assertEqual(response.status_code, 200)
        self.assertIn("洗衣机不排水怎么办", response.text)
        self.assertIn("Clean the drain pump filter", response.text)
        self.assertNotIn("Internal: replace the drain pump", response.text)
        self.assertNotIn("Other company", response.text)
        response = self.url_open("/my/knowledge?search=排水")
        self.assertIn("洗衣机不排水怎么办", response.text)
        self.assertNotIn("Clean the drain pump filter", response.text)

        response = self.url_open(f"/my/knowledge/{self.published.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("拧下排水泵过滤器", response.text)
        for hidden in (self.unpublished, self.other_company_article):
            response = self.url_open(f"/my/knowledge/{hidden.id}")
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(hidden.name, response.text)

        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["knowledge_count"]})
        # the home page only asks whether there are any, as Odoo's own order counter
        self.assertEqual(counters["knowledge_count"], 1)

    def test_suggestions_while_typing(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        result = self._suggest(name="洗衣机不排水，显示E21", description="")
        self.assertEqual([article["id"] for article in result], [self.published.id])
        self.assertEqual(result[0]["url"], f"/my/knowledge/{self.published.id}")
        self.assertEqual(result[0]["name"], "洗衣机不排水怎么办")

        # English, with the product chosen: the articles of its category
        result = self._suggest(
            name="Water stays in the drum", description="It does not drain", product_id=self.product.id
        )
        self.assertEqual([article["id"] for article in result], [self.english.id])
        # another product of the customer's: the washing machine articles do not fit it
        self.product.categ_id = self.env["product.category"].create({"name": "Dryers"})
        result = self._suggest(
            name="Water stays in the drum", description="It does not drain", product_id=self.product.id
        )
        self.assertFalse(result)
        # a product that is not the customer's tells nothing: ignored, not an error
        result = self._suggest(name="It does not drain", product_id=self.other_product.id)
        self.assertEqual([article["id"] for article in result], [self.english.id])
        self.assertEqual(self._suggest(name="", description=""), [])

    def test_new_ticket_form_has_suggestions_box(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/tickets/new")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_knowledge_suggestions", response.text)

    def test_suggestions_need_login(self):
        self.authenticate(None, None)
        response = self.url_open(
            "/my/knowledge/suggest",
            data='{"jsonrpc": "2.0", "method": "call", "params": {"name": "排水"}}'.encode(),
            headers={"Content-Type": "application/json"},
        )
        self.assertNotIn("洗衣机不排水怎么办", response.text)
        response = self.url_open("/my/knowledge", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))

    def test_tour_suggestions_on_new_ticket(self):
        self.start_tour("/my/tickets/new", "aftersales_knowledge_suggestion_tour", login=self.portal_user.login)
