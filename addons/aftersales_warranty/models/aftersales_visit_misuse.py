from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    misuse = fields.Boolean(
        tracking=True,
        copy=False,
        help="The technician found the failure caused by misuse: the warranty does not pay for this visit.",
    )
    misuse_note = fields.Text(
        string="Misuse Found",
        copy=False,
        help="What the technician found (e.g. coins in the drum pump), printed on the service report.",
    )

    @api.constrains("misuse", "misuse_note")
    def _check_misuse_note(self):
        for visit in self:
            if visit.misuse and not (visit.misuse_note or "").strip():
                raise ValidationError(
                    _("Say what misuse was found on visit %(visit)s: the customer pays for it.", visit=visit.name)
                )
