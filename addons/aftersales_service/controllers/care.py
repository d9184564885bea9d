# The unsubscribe link of the customer care e-mails: no login, the signed link is the proof.
from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request


class AftersalesCareController(http.Controller):
    def _aftersales_care_partner(self, partner_id, token):
        """The contact of a valid unsubscribe link; any other link is refused."""
        # the link is checked before anything of the contact is read
        partner_sudo = request.env["res.partner"].sudo().browse(partner_id).exists()
        if not partner_sudo or not partner_sudo._aftersales_check_care_token(token):
            raise Forbidden()
        return partner_sudo

    @http.route(
        "/aftersales/care/unsubscribe/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
    )
    def aftersales_care_unsubscribe(self, partner_id, token, **kw):
        """Ask for a confirmation: mail scanners open links, they do not press buttons."""
        partner_sudo = self._aftersales_care_partner(partner_id, token)
        return request.render(
            "aftersales_service.aftersales_care_unsubscribe_page",
            {"partner": partner_sudo, "token": token, "done": partner_sudo.aftersales_care_opt_out},
        )

    # the signed link stands for the session's CSRF token: the page may be opened in any browser
    @http.route(
        "/aftersales/care/unsubscribe/<int:partner_id>/<string:token>/confirm",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        csrf=False,
    )
    def aftersales_care_unsubscribe_confirm(self, partner_id, token, **kw):
        partner_sudo = self._aftersales_care_partner(partner_id, token)
        if not partner_sudo.aftersales_care_opt_out:
            partner_sudo.aftersales_care_opt_out = True
            partner_sudo.message_post(
                body=request.env._("Opted out of the customer care e-mails through the link of an e-mail."),
                subtype_xmlid="mail.mt_note",
            )
        return request.render(
            "aftersales_service.aftersales_care_unsubscribe_page",
            {"partner": partner_sudo, "token": token, "done": True},
        )
