# The service partners dispute the lines of their statements on the portal.
from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from .partner_portal import AftersalesPartnerPortal


class AftersalesPartnerDisputePortal(AftersalesPartnerPortal):
    def _aftersales_settlement_sudo(self, settlement_id):
        """The statement, in sudo, when the user may read it and it is their company's; 404 otherwise."""
        try:
            settlement_sudo = self._document_check_access("aftersales.partner.settlement", settlement_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if settlement_sudo.partner_id != request.env.user.commercial_partner_id:
            raise NotFound()
        return settlement_sudo

    def _aftersales_dispute_messages(self):
        return {
            "disputed": ("success", _("Your dispute is sent: our dispatcher answers you here and by e-mail.")),
        }

    @http.route(["/my/settlements/<int:settlement_id>"], type="http", auth="user", website=True)
    def portal_my_aftersales_settlement(self, settlement_id, report_type=None, download=False, message=None, **kw):
        response = super().portal_my_aftersales_settlement(
            settlement_id, report_type=report_type, download=download, **kw
        )
        if hasattr(response, "qcontext"):
            response.qcontext.update(
                {
                    "dispute_message": self._aftersales_dispute_messages().get(message),
                    "dispute_errors": kw.get("dispute_errors") or [],
                }
            )
        return response

    @http.route(
        ["/my/settlements/<int:settlement_id>/lines/<int:line_id>/dispute"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_dispute_aftersales_settlement_line(self, settlement_id, line_id, reason=None, **post):
        settlement_sudo = self._aftersales_settlement_sudo(settlement_id)
        # only a line of this statement: another partner's line id is not found
        if line_id not in settlement_sudo.line_ids.ids:
            raise NotFound()
        # the checked statement's line, in sudo as the portal user (the dispute is theirs)
        line_sudo = request.env["aftersales.partner.settlement.line"].sudo().browse(line_id)
        try:
            line_sudo._partner_dispute(reason)
        except UserError as error:
            return self.portal_my_aftersales_settlement(settlement_id, dispute_errors=[error.args[0]])
        return request.redirect(f"/my/settlements/{settlement_sudo.id}?{url_encode({'message': 'disputed'})}")
