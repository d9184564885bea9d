# The customer's return authorizations on the portal, and the form asking for a new one.
from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

RMA_HISTORY_KEY = "my_aftersales_rmas_history"


class AftersalesRmaPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "rma_count" in counters:
            Rma = request.env["aftersales.rma"]
            values["rma_count"] = Rma.search_count([], limit=1) if Rma.has_access("read") else 0
        return values

    @http.route(["/my/rmas", "/my/rmas/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_rmas(self, page=1, **kw):
        Rma = request.env["aftersales.rma"]
        values = self._prepare_portal_layout_values()
        count = Rma.search_count([]) if Rma.has_access("read") else 0
        pager = portal_pager(url="/my/rmas", total=count, page=page, step=self._items_per_page)
        # the record rules choose the customer's returns
        rmas = Rma.search([], limit=self._items_per_page, offset=pager["offset"]) if count else Rma
        request.session[RMA_HISTORY_KEY] = rmas.ids[:100]
        values.update(
            {
                "rmas": rmas.sudo(),
                "page_name": "aftersales_rma",
                "default_url": "/my/rmas",
                "pager": pager,
            }
        )
        return request.render("aftersales_parts.portal_my_aftersales_rmas", values)

    @http.route(["/my/rmas/<int:rma_id>"], type="http", auth="public", website=True)
    def portal_my_aftersales_rma(self, rma_id, access_token=None, **kw):
        try:
            rma_sudo = self._document_check_access("aftersales.rma", rma_id, access_token=access_token)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        values = {"aftersales_rma": rma_sudo, "page_name": "aftersales_rma", "created": kw.get("created")}
        values = self._get_page_view_values(rma_sudo, access_token, values, RMA_HISTORY_KEY, False, **kw)
        return request.render("aftersales_parts.portal_my_aftersales_rma", values)

    # ------------------------------------------------------------------
    # Asking for a return
    # ------------------------------------------------------------------

    def _aftersales_rma_form_values(self, errors=(), form=None):
        partner = request.env.user.partner_id
        returnable = request.env["aftersales.rma"].sudo()._portal_returnable(partner)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "aftersales_rma_new",
                "returnable": returnable,
                "reasons": request.env["aftersales.rma.reason"].sudo().search([]),
                "resolutions": request.env["aftersales.rma.line"]
                ._fields["resolution"]
                ._description_selection(request.env),
                "errors": list(errors),
                "form": form or {},
            }
        )
        return values

    @staticmethod
    def _aftersales_rma_form_reason(value):
        try:
            return int(value or 0)
        except ValueError:
            return 0

    def _aftersales_rma_form_lines(self, post):
        """The lines asked for in the posted form: ``qty_<move>`` and ``lot_<move>_<serial>`` fields.

        Each delivered product may have its own ``reason_<move>`` and ``resolution_<move>``; when
        left empty, the reason and resolution chosen for the whole request apply.
        """
        common = {
            "reason_id": self._aftersales_rma_form_reason(post.get("reason_id")),
            "resolution": post.get("resolution"),
        }
        lines = []
        for key, value in post.items():
            parts = key.split("_")
            try:
                if parts[0] == "qty" and len(parts) == 2:
                    quantity = float(value or 0.0)
                    if quantity < 0:
                        raise ValueError(value)
                    line = {"move_id": int(parts[1]), "quantity": quantity}
                elif parts[0] == "lot" and len(parts) == 3:
                    line = {"move_id": int(parts[1]), "lot_id": int(parts[2]), "quantity": 1.0}
                else:
                    continue
            except ValueError:
                raise UserError(_("The quantities to return must be positive numbers.")) from None
            own_reason = self._aftersales_rma_form_reason(post.get(f"reason_{parts[1]}"))
            own_resolution = post.get(f"resolution_{parts[1]}")
            lines.append(
                dict(
                    line,
                    reason_id=own_reason or common["reason_id"],
                    resolution=own_resolution or common["resolution"],
                )
            )
        return lines

    @http.route(["/my/rmas/new"], type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_new_aftersales_rma(self, **post):
        if request.httprequest.method != "POST":
            return request.render("aftersales_parts.portal_new_aftersales_rma", self._aftersales_rma_form_values())
        partner = request.env.user.partner_id
        comment = (post.get("comment") or "").strip()
        try:
            # nothing is kept of a refused request
            with request.env.cr.savepoint():
                rma = (
                    request.env["aftersales.rma"]
                    .sudo()
                    ._portal_create(partner, self._aftersales_rma_form_lines(post), comment=comment)
                )
        except (UserError, ValidationError) as error:
            values = self._aftersales_rma_form_values(errors=[error.args[0]], form=post)
            return request.render("aftersales_parts.portal_new_aftersales_rma", values)
        return request.redirect(f"{rma.access_url}?created=1")
