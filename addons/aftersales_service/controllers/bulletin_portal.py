# The bulletins that headquarters publishes to the service partners and dealers, on their portal.
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

BULLETIN_HISTORY_KEY = "my_aftersales_bulletins_history"


class AftersalesBulletinPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_bulletin_count" in counters:
            Bulletin = request.env["aftersales.bulletin"]
            values["aftersales_bulletin_count"] = (
                Bulletin.search_count(self._aftersales_bulletin_domain(), limit=1) if Bulletin.has_access("read") else 0
            )
        return values

    def _aftersales_bulletin_domain(self):
        """The published bulletins; the record rules keep those addressed to the user's company."""
        return [("state", "=", "published")]

    def _aftersales_bulletin_check(self, bulletin_id):
        """The bulletin, as the user, when it is published and addressed to them; 404 otherwise."""
        try:
            self._document_check_access("aftersales.bulletin", bulletin_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        bulletin = request.env["aftersales.bulletin"].browse(bulletin_id)
        if bulletin.state != "published" or not bulletin._is_recipient(request.env.user):
            raise NotFound()
        return bulletin

    @http.route(["/my/bulletins", "/my/bulletins/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_bulletins(self, page=1, **kw):
        Bulletin = request.env["aftersales.bulletin"]
        values = self._prepare_portal_layout_values()
        domain = self._aftersales_bulletin_domain()
        count = Bulletin.search_count(domain) if Bulletin.has_access("read") else 0
        pager = portal_pager(url="/my/bulletins", total=count, page=page, step=self._items_per_page)
        bulletins = (
            Bulletin.search(
                domain, order="published_date desc, id desc", limit=self._items_per_page, offset=pager["offset"]
            )
            if count
            else Bulletin
        )
        unread_count = Bulletin.search_count(domain + [("is_read", "=", False)]) if count else 0
        request.session[BULLETIN_HISTORY_KEY] = bulletins.ids[:100]
        values.update(
            {
                "bulletins": bulletins,
                "unread_count": unread_count,
                "page_name": "aftersales_bulletin",
                "default_url": "/my/bulletins",
                "pager": pager,
            }
        )
        return request.render("aftersales_service.portal_my_aftersales_bulletins", values)

    @http.route(["/my/bulletins/<int:bulletin_id>"], type="http", auth="user", website=True)
    def portal_my_aftersales_bulletin(self, bulletin_id, **kw):
        bulletin = self._aftersales_bulletin_check(bulletin_id)
        # opening the page is reading it: recorded for this user only, by the bulletin's own action
        bulletin.action_mark_read()
        # the user may read the bulletin: sudo only to hand out its attachments
        attachments = bulletin.sudo().attachment_ids
        attachments.generate_access_token()
        values = self._prepare_portal_layout_values()
        values.update({"bulletin": bulletin, "attachments": attachments, "page_name": "aftersales_bulletin"})
        values = self._get_page_view_values(bulletin, None, values, BULLETIN_HISTORY_KEY, False)
        return request.render("aftersales_service.portal_my_aftersales_bulletin", values)
