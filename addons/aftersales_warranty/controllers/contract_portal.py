# The customer's service contracts on the portal.
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

CONTRACT_HISTORY_KEY = "my_aftersales_contracts_history"
# drafts are offers still being prepared: the customer sees the others
PORTAL_DOMAIN = [("state", "!=", "draft")]


class AftersalesContractPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "contract_count" in counters:
            Contract = request.env["aftersales.contract"]
            values["contract_count"] = (
                Contract.search_count(PORTAL_DOMAIN, limit=1) if Contract.has_access("read") else 0
            )
        return values

    @http.route(["/my/contracts", "/my/contracts/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_contracts(self, page=1, **kw):
        Contract = request.env["aftersales.contract"]
        values = self._prepare_portal_layout_values()
        count = Contract.search_count(PORTAL_DOMAIN) if Contract.has_access("read") else 0
        pager = portal_pager(url="/my/contracts", total=count, page=page, step=self._items_per_page)
        contracts = (
            Contract.search(
                PORTAL_DOMAIN, order="end_date desc, id desc", limit=self._items_per_page, offset=pager["offset"]
            )
            if count
            else Contract
        )
        request.session[CONTRACT_HISTORY_KEY] = contracts.ids[:100]
        values.update(
            {
                # the record rules chose them: sudo only to read their products and serials
                "contracts": contracts.sudo(),
                "page_name": "aftersales_contract",
                "default_url": "/my/contracts",
                "pager": pager,
            }
        )
        return request.render("aftersales_warranty.portal_my_aftersales_contracts", values)

    @http.route(["/my/contracts/<int:contract_id>"], type="http", auth="public", website=True)
    def portal_my_aftersales_contract(self, contract_id, access_token=None, **kw):
        try:
            contract_sudo = self._document_check_access("aftersales.contract", contract_id, access_token=access_token)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if contract_sudo.state == "draft":
            raise NotFound()
        values = {
            "aftersales_contract": contract_sudo,
            "page_name": "aftersales_contract",
            "invoices": contract_sudo.invoice_ids.filtered(lambda move: move.state == "posted"),
        }
        values = self._get_page_view_values(contract_sudo, access_token, values, CONTRACT_HISTORY_KEY, False, **kw)
        return request.render("aftersales_warranty.portal_my_aftersales_contract", values)
