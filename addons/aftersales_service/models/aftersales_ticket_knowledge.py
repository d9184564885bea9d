from odoo import fields, models


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    # the fault codes offered are those of the product's category (or its parents) and the ticket's type
    fault_code_id = fields.Many2one(
        domain="['|', ('product_category_ids', '=', False), ('product_category_ids', 'parent_of', product_category_id),"
        " '|', ('ticket_type_ids', '=', False), ('ticket_type_ids', '=', ticket_type_id)]",
    )
