# A dealer's bulk return on the portal: the serial numbers of the units it sends back, as a draft to approve.
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class AftersalesRmaDealerPortal(CustomerPortal):
    def _aftersales_dealer_form_values(self, errors=(), form=None):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "aftersales_rma_dealer",
                "reasons": request.env["aftersales.rma.reason"].sudo().search([]),
                "dealer_reasons": request.env["aftersales.rma.line"]
                ._fields["dealer_reason"]
                ._description_selection(request.env),
                "errors": list(errors),
                "form": form or {},
            }
        )
        return values

    @http.route(["/my/rmas/dealer"], type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_new_aftersales_dealer_rma(self, **post):
        partner = request.env.user.partner_id
        # sudo: whether the user's company is a dealer, a flag the portal user does not read
        if not request.env.user.share or not partner.sudo().commercial_partner_id.aftersales_dealer:
            raise NotFound()
        template = "aftersales_parts.portal_new_aftersales_dealer_rma"
        if request.httprequest.method != "POST":
            return request.render(template, self._aftersales_dealer_form_values())
        try:
            reason_id = int(post.get("reason_id") or 0)
        except ValueError:
            reason_id = 0
        try:
            # nothing is kept of a refused request
            with request.env.cr.savepoint():
                rma = (
                    request.env["aftersales.rma"]
                    .sudo()
                    ._portal_dealer_create(
                        partner,
                        post.get("serials") or "",
                        post.get("dealer_reason"),
                        reason_id,
                        comment=(post.get("comment") or "").strip(),
                    )
                )
        except (UserError, ValidationError) as error:
            values = self._aftersales_dealer_form_values(errors=error.args[0].split("\n"), form=post)
            return request.render(template, values)
        return request.redirect(f"{rma.access_url}?created=1")
