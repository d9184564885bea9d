from odoo.tests import Form, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestTicketSuggestionType(AftersalesCommon):
    """While the agent has not chosen the ticket's product or type yet (an e-mail, a first call), the
    articles of every product and type are suggested; once they are chosen, the others drop out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.customer_zh = cls.env["res.partner"].create({"name": "李娜", "lang": "zh_CN"})
        # the articles of the database do not take part
        cls.env["aftersales.solution"].search([]).active = False
        cls.type_install = cls.env["aftersales.ticket.type"].create({"name": "Installation check"})
        cls.fault_drain = cls.env["aftersales.fault.code"].create(
            {"code": "ST-E21", "name": "Drain timeout", "ticket_type_ids": [(6, 0, cls.type_repair.ids)]}
        )
        cls.drain_zh = cls.env["aftersales.solution"].create(
            {
                "name": "洗衣机不排水怎么办",
                "keywords": "排水、积水",
                "fault_code_ids": [(6, 0, cls.fault_drain.ids)],
                "product_category_ids": [(6, 0, cls.category.ids)],
            }
        )

    def test_suggested_before_product_and_type_are_chosen(self):
        form = Form(self.env["aftersales.ticket"].with_user(self.agent))
        form.partner_id = self.customer_zh
        form.name = "洗衣机不排水"
        self.assertFalse(form.product_id)
        self.assertFalse(form.ticket_type_id)
        self.assertEqual(len(form.suggested_solution_ids), 1)
        self.assertEqual(form.suggested_solution_ids[0], self.drain_zh)
        form.product_id = self.other_product
        self.assertFalse(len(form.suggested_solution_ids), "an article for washing machines only")
        form.product_id = self.product
        self.assertEqual(len(form.suggested_solution_ids), 1)
        form.ticket_type_id = self.type_install
        self.assertFalse(len(form.suggested_solution_ids), "an article for repairs only")
        form.ticket_type_id = self.type_repair
        ticket = form.save()
        self.assertEqual(ticket.suggested_solution_ids, self.drain_zh)
