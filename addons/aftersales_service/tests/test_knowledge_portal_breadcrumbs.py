from lxml import html

from odoo.tests import HttpCase, tagged

from .test_portal import AftersalesPortalCommon


@tagged("post_install", "-at_install")
class TestKnowledgePortalBreadcrumbs(AftersalesPortalCommon, HttpCase):
    """The customer finds the way back from the help articles, as from the other portal pages."""

    def test_breadcrumbs_of_help_articles(self):
        article = self.env["aftersales.solution"].create(
            {"name": "Clean the drain filter", "content": "<p>Open the flap.</p>", "portal_published": True}
        )
        self.authenticate(self.portal_user.login, self.portal_user.login)
        for url, expected in (
            ("/my/knowledge", ["Help Articles"]),
            (f"/my/knowledge/{article.id}", ["Help Articles", "Clean the drain filter"]),
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                items = html.fromstring(response.text).xpath(
                    "//ol[contains(@class, 'o_portal_submenu')]/li[contains(@class, 'breadcrumb-item')]"
                )
                texts = [item.text_content().strip() for item in items]
                self.assertEqual(texts[-len(expected) :], expected)
                self.assertTrue(items[0].xpath(".//a[@href='/my/home']"), "the way back to the portal home")
