# The portal of the service partners: the jobs dispatched to them and their settlements.
import base64
import math

from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import Command, _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.aftersales_visit import MAX_PARTNER_JOB_HOURS
from ..tools.portal_upload import IMAGE_MIMETYPES, attach_uploads, read_portal_uploads

JOB_HISTORY_KEY = "my_aftersales_jobs_history"
SETTLEMENT_HISTORY_KEY = "my_aftersales_settlements_history"


class AftersalesPartnerPortal(CustomerPortal):
    # ------------------------------------------------------------------
    # Home page counters
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_job_count" in counters:
            Visit = request.env["aftersales.visit"]
            values["aftersales_job_count"] = (
                Visit.search_count(self._aftersales_job_domain(), limit=1) if Visit.has_access("read") else 0
            )
        if "aftersales_settlement_count" in counters:
            Settlement = request.env["aftersales.partner.settlement"]
            values["aftersales_settlement_count"] = (
                Settlement.search_count(self._aftersales_settlement_domain(), limit=1)
                if Settlement.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------

    def _aftersales_job_domain(self):
        """Jobs of the user's company; the record rules hide the others' anyway."""
        return [("service_partner_id", "=", request.env.user.commercial_partner_id.id)]

    def _aftersales_job_filters(self):
        return {
            "open": {"label": _("To Do"), "domain": [("partner_job_state", "in", ("offered", "accepted"))]},
            "offered": {"label": _("Offered"), "domain": [("partner_job_state", "=", "offered")]},
            "done": {"label": _("Done"), "domain": [("partner_job_state", "=", "done")]},
            "all": {"label": _("All"), "domain": []},
        }

    def _aftersales_job_messages(self):
        return {
            "accepted": ("success", _("You accepted the job. Thank you!")),
            "declined": ("info", _("You declined the job: our dispatcher is told.")),
            "saved": ("success", _("Your work is recorded.")),
            "done": ("success", _("The job is reported done: our dispatcher validates it. Thank you!")),
        }

    def _aftersales_job_sudo(self, job_id):
        """The job, in sudo, when the user may see it and it is dispatched to their company; 404 otherwise."""
        try:
            visit_sudo = self._document_check_access("aftersales.visit", job_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if not visit_sudo.service_partner_id or visit_sudo.service_partner_id != request.env.user.commercial_partner_id:
            raise NotFound()
        return visit_sudo

    @http.route(["/my/jobs", "/my/jobs/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_jobs(self, page=1, filterby=None, message=None, **kw):
        Visit = request.env["aftersales.visit"]
        values = self._prepare_portal_layout_values()
        filters = self._aftersales_job_filters()
        if filterby not in filters:
            filterby = "open"
        domain = expression.AND([self._aftersales_job_domain(), filters[filterby]["domain"]])
        count = Visit.search_count(domain) if Visit.has_access("read") else 0
        pager = portal_pager(
            url="/my/jobs", url_args={"filterby": filterby}, total=count, page=page, step=self._items_per_page
        )
        jobs = (
            Visit.search(
                domain, order="scheduled_start desc, id desc", limit=self._items_per_page, offset=pager["offset"]
            )
            if count
            else Visit
        )
        request.session[JOB_HISTORY_KEY] = jobs.ids[:100]
        values.update(
            {
                # the record rules already filtered them: sudo only to read the tickets and types
                "jobs": jobs.sudo(),
                "page_name": "aftersales_job",
                "default_url": "/my/jobs",
                "pager": pager,
                "searchbar_filters": filters,
                "filterby": filterby,
                "job_message": self._aftersales_job_messages().get(message),
            }
        )
        return request.render("aftersales_service.portal_my_aftersales_jobs", values)

    def _aftersales_job_page_values(self, visit_sudo, **kw):
        """The values of a job's page; the parts addon adds the parts."""
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "job": visit_sudo,
                "page_name": "aftersales_job",
                "job_message": self._aftersales_job_messages().get(kw.get("message")),
                "job_errors": kw.get("errors") or [],
                "job_form": kw.get("form") or {},
            }
        )
        return self._get_page_view_values(visit_sudo, None, values, JOB_HISTORY_KEY, False)

    def _aftersales_render_job(self, visit_sudo, **kw):
        return request.render(
            "aftersales_service.portal_my_aftersales_job", self._aftersales_job_page_values(visit_sudo, **kw)
        )

    def _aftersales_job_redirect(self, visit_sudo, message):
        return request.redirect(f"/my/jobs/{visit_sudo.id}?{url_encode({'message': message})}")

    @http.route(["/my/jobs/<int:job_id>"], type="http", auth="user", website=True)
    def portal_my_aftersales_job(self, job_id, message=None, **kw):
        visit_sudo = self._aftersales_job_sudo(job_id)
        return self._aftersales_render_job(visit_sudo, message=message)

    @http.route(["/my/jobs/<int:job_id>/accept"], type="http", auth="user", methods=["POST"], website=True)
    def portal_accept_aftersales_job(self, job_id, **post):
        visit_sudo = self._aftersales_job_sudo(job_id)
        try:
            visit_sudo._partner_accept()
        except UserError as error:
            return self._aftersales_render_job(visit_sudo, errors=[error.args[0]])
        return self._aftersales_job_redirect(visit_sudo, "accepted")

    @http.route(["/my/jobs/<int:job_id>/decline"], type="http", auth="user", methods=["POST"], website=True)
    def portal_decline_aftersales_job(self, job_id, reason=None, **post):
        visit_sudo = self._aftersales_job_sudo(job_id)
        try:
            visit_sudo._partner_decline(reason)
        except UserError as error:
            return self._aftersales_render_job(visit_sudo, errors=[error.args[0]], form=post)
        # a declined job leaves the partner's portal
        return request.redirect(f"/my/jobs?{url_encode({'message': 'declined'})}")

    @staticmethod
    def _aftersales_hours(value):
        """Hours typed as 1.5 or 1:30; None when empty; raises ValueError when not a duration of a job
        (a finite number of hours, at most MAX_PARTNER_JOB_HOURS)."""
        value = (value or "").strip()
        if not value:
            return None
        if ":" in value:
            hours, minutes = value.split(":", 1)
            if not 0 <= int(minutes) < 60:
                raise ValueError(value)
            result = int(hours) + int(minutes) / 60.0
        else:
            result = float(value.replace(",", "."))
        if not math.isfinite(result) or not 0 <= result <= MAX_PARTNER_JOB_HOURS:
            raise ValueError(value)
        return result

    @http.route(["/my/jobs/<int:job_id>/work"], type="http", auth="user", methods=["POST"], website=True)
    def portal_record_aftersales_job(self, job_id, **post):
        visit_sudo = self._aftersales_job_sudo(job_id)
        errors = []
        try:
            hours = self._aftersales_hours(post.get("time_spent"))
        except ValueError:
            hours = None
            errors.append(
                _(
                    "Give the time spent in hours, such as 1.5 or 1:30, at most %(hours)s hours.",
                    hours=MAX_PARTNER_JOB_HOURS,
                )
            )
        files, upload_errors = read_portal_uploads(
            request.httprequest.files.getlist("photos"), allowed_mimetypes=IMAGE_MIMETYPES, env=request.env
        )
        errors += upload_errors
        answers, answer_errors = self._aftersales_step_answers(visit_sudo, post)
        errors += answer_errors
        if visit_sudo.partner_job_state != "accepted":
            errors.append(_("Accept the job before recording the work."))
        if errors:
            return self._aftersales_render_job(visit_sudo, errors=errors, form=post)
        report = (post.get("work_report") or "").strip()
        finish = bool(post.get("finish"))
        try:
            with request.env.cr.savepoint():
                visit_sudo._partner_record_work(
                    report=plaintext2html(report) if report else None,
                    hours=hours,
                    answers=answers,
                    answered_by=request.env.user,
                )
                if files:
                    self._aftersales_attach_photos(visit_sudo, files)
                if finish:
                    visit_sudo._partner_record_work(finish=True)
        except (UserError, ValidationError) as error:
            request.env.invalidate_all()
            return self._aftersales_render_job(visit_sudo, errors=[error.args[0]], form=post)
        return self._aftersales_job_redirect(visit_sudo, "done" if finish else "saved")

    def _aftersales_step_answers(self, visit_sudo, post):
        """The answers of the checklist posted with the work, ``{step id: value}``, and the errors.

        A tick step left unticked is answered "not done"; a number or a text left empty and a photo
        not sent leave the step as it is."""
        answers, errors = {}, []
        if not post.get("checklist"):
            return answers, errors
        for step in visit_sudo.step_ids:
            key = f"step_{step.id}"
            if step.answer_kind == "tick":
                answers[step.id] = bool(post.get(key))
            elif step.answer_kind == "number":
                value = (post.get(key) or "").strip()
                if not value:
                    continue
                try:
                    number = float(value.replace(",", "."))
                except ValueError:
                    number = math.nan
                if not math.isfinite(number):
                    errors.append(_("Give a number for the step %(step)s.", step=step.name))
                    continue
                answers[step.id] = number
            elif step.answer_kind == "text":
                value = (post.get(key) or "").strip()
                if value:
                    answers[step.id] = value[:1000]
            else:
                files, upload_errors = read_portal_uploads(
                    request.httprequest.files.getlist(key),
                    allowed_mimetypes=IMAGE_MIMETYPES,
                    max_count=1,
                    env=request.env,
                )
                errors += upload_errors
                if files:
                    answers[step.id] = base64.b64encode(files[0][1])
        return answers, errors

    def _aftersales_attach_photos(self, visit_sudo, files):
        attachments = attach_uploads(visit_sudo, files)
        visit_sudo.photo_ids = [Command.link(attachment.id) for attachment in attachments]
        visit_sudo.message_post(
            body=_(
                "%(count)s photos added by %(partner)s.",
                count=len(attachments),
                partner=request.env.user.partner_id.display_name,
            ),
            attachment_ids=attachments.ids,
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------
    # Settlements
    # ------------------------------------------------------------------

    def _aftersales_settlement_domain(self):
        return [
            ("partner_id", "=", request.env.user.commercial_partner_id.id),
            ("state", "in", ("confirmed", "billed")),
        ]

    @http.route(["/my/settlements", "/my/settlements/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_settlements(self, page=1, **kw):
        Settlement = request.env["aftersales.partner.settlement"]
        values = self._prepare_portal_layout_values()
        domain = self._aftersales_settlement_domain()
        count = Settlement.search_count(domain) if Settlement.has_access("read") else 0
        pager = portal_pager(url="/my/settlements", total=count, page=page, step=self._items_per_page)
        settlements = (
            Settlement.search(domain, limit=self._items_per_page, offset=pager["offset"]) if count else Settlement
        )
        request.session[SETTLEMENT_HISTORY_KEY] = settlements.ids[:100]
        values.update(
            {
                "settlements": settlements.sudo(),
                "page_name": "aftersales_settlement",
                "default_url": "/my/settlements",
                "pager": pager,
            }
        )
        return request.render("aftersales_service.portal_my_aftersales_settlements", values)

    @http.route(["/my/settlements/<int:settlement_id>"], type="http", auth="user", website=True)
    def portal_my_aftersales_settlement(self, settlement_id, report_type=None, download=False, **kw):
        try:
            settlement_sudo = self._document_check_access("aftersales.partner.settlement", settlement_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if settlement_sudo.partner_id != request.env.user.commercial_partner_id:
            raise NotFound()
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=settlement_sudo,
                report_type=report_type,
                report_ref="aftersales_service.action_report_partner_settlement",
                download=download,
            )
        values = self._prepare_portal_layout_values()
        values.update({"settlement": settlement_sudo, "page_name": "aftersales_settlement"})
        values = self._get_page_view_values(settlement_sudo, None, values, SETTLEMENT_HISTORY_KEY, False)
        return request.render("aftersales_service.portal_my_aftersales_settlement", values)
