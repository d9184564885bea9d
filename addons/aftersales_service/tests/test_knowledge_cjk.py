import logging
import time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..tools.kb_terms import MatchText, keyword_terms, title_terms
from .common import AftersalesCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestKnowledgeCjk(AftersalesCommon):
    """Articles found in Chinese and English, in the customer's language, by fault code and category."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.agent_kb = new_test_user(
            cls.env,
            login="as_kb_agent",
            name="Anna Agent",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman",
        )
        cls.customer_zh = cls.env["res.partner"].create(
            {"name": "王芳", "lang": "zh_CN", "email": "wang.fang@example.com"}
        )
        cls.fridges = cls.env["product.category"].create({"name": "Fridges"})
        cls.fridge = cls.env["product.product"].create(
            {"name": "Fridge FR-2", "categ_id": cls.fridges.id, "type": "consu"}
        )
        # the articles of the database do not take part
        cls.env["aftersales.solution"].search([]).active = False
        FaultCode = cls.env["aftersales.fault.code"]
        cls.fault_drain = FaultCode.create(
            {"code": "KB-E21", "name": "Drain timeout", "product_category_ids": [(6, 0, cls.category.ids)]}
        )
        cls.fault_cooling = FaultCode.create(
            {"code": "KB-F05", "name": "No cooling", "product_category_ids": [(6, 0, cls.fridges.ids)]}
        )
        cls.fault_any = FaultCode.create({"code": "KB-X99", "name": "Unknown noise"})
        Solution = cls.env["aftersales.solution"]
        cls.drain_zh = Solution.create(
            {
                "name": "洗衣机不排水怎么办",
                "keywords": "排水、积水，E21",
                "product_category_ids": [(6, 0, cls.category.ids)],
            }
        )
        cls.door_zh = Solution.create(
            {
                "name": "洗衣机门锁打不开",
                "keywords": "门锁；打不开，E30",
                "product_category_ids": [(6, 0, cls.category.ids)],
            }
        )
        cls.drain_en = Solution.create(
            {
                "name": "Clean the drain pump filter",
                "keywords": "drain, water, pump",
                "product_category_ids": [(6, 0, cls.category.ids)],
            }
        )
        cls.drain_en.with_context(lang="zh_CN").write({"name": "清洗排水泵过滤器", "keywords": "过滤器、排水泵"})
        # for fridges through its fault code only
        cls.cooling = Solution.create(
            {
                "name": "Check the thermostat",
                "keywords": "thermostat",
                "fault_code_ids": [(6, 0, cls.fault_cooling.ids)],
            }
        )

    def _agent_ticket(self, partner, name, description="", product=None, fault_code=None):
        """The agent records the customer's request on the ticket form."""
        with Form(self.env["aftersales.ticket"].with_user(self.agent_kb)) as form:
            form.partner_id = partner
            form.name = name
            if description:
                form.description = description
            form.product_id = product or self.product
            if fault_code:
                form.fault_code_id = fault_code
        return form.record

    def test_terms(self):
        self.assertEqual(
            keyword_terms("排水、积水，E21;drain  pump；不制冷"), {"排水", "积水", "e21", "drain", "pump", "不制冷"}
        )
        self.assertEqual(title_terms("Clean the drain pump filter"), {"clean", "drain", "pump", "filter"})
        self.assertEqual(title_terms("洗衣机 不排水"), {"洗衣机", "不排水"})
        text = MatchText("洗衣机不排水，显示Ｅ２１ and the door-lock")
        self.assertTrue(text.has("排水"))
        self.assertTrue(text.has("e21"), "full-width letters and digits are folded")
        self.assertTrue(text.has("door-lock"))
        self.assertFalse(text.has("不制冷"))
        self.assertFalse(MatchText("draining").has("drain"), "latin words match whole")
        self.assertFalse(MatchText("冰箱不太制冷").has("不制冷"))

    def test_chinese_request_finds_chinese_article(self):
        ticket = self._agent_ticket(self.customer_zh, "洗衣机不排水，显示E21")
        self.assertEqual(ticket.suggested_solution_ids, self.drain_zh)
        self.assertNotIn(self.door_zh, ticket.suggested_solution_ids, "sharing 洗衣机 is not enough")
        ticket = self._agent_ticket(self.customer_zh, "门锁坏了", "<p>洗衣机的门打不开</p>")
        self.assertEqual(ticket.suggested_solution_ids, self.door_zh)

    def test_english_request_still_works(self):
        ticket = self._agent_ticket(self.customer, "Water in the drum", "<p>The machine does not drain.</p>")
        self.assertEqual(ticket.suggested_solution_ids, self.drain_en)
        ticket = self._agent_ticket(self.customer, "Draining is slow")
        self.assertFalse(ticket.suggested_solution_ids)

    def test_translated_article_in_customer_language(self):
        # the Chinese title and keywords of the English article are read for a Chinese customer
        ticket = self._agent_ticket(self.customer_zh, "排水泵过滤器堵了")
        self.assertIn(self.drain_en, ticket.suggested_solution_ids)
        self.assertEqual(
            ticket.suggested_solution_ids[0], self.drain_en, "the translated title and keywords rank it first"
        )
        # an English customer writing the same gets the English words only
        ticket = self._agent_ticket(self.customer, "过滤器堵了")
        self.assertFalse(ticket.suggested_solution_ids)
        ticket = self._agent_ticket(self.customer_zh, "The pump does not drain")
        self.assertNotIn(self.drain_en, ticket.suggested_solution_ids, "the Chinese customer reads it in Chinese")

    def test_fault_code_ranks_and_limits(self):
        self.drain_zh.fault_code_ids = self.fault_drain
        ticket = self._agent_ticket(self.customer_zh, "门锁坏了，打不开", fault_code=self.fault_drain)
        self.assertEqual(ticket.suggested_solution_ids[0], self.drain_zh, "the fault code weighs most")
        self.assertIn(self.door_zh, ticket.suggested_solution_ids)
        # the code of a fault code written in the text suggests its articles
        ticket = self._agent_ticket(self.customer, "Display shows KB-E21")
        self.assertEqual(ticket.suggested_solution_ids, self.drain_zh)

    def test_article_for_categories_of_its_fault_codes(self):
        ticket = self._agent_ticket(self.customer, "Check the thermostat please")
        self.assertNotIn(self.cooling, ticket.suggested_solution_ids, "not a fridge: the article is not for it")
        ticket = self._agent_ticket(self.customer, "Check the thermostat please", product=self.fridge)
        self.assertEqual(ticket.suggested_solution_ids, self.cooling)

    def test_fault_codes_offered_by_category_and_type(self):
        ticket = self._agent_ticket(self.customer, "Noise")
        domain = safe_eval(
            ticket._fields["fault_code_id"].domain,
            {"product_category_id": ticket.product_category_id.id, "ticket_type_id": ticket.ticket_type_id.id},
        )
        offered = self.env["aftersales.fault.code"].with_user(self.agent_kb).search(domain)
        self.assertIn(self.fault_drain, offered)
        self.assertIn(self.fault_any, offered)
        self.assertNotIn(self.fault_cooling, offered)
        self.fault_any.ticket_type_ids = self.env["aftersales.ticket.type"].create({"name": "KB other type"})
        self.assertNotIn(self.fault_any, self.env["aftersales.fault.code"].with_user(self.agent_kb).search(domain))

    def test_suggestions_do_not_grow_with_the_knowledge_base(self):
        ticket = self._agent_ticket(self.customer_zh, "洗衣机不排水，显示E21").with_user(self.agent_kb)

        def suggest():
            ticket.invalidate_recordset(["suggested_solution_ids"])
            self.env["aftersales.solution"].invalidate_model()
            queries = self.cr.sql_log_count
            start = time.perf_counter()
            suggested = ticket.suggested_solution_ids
            return suggested, self.cr.sql_log_count - queries, time.perf_counter() - start

        self.env.flush_all()
        suggest()  # the caches of the first read
        suggested, queries_small, _duration = suggest()
        self.assertEqual(suggested, self.drain_zh)
        self.env["aftersales.solution"].create(
            [
                {
                    "name": f"Article number {index}",
                    "keywords": f"kbword{index}、问题{index}号",
                    "product_category_ids": [(6, 0, self.category.ids)],
                }
                for index in range(2000)
            ]
        )
        self.env.flush_all()
        suggested, queries_large, duration = suggest()
        self.assertEqual(suggested, self.drain_zh)
        self.assertEqual(queries_large, queries_small, "the articles are not all read")
        _logger.info("suggestions among 2,003 articles: %s queries, %.1f ms", queries_large, duration * 1000)
        with self.assertQueryCount(queries_large):
            ticket.invalidate_recordset(["suggested_solution_ids"])
            self.env["aftersales.solution"].invalidate_model()
            self.assertEqual(ticket.suggested_solution_ids, self.drain_zh)

    def test_agent_publishes_on_portal(self):
        article = self.drain_zh.with_user(self.agent_kb)
        article.action_portal_publish()
        self.assertTrue(self.drain_zh.portal_published)
        article.action_portal_unpublish()
        self.assertFalse(self.drain_zh.portal_published)
        with self.assertRaises(AccessError):
            article.write({"name": "Changed by an agent"})
        technician = new_test_user(
            self.env, login="as_kb_tech", groups="aftersales_service.aftersales_service_group_technician"
        )
        with self.assertRaises(AccessError):
            self.drain_zh.with_user(technician).action_portal_publish()
        self.assertFalse(self.drain_zh.portal_published)
