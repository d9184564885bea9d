# The portal of the service partners: their own monthly scorecards, once a manager locked them.
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

SCORECARD_HISTORY_KEY = "my_aftersales_scorecards_history"


class AftersalesScorecardPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_scorecard_count" in counters:
            Line = request.env["aftersales.scorecard.line"]
            values["aftersales_scorecard_count"] = (
                Line.search_count(self._aftersales_scorecard_domain(), limit=1) if Line.has_access("read") else 0
            )
        return values

    def _aftersales_scorecard_domain(self):
        """The locked lines of the user's company; the record rules hide the others' anyway."""
        return [
            ("kind", "=", "partner"),
            ("service_partner_id", "=", request.env.user.commercial_partner_id.id),
            ("state", "=", "locked"),
        ]

    @http.route(["/my/scorecards", "/my/scorecards/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_scorecards(self, page=1, **kw):
        Line = request.env["aftersales.scorecard.line"]
        values = self._prepare_portal_layout_values()
        domain = self._aftersales_scorecard_domain()
        count = Line.search_count(domain) if Line.has_access("read") else 0
        pager = portal_pager(url="/my/scorecards", total=count, page=page, step=self._items_per_page)
        lines = Line.search(domain, limit=self._items_per_page, offset=pager["offset"]) if count else Line
        request.session[SCORECARD_HISTORY_KEY] = lines.ids[:100]
        values.update(
            {
                # read by the user above; in sudo only to show the figures of the lines they may read
                "scorecard_lines": lines.sudo(),
                "page_name": "aftersales_scorecard",
                "default_url": "/my/scorecards",
                "pager": pager,
            }
        )
        return request.render("aftersales_service.portal_my_aftersales_scorecards", values)

    @http.route(["/my/scorecards/<int:line_id>"], type="http", auth="user", website=True)
    def portal_my_aftersales_scorecard(self, line_id, **kw):
        try:
            line_sudo = self._document_check_access("aftersales.scorecard.line", line_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if (
            line_sudo.kind != "partner"
            or line_sudo.service_partner_id != request.env.user.commercial_partner_id
            or line_sudo.state != "locked"
        ):
            raise NotFound()
        ranked = line_sudo.search_count([("scorecard_id", "=", line_sudo.scorecard_id.id), ("kind", "=", "partner")])
        measures = dict(request.env["aftersales.scorecard.measure"]._fields["code"]._description_selection(request.env))
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "scorecard_line": line_sudo,
                "ranked_count": ranked,
                "achievements": [
                    (measures.get(code, code), value) for code, value in (line_sudo.achievements or {}).items()
                ],
                "page_name": "aftersales_scorecard",
            }
        )
        values = self._get_page_view_values(line_sudo, None, values, SCORECARD_HISTORY_KEY, False)
        return request.render("aftersales_service.portal_my_aftersales_scorecard", values)
