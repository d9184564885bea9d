# The units the customer left at the service centre, on the portal.
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

CARRY_IN_HISTORY_KEY = "my_aftersales_carry_ins_history"


class AftersalesCarryInPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "carry_in_count" in counters:
            CarryIn = request.env["aftersales.carry.in"]
            values["carry_in_count"] = CarryIn.search_count([], limit=1) if CarryIn.has_access("read") else 0
        return values

    @http.route(["/my/repairs", "/my/repairs/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_carry_ins(self, page=1, **kw):
        CarryIn = request.env["aftersales.carry.in"]
        values = self._prepare_portal_layout_values()
        count = CarryIn.search_count([]) if CarryIn.has_access("read") else 0
        pager = portal_pager(url="/my/repairs", total=count, page=page, step=self._items_per_page)
        # the record rules choose the customer's units
        carry_ins = CarryIn.search([], limit=self._items_per_page, offset=pager["offset"]) if count else CarryIn
        request.session[CARRY_IN_HISTORY_KEY] = carry_ins.ids[:100]
        values.update(
            {
                # sudo: the units are the customer's (read above through the rules); their products and
                # serial numbers are shown with them
                "carry_ins": carry_ins.sudo(),
                "page_name": "aftersales_carry_in",
                "default_url": "/my/repairs",
                "pager": pager,
            }
        )
        return request.render("aftersales_parts.portal_my_aftersales_carry_ins", values)

    @http.route(["/my/repairs/<int:carry_in_id>"], type="http", auth="user", website=True)
    def portal_my_aftersales_carry_in(self, carry_in_id, **kw):
        try:
            carry_in_sudo = self._document_check_access("aftersales.carry.in", carry_in_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        quotation = carry_in_sudo.visit_id.quotation_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "aftersales_carry_in": carry_in_sudo,
                "quotation": quotation if quotation.state != "cancel" else quotation.browse(),
                "page_name": "aftersales_carry_in",
            }
        )
        return request.render("aftersales_parts.portal_my_aftersales_carry_in", values)
