from odoo import fields, models
from odoo.tools import consteq
from odoo.tools.misc import hmac

CARE_OPT_OUT_SCOPE = "aftersales-care-opt-out"


class ResPartner(models.Model):  # pylint: disable=consider-merging-classes-inherited
    _inherit = "res.partner"

    aftersales_birthday = fields.Date(
        string="Birthday",
        help="The customer care rules of kind Birthday send a greeting on this day every year.",
    )
    aftersales_care_opt_out = fields.Boolean(
        string="No Customer Care E-mails",
        help="The contact receives none of the customer care e-mails (anniversaries, birthdays, festivals). "
        "Set by the contact through the link at the bottom of these e-mails, or by an agent on request.",
    )

    def _aftersales_care_token(self):
        """The secret of the contact's unsubscribe link: signed with the database secret, it needs no login."""
        self.ensure_one()
        return hmac(self.env(su=True), CARE_OPT_OUT_SCOPE, self.id)

    def _aftersales_check_care_token(self, token):
        self.ensure_one()
        return bool(token) and consteq(str(token), self._aftersales_care_token())

    def _aftersales_care_unsubscribe_url(self):
        self.ensure_one()
        base_url = self.get_base_url()
        return f"{base_url}/aftersales/care/unsubscribe/{self.id}/{self._aftersales_care_token()}"
