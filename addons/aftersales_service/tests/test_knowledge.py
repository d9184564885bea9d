from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestKnowledge(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Solution = cls.env["aftersales.solution"]
        cls.fault = cls.env["aftersales.fault.code"].create(
            {"code": "TST-E21", "name": "Drain timeout", "product_category_ids": [(6, 0, cls.category.ids)]}
        )
        cls.solution_drain = Solution.create(
            {
                "name": "Clean the drain pump filter",
                "keywords": "drain, water, pump",
                "content": "<p>Open the lower flap and unscrew the filter.</p>",
                "product_category_ids": [(6, 0, cls.category.ids)],
                "fault_code_ids": [(6, 0, cls.fault.ids)],
            }
        )
        cls.solution_door = Solution.create(
            {
                "name": "Reset the door lock",
                "keywords": "door lock",
                "product_category_ids": [(6, 0, cls.category.ids)],
            }
        )
        cls.solution_fridge = Solution.create(
            {
                "name": "Defrost the water tank",
                "keywords": "water",
                "product_category_ids": [(6, 0, cls.env["product.category"].create({"name": "Fridges"}).ids)],
            }
        )

    def test_fault_code_display(self):
        self.assertEqual(self.fault.display_name, "TST-E21 - Drain timeout")
        self.assertEqual(self.env["aftersales.fault.code"].name_search("TST-E21")[0][0], self.fault.id)
        self.assertIn(self.fault.id, [i for i, _n in self.env["aftersales.fault.code"].name_search("Drain timeout")])

    def test_suggestions_from_category_and_words(self):
        ticket = self._ticket(
            product_id=self.product.id,
            lot_id=self.lot.id,
            description="<p>The water stays in the drum, it does not drain.</p>",
        )
        self.assertEqual(ticket.suggested_solution_ids, self.solution_drain)
        ticket.write({"name": "Door problem", "description": "<p>The door lock is stuck</p>"})
        self.assertEqual(ticket.suggested_solution_ids, self.solution_door)
        ticket.fault_code_id = self.fault
        self.assertEqual(ticket.suggested_solution_ids[0], self.solution_drain, "the fault code ranks first")

    def test_subcategory_matches(self):
        sub = self.env["product.category"].create({"name": "Front loaders", "parent_id": self.category.id})
        self.product.categ_id = sub
        ticket = self._ticket(product_id=self.product.id, name="Drain problem")
        self.assertIn(self.solution_drain, ticket.suggested_solution_ids)

    def test_apply_solution(self):
        ticket = self._ticket(product_id=self.product.id, name="Drain problem")
        self.solution_drain.with_context(aftersales_ticket_id=ticket.id).action_apply_to_ticket()
        self.assertEqual(ticket.solution_id, self.solution_drain)
        self.assertIn("unscrew the filter", ticket.resolution)
        self.assertEqual(self.solution_drain.ticket_count, 1)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "Clean the drain pump filter" in (m.body or "")))
        # with a resolution in place, the ticket can be closed
        ticket.action_close()
        self.assertTrue(ticket.is_closed)

    def test_apply_without_ticket_refused(self):
        from odoo.exceptions import UserError

        with self.assertRaises(UserError):
            self.solution_drain.action_apply_to_ticket()
