# The dealer's monthly stock reports on its portal: the list, a new report, the figures and their submission.
import math

from dateutil.relativedelta import relativedelta
from werkzeug.exceptions import NotFound

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

STOCK_REPORT_HISTORY_KEY = "my_aftersales_stock_reports_history"
REPORT_MODEL = "aftersales.dealer.stock.report"
# the most units a dealer reports of a product
MAX_PORTAL_STOCK_QUANTITY = 1000000


class AftersalesDealerStockPortal(CustomerPortal):
    def _aftersales_stock_dealer(self):
        """The dealer company of the portal user, when it reports its stock; else an empty record."""
        # the user's own commercial partner: readable by the user
        dealer = request.env.user.partner_id.commercial_partner_id
        if request.env.user.share and dealer.aftersales_dealer and not dealer.sudo().aftersales_consignment_location_id:
            return dealer
        return request.env["res.partner"]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "stock_report_count" in counters:
            Report = request.env[REPORT_MODEL]
            values["stock_report_count"] = Report.search_count([], limit=1) if Report.has_access("read") else 0
        return values

    @http.route(["/my/stock-reports", "/my/stock-reports/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_stock_reports(self, page=1, **kw):
        Report = request.env[REPORT_MODEL]
        values = self._prepare_portal_layout_values()
        count = Report.search_count([]) if Report.has_access("read") else 0
        pager = portal_pager(url="/my/stock-reports", total=count, page=page, step=self._items_per_page)
        # the record rules choose the dealer's reports
        reports = Report.search([], limit=self._items_per_page, offset=pager["offset"]) if count else Report
        request.session[STOCK_REPORT_HISTORY_KEY] = reports.ids[:100]
        last_month = fields.Date.context_today(Report).replace(day=1) - relativedelta(months=1)
        values.update(
            {
                "stock_reports": reports.sudo(),
                "page_name": "aftersales_stock_report",
                "default_url": "/my/stock-reports",
                "pager": pager,
                "stock_dealer": self._aftersales_stock_dealer(),
                "stock_months": [last_month, last_month + relativedelta(months=1)],
                "errors": kw.get("errors") or [],
            }
        )
        return request.render("aftersales_parts.portal_my_aftersales_stock_reports", values)

    @http.route(["/my/stock-reports/new"], type="http", auth="user", methods=["POST"], website=True)
    def portal_new_aftersales_stock_report(self, **post):
        dealer = self._aftersales_stock_dealer()
        if not dealer:
            raise NotFound()
        try:
            month = fields.Date.to_date(post.get("month")).replace(day=1)
        except (TypeError, ValueError):
            month = None
        allowed = fields.Date.context_today(request.env.user).replace(day=1)
        if not month or month > allowed or month < allowed - relativedelta(months=12):
            return self.portal_my_aftersales_stock_reports(errors=[_("Choose a month of the last year to report on.")])
        Report = request.env[REPORT_MODEL].sudo()
        company = request.env.company
        report = Report.search(
            [("partner_id", "=", dealer.id), ("company_id", "=", company.id), ("month", "=", month)], limit=1
        )
        if not report:
            report = Report.with_company(company).create(
                {"partner_id": dealer.id, "company_id": company.id, "month": month}
            )
        return request.redirect(report.access_url)

    def _aftersales_stock_report_page(self, report_sudo, errors=(), form=None, message=None, access_token=None):
        values = {
            "stock_report": report_sudo,
            "page_name": "aftersales_stock_report",
            "errors": list(errors),
            "form": form or {},
            "message": message,
            "editable": report_sudo.state in ("draft", "refused"),
        }
        values = self._get_page_view_values(report_sudo, access_token, values, STOCK_REPORT_HISTORY_KEY, False)
        return request.render("aftersales_parts.portal_my_aftersales_stock_report", values)

    def _aftersales_stock_report_sudo(self, report_id, access_token=None):
        try:
            return self._document_check_access(REPORT_MODEL, report_id, access_token=access_token)
        except (AccessError, MissingError) as error:
            raise NotFound() from error

    @http.route(["/my/stock-reports/<int:report_id>"], type="http", auth="user", methods=["GET"], website=True)
    def portal_my_aftersales_stock_report(self, report_id, access_token=None, **kw):
        report_sudo = self._aftersales_stock_report_sudo(report_id, access_token)
        if report_sudo.state in ("draft", "refused"):
            report_sudo._fill_lines()
        return self._aftersales_stock_report_page(report_sudo, message=kw.get("message"), access_token=access_token)

    @staticmethod
    def _aftersales_quantity(value):
        try:
            quantity = float((value or "0").replace(",", "."))
        except ValueError:
            return None
        if not math.isfinite(quantity) or quantity < 0 or quantity > MAX_PORTAL_STOCK_QUANTITY:
            return None
        return quantity

    def _aftersales_stock_report_figures(self, report_sudo, post):
        """{line: (sold, on hand)} of the posted form, and the errors."""
        figures, errors = {}, []
        for line in report_sudo.line_ids:
            sold = self._aftersales_quantity(post.get(f"sold_{line.id}"))
            on_hand = self._aftersales_quantity(post.get(f"on_hand_{line.id}"))
            if sold is None or on_hand is None:
                errors.append(
                    _(
                        "Give the quantities sold and on hand of %(product)s as positive numbers.",
                        product=line.product_id.display_name,
                    )
                )
                continue
            figures[line] = (sold, on_hand)
        return figures, errors

    @http.route(["/my/stock-reports/<int:report_id>"], type="http", auth="user", methods=["POST"], website=True)
    def portal_save_aftersales_stock_report(self, report_id, **post):
        report_sudo = self._aftersales_stock_report_sudo(report_id)
        if report_sudo.state not in ("draft", "refused"):
            return self._aftersales_stock_report_page(
                report_sudo, errors=[_("This report is already submitted: it can no longer be changed.")]
            )
        figures, errors = self._aftersales_stock_report_figures(report_sudo, post)
        if errors:
            return self._aftersales_stock_report_page(report_sudo, errors=errors, form=post)
        submit = bool(post.get("submit"))
        try:
            with request.env.cr.savepoint():
                # as the dealer's user (who submits), past the rights checked above
                report_sudo.with_user(request.env.user).sudo()._portal_save(figures, submit=submit)
        except (UserError, ValidationError) as error:
            request.env.invalidate_all()
            return self._aftersales_stock_report_page(report_sudo, errors=[error.args[0]], form=post)
        return request.redirect(f"{report_sudo.access_url}?message={'submitted' if submit else 'saved'}")
