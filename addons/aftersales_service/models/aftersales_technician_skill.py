from odoo import fields, models

SKILL_LEVELS = [
    ("1", "Junior"),
    ("2", "Proficient"),
    ("3", "Expert"),
]


class AftersalesTechnicianSkill(models.Model):
    _name = "aftersales.technician.skill"
    _description = "Technician Skill"
    _order = "technician_id, level desc, id"

    technician_id = fields.Many2one("aftersales.technician", required=True, index=True, ondelete="cascade")
    product_category_id = fields.Many2one(
        "product.category", help="Products of this category and its sub-categories. Leave empty for all."
    )
    ticket_type_id = fields.Many2one("aftersales.ticket.type", help="Leave empty for every type.")
    level = fields.Selection(SKILL_LEVELS, required=True, default="2")

    _sql_constraints = [
        (
            "skill_uniq",
            "unique (technician_id, product_category_id, ticket_type_id)",
            "A technician has one level per product category and ticket type.",
        ),
    ]

    def _matches(self, category, ticket_type):
        """Whether this skill applies to a product ``category`` and a ``ticket_type``."""
        self.ensure_one()
        return (
            not self.product_category_id
            or (category and category.parent_path.startswith(self.product_category_id.parent_path))
        ) and (not self.ticket_type_id or self.ticket_type_id == ticket_type)
