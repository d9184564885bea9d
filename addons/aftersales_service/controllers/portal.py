# The customer portal of service tickets.
from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.aftersales_visit_appointment import AftersalesSlotTaken
from ..tools.portal_upload import attach_uploads, read_portal_uploads

TICKET_HISTORY_KEY = "my_aftersales_tickets_history"


class AftersalesCustomerPortal(CustomerPortal):
    # ------------------------------------------------------------------
    # Home page counter
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ticket_count" in counters:
            Ticket = request.env["aftersales.ticket"]
            values["ticket_count"] = (
                Ticket.search_count(self._aftersales_ticket_domain(), limit=1) if Ticket.has_access("read") else 0
            )
        return values

    # ------------------------------------------------------------------
    # Ticket list
    # ------------------------------------------------------------------

    def _aftersales_ticket_domain(self):
        """Tickets shown on the portal: the record rules decide which ones."""
        return []

    def _aftersales_ticket_sortings(self):
        return {
            "date": {"label": _("Newest"), "order": "request_date desc, id desc"},
            "reference": {"label": _("Reference"), "order": "reference desc, id desc"},
            "stage": {"label": _("Stage"), "order": "stage_id, request_date desc, id desc"},
        }

    def _aftersales_ticket_filters(self):
        return {
            "all": {"label": _("All"), "domain": []},
            "open": {"label": _("Open"), "domain": [("is_closed", "=", False)]},
            "closed": {"label": _("Closed"), "domain": [("is_closed", "=", True)]},
        }

    def _aftersales_ticket_search_inputs(self):
        return {
            "all": {"input": "all", "label": _("Reference or Subject")},
        }

    def _aftersales_ticket_search_domain(self, search_in, search):
        if not search:
            return []
        return ["|", ("reference", "ilike", search), ("name", "ilike", search)]

    @http.route(["/my/tickets", "/my/tickets/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_tickets(self, page=1, sortby=None, filterby=None, search=None, search_in="all", **kw):
        Ticket = request.env["aftersales.ticket"]
        values = self._prepare_portal_layout_values()

        sortings = self._aftersales_ticket_sortings()
        filters = self._aftersales_ticket_filters()
        if sortby not in sortings:
            sortby = "date"
        if filterby not in filters:
            filterby = "all"
        domain = expression.AND(
            [
                self._aftersales_ticket_domain(),
                filters[filterby]["domain"],
                self._aftersales_ticket_search_domain(search_in, search),
            ]
        )
        ticket_count = Ticket.search_count(domain) if Ticket.has_access("read") else 0
        pager = portal_pager(
            url="/my/tickets",
            url_args={"sortby": sortby, "filterby": filterby, "search": search, "search_in": search_in},
            total=ticket_count,
            page=page,
            step=self._items_per_page,
        )
        tickets = (
            Ticket.search(domain, order=sortings[sortby]["order"], limit=self._items_per_page, offset=pager["offset"])
            if ticket_count
            else Ticket
        )
        request.session[TICKET_HISTORY_KEY] = tickets.ids[:100]

        values.update(
            {
                # the record rules already filtered them: sudo only to read the stages
                "tickets": tickets.sudo(),
                "page_name": "aftersales_ticket",
                "default_url": "/my/tickets",
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "searchbar_inputs": self._aftersales_ticket_search_inputs(),
                "search_in": search_in,
                "search": search,
            }
        )
        return request.render("aftersales_service.portal_my_aftersales_tickets", values)

    # ------------------------------------------------------------------
    # One ticket
    # ------------------------------------------------------------------

    @http.route(["/my/tickets/<int:ticket_id>"], type="http", auth="public", website=True)
    def portal_my_aftersales_ticket(self, ticket_id, access_token=None, **kw):
        try:
            ticket_sudo = self._document_check_access("aftersales.ticket", ticket_id, access_token=access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        order = ticket_sudo.sale_order_id
        values = {
            "aftersales_ticket": ticket_sudo,
            "page_name": "aftersales_ticket",
            "created": kw.get("created"),
            # link the order only for those who may open it on the portal
            "sale_order_url": order.get_portal_url()
            if order and order.with_user(request.env.user).has_access("read")
            else False,
        }
        values.update(self._aftersales_portal_visit_values(ticket_sudo, kw))
        values = self._get_page_view_values(ticket_sudo, access_token, values, TICKET_HISTORY_KEY, False, **kw)
        return request.render("aftersales_service.portal_my_aftersales_ticket", values)

    # ------------------------------------------------------------------
    # Visits: appointments with the customer
    # ------------------------------------------------------------------

    def _aftersales_visit_messages(self):
        """Texts shown after a booking, by the code put in the address."""
        return {
            "booked": ("success", _("Your appointment is booked. A confirmation is on its way by e-mail.")),
            "requested": ("success", _("Thank you: we will get back to you with another time.")),
            "taken": ("warning", _("This slot was just taken. Please pick another one.")),
            "not_offered": (
                "danger",
                _("This time is not one we offered for this visit. Please pick one of the list."),
            ),
            "error": ("danger", _("Your request could not be handled. Please try again.")),
            "moved": ("success", _("Your visit is moved. The new time is on its way by e-mail.")),
            "cancelled": ("success", _("Your visit is cancelled. We will come back to you about your request.")),
        }

    def _aftersales_portal_visit_values(self, ticket_sudo, kw):
        # a visit the customer just cancelled stays in sight with its message
        message_visit_id = self._aftersales_int(kw.get("visit_id"))
        visits = ticket_sudo.visit_ids.filtered(lambda visit: visit.state != "cancel" or visit.id == message_visit_id)
        slots = {visit.id: visit._portal_slots() for visit in visits if visit._needs_time()}
        message = self._aftersales_visit_messages().get(kw.get("visit_message"))
        # booked visits: whether the customer may still move or cancel them, and the slots to move one to
        changes = {
            visit.id: visit._portal_change_refusal() for visit in visits if visit.state in ("scheduled", "confirmed")
        }
        move_id = self._aftersales_int(kw.get("move_visit"))
        move_slots = {
            visit.id: visit._portal_slots()
            for visit in visits
            if visit.id == move_id and visit.id in changes and not changes[visit.id]
        }
        access_token = kw.get("access_token") or None

        def move_url(visit):
            query = {"move_visit": visit.id, **({"access_token": access_token} if access_token else {})}
            return f"{ticket_sudo.access_url}?{url_encode(query)}#aftersales_visit_{visit.id}"

        return {
            "aftersales_visits": visits,
            "aftersales_visit_slots": slots,
            "aftersales_visit_changes": changes,
            "aftersales_visit_move_slots": move_slots,
            "aftersales_visit_move_url": move_url,
            "aftersales_visit_message": message,
            "aftersales_visit_message_id": self._aftersales_int(kw.get("visit_id")),
            "aftersales_visit_error": kw.get("visit_error"),
            "access_token": kw.get("access_token") or None,
        }

    def _aftersales_portal_visit(self, ticket_id, visit_id, access_token):
        """The visit of a ticket the user may see, in sudo; 404 otherwise."""
        try:
            ticket_sudo = self._document_check_access("aftersales.ticket", ticket_id, access_token=access_token)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        visit_sudo = ticket_sudo.visit_ids.filtered(lambda visit: visit.id == visit_id)
        if not visit_sudo:
            raise NotFound()
        return ticket_sudo, visit_sudo

    def _aftersales_portal_author(self, ticket_sudo):
        user = request.env.user
        return ticket_sudo.partner_id if user._is_public() else user.partner_id

    def _aftersales_visit_redirect(self, ticket_sudo, visit_sudo, code, access_token=None):
        query = {"visit_message": code, "visit_id": visit_sudo.id}
        if access_token:
            query["access_token"] = access_token
        return request.redirect(f"{ticket_sudo.access_url}?{url_encode(query)}#aftersales_visit_{visit_sudo.id}")

    @http.route(
        ["/my/tickets/<int:ticket_id>/visits/<int:visit_id>/book"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_book_aftersales_visit(self, ticket_id, visit_id, access_token=None, slot=None, **post):
        ticket_sudo, visit_sudo = self._aftersales_portal_visit(ticket_id, visit_id, access_token)
        try:
            visit_sudo._book_slot(slot, author=self._aftersales_portal_author(ticket_sudo))
        except AftersalesSlotTaken:
            code = "taken"
        except UserError:
            code = "not_offered"
        else:
            code = "booked"
        return self._aftersales_visit_redirect(ticket_sudo, visit_sudo, code, access_token)

    @http.route(
        ["/my/tickets/<int:ticket_id>/visits/<int:visit_id>/request"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_request_aftersales_visit_time(self, ticket_id, visit_id, access_token=None, **post):
        ticket_sudo, visit_sudo = self._aftersales_portal_visit(ticket_id, visit_id, access_token)
        try:
            visit_sudo._request_other_time(
                post.get("preferred"), post.get("message"), author=self._aftersales_portal_author(ticket_sudo)
            )
        except UserError:
            code = "error"
        else:
            code = "requested"
        return self._aftersales_visit_redirect(ticket_sudo, visit_sudo, code, access_token)

    @http.route(
        ["/my/tickets/<int:ticket_id>/visits/<int:visit_id>/move"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_move_aftersales_visit(self, ticket_id, visit_id, access_token=None, slot=None, reason=None, **post):
        ticket_sudo, visit_sudo = self._aftersales_portal_visit(ticket_id, visit_id, access_token)
        refusal = visit_sudo._portal_change_refusal()
        if refusal:
            return self._aftersales_visit_refused(ticket_sudo, visit_sudo, refusal, access_token)
        try:
            visit_sudo._portal_move(
                slot, reason=(reason or "")[:200], author=self._aftersales_portal_author(ticket_sudo)
            )
        except AftersalesSlotTaken:
            code = "taken"
        except UserError:
            code = "not_offered"
        else:
            code = "moved"
        return self._aftersales_visit_redirect(ticket_sudo, visit_sudo, code, access_token)

    @http.route(
        ["/my/tickets/<int:ticket_id>/visits/<int:visit_id>/cancel"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_cancel_aftersales_visit(self, ticket_id, visit_id, access_token=None, reason=None, **post):
        ticket_sudo, visit_sudo = self._aftersales_portal_visit(ticket_id, visit_id, access_token)
        refusal = visit_sudo._portal_change_refusal()
        if refusal:
            return self._aftersales_visit_refused(ticket_sudo, visit_sudo, refusal, access_token)
        try:
            visit_sudo._portal_cancel((reason or "")[:200], author=self._aftersales_portal_author(ticket_sudo))
        except UserError:
            code = "error"
        else:
            code = "cancelled"
        return self._aftersales_visit_redirect(ticket_sudo, visit_sudo, code, access_token)

    def _aftersales_visit_refused(self, ticket_sudo, visit_sudo, refusal, access_token=None):
        """The ticket's page with the reason why the change is refused, and a 403 status."""
        values = self._aftersales_portal_visit_values(ticket_sudo, {"access_token": access_token})
        values.update(
            {
                "aftersales_ticket": ticket_sudo,
                "page_name": "aftersales_ticket",
                "aftersales_visit_message": ("danger", refusal),
                "aftersales_visit_message_id": visit_sudo.id,
            }
        )
        values = self._get_page_view_values(ticket_sudo, access_token, values, TICKET_HISTORY_KEY, False)
        return request.render("aftersales_service.portal_my_aftersales_ticket", values, status=403)

    # ------------------------------------------------------------------
    # New ticket
    # ------------------------------------------------------------------

    def _aftersales_portal_sale_lines(self, partner):
        """Confirmed sale order lines of the customer's company, newest first."""
        commercial = partner.commercial_partner_id
        return (
            request.env["sale.order.line"]
            .sudo()
            .search(
                [
                    ("order_id.partner_id", "child_of", commercial.id),
                    ("state", "=", "sale"),
                    ("display_type", "=", False),
                    ("is_downpayment", "=", False),
                    ("product_id", "!=", False),
                ],
                order="id desc",
            )
        )

    def _aftersales_portal_lots(self, partner):
        """Serial numbers the customer's company owns now (see ``res.partner._aftersales_owned_lots``)."""
        return partner._aftersales_owned_lots()

    def _aftersales_portal_units(self, partner):
        """What the customer may open a ticket for: products and serial numbers. A product whose every
        unit they had went to someone else (transferred, sold on) is not offered any more."""
        lines = self._aftersales_portal_sale_lines(partner)
        lots = self._aftersales_portal_lots(partner)
        gone = partner._aftersales_lot_candidates() - lots
        products = (lines.product_id - (gone.product_id - lots.product_id)) | lots.product_id
        return products.sorted("display_name"), lots, lines

    def _aftersales_portal_new_values(self, partner, **extra):
        products, lots, _lines = self._aftersales_portal_units(partner)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "aftersales_ticket_new",
                "products": products,
                "lots": lots,
                "errors": [],
                "form": {},
            }
        )
        values.update(extra)
        return values

    @staticmethod
    def _aftersales_int(value):
        try:
            return int(value or 0)
        except (TypeError, ValueError):
            return -1  # never a valid id: the choice is refused

    def _aftersales_portal_validate(self, partner, post):
        """Check the posted form; return (ticket values, error messages).

        Nothing of the form is trusted: the product and the serial number must be
        among the ones the customer's company owns (see ``_aftersales_portal_units``);
        "other" asks a general question, about no unit.
        """
        products, lots, lines = self._aftersales_portal_units(partner)
        errors = []
        subject = (post.get("name") or "").strip()
        description = (post.get("description") or "").strip()
        question = post.get("product_id") == "other"
        product_id = 0 if question else self._aftersales_int(post.get("product_id"))
        lot_id = self._aftersales_int(post.get("lot_id"))
        if not subject:
            errors.append(_("Tell us in a few words what the problem is."))
        if question and lot_id:
            errors.append(_("A general question is about no unit: choose no serial number, or its product."))
        elif not product_id and not lot_id and not question:
            errors.append(_("Choose the product or the serial number concerned."))
        product = products.filtered(lambda p: p.id == product_id) if product_id else products.browse()
        lot = lots.filtered(lambda candidate: candidate.id == lot_id) if lot_id else lots.browse()
        if product_id and not product:
            errors.append(_("This product is not among the ones you bought from us."))
        if lot_id and not lot:
            errors.append(_("This serial number is not among the units delivered to you."))
        if product and lot and lot.product_id != product:
            errors.append(
                _(
                    "Serial number %(serial)s is a %(lot_product)s, not a %(product)s.",
                    serial=lot.name,
                    lot_product=lot.product_id.display_name,
                    product=product.display_name,
                )
            )
        if errors:
            return {}, errors

        values = {
            "name": subject,
            "description": plaintext2html(description) if description else False,
            "channel": "portal",
            "partner_id": partner.id,
        }
        company = request.env["res.company"]
        if lot:
            # the ticket finds its sale order line and order from the serial number
            values.update(lot_id=lot.id, product_id=lot.product_id.id)
            company = lot.company_id or lines.filtered(lambda line: line.product_id == lot.product_id)[:1].company_id
        elif product:
            line = lines.filtered(lambda line: line.product_id == product)[:1]
            values.update(product_id=product.id)
            if line:
                values["sale_line_id"] = line.id
                values["sale_order_id"] = line.order_id.id
            company = line.company_id
        if company:
            values["company_id"] = company.id
        return values, []

    def _aftersales_attach_ticket_files(self, ticket_sudo, partner, files):
        """The customer's pictures and documents of the fault, in the ticket's conversation."""
        attachments = attach_uploads(ticket_sudo, files)
        ticket_sudo.message_post(
            body=_("%(count)s files sent with the request.", count=len(attachments)),
            attachment_ids=attachments.ids,
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    @http.route(["/my/tickets/new"], type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_new_aftersales_ticket(self, **post):
        partner = request.env.user.partner_id
        if request.httprequest.method == "POST":
            ticket_values, errors = self._aftersales_portal_validate(partner, post)
            # typed by their content, within the hourly cap of the customer
            files, upload_errors = read_portal_uploads(request.httprequest.files.getlist("photos"), env=request.env)
            errors += upload_errors
            if not errors:
                company = request.env["res.company"].browse(ticket_values.get("company_id"))
                Ticket = request.env["aftersales.ticket"].sudo()
                if company:
                    Ticket = Ticket.with_company(company)
                ticket = Ticket.create(ticket_values)
                if files:
                    self._aftersales_attach_ticket_files(ticket, partner, files)
                return request.redirect(f"{ticket.access_url}?created=1")
            values = self._aftersales_portal_new_values(partner, errors=errors, form=post)
            return request.render("aftersales_service.portal_new_aftersales_ticket", values)
        form = {key: post[key] for key in ("product_id", "lot_id") if post.get(key)}
        values = self._aftersales_portal_new_values(partner, form=form)
        return request.render("aftersales_service.portal_new_aftersales_ticket", values)
