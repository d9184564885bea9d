from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .aftersales_technician_skill import SKILL_LEVELS

VISIT_KINDS = [
    ("installation", "Installation"),
    ("repair", "Repair"),
    ("maintenance", "Maintenance"),
    ("inspection", "Inspection"),
    ("follow_up", "Follow-up"),
]


class AftersalesVisitType(models.Model):
    _name = "aftersales.visit.type"
    _description = "Visit Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(VISIT_KINDS, required=True, default="repair")
    default_duration = fields.Float(
        string="Duration (hours)", default=1.0, help="The time planned for a visit of this type."
    )
    skill_level = fields.Selection(
        SKILL_LEVELS,
        string="Required Level",
        required=True,
        default="1",
        help="The least skill level, for the ticket's product category and type, a technician "
        "needs to be chosen for a visit of this type.",
    )
    requires_signature = fields.Boolean(
        help="A visit of this type is done only once the customer has signed its work report."
    )
    step_ids = fields.One2many(
        "aftersales.visit.type.step",
        "visit_type_id",
        string="Checklist",
        help="The steps every visit of this type copies when it is created; the technician answers them on site.",
    )
    labour_product_id = fields.Many2one(
        "product.product",
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Service product billed per hour for the labour lines of visits of this type.",
    )
    travel_km_product_id = fields.Many2one(
        "product.product",
        string="Travel per km",
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Service product billed per kilometre when the visit's zone has no flat travel fee.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        string="Fixed Fee",
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Service product proposed for the fixed-fee lines of visits of this type (call-out fee).",
    )

    @api.constrains("default_duration")
    def _check_default_duration(self):
        for visit_type in self:
            if visit_type.default_duration <= 0:
                raise ValidationError(
                    _("Visits of type %(type)s must last more than zero hours.", type=visit_type.name)
                )
