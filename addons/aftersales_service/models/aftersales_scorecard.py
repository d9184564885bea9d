from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.periods import company_tz, utc_period_bounds
from ..tools.xlsx_export import XlsxColumn, XlsxReport
from .aftersales_scorecard_line import SCORECARD_KINDS

MANAGER_GROUP = "aftersales_service.aftersales_service_group_manager"
SCORECARD_STATES = [("draft", "Draft"), ("locked", "Locked")]


class _Tally:
    """The figures of one subject, summed over its jobs; a ticket counts once per subject."""

    __slots__ = ("arrival", "cost", "extra", "jobs", "reviews", "revenue", "rework", "tickets")

    def __init__(self):
        self.jobs = 0
        self.rework = 0
        self.arrival = [0, 0]  # met, judged
        self.cost = 0.0
        self.revenue = 0.0
        self.tickets = set()
        self.reviews = []
        self.extra = defaultdict(float)  # the figures other addons sum per job


def _rate(met, judged):
    return 100.0 * met / judged if judged else None


class AftersalesScorecard(models.Model):
    """The appraisal of a month: one line per branch, service partner and technician, with their figures,
    their weighted score and their rank. Computed by its action and by the monthly cron for the month just
    ended; a manager locks it, after which nothing in it changes."""

    _name = "aftersales.scorecard"
    _description = "Monthly Scorecard"
    _inherit = ["mail.thread", "aftersales.guarded.mixin"]
    _order = "period_start desc, company_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_start = fields.Date(
        string="Month",
        required=True,
        index=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(months=1),
        help="The first day of the month scored; another day is moved to the first of its month.",
    )
    period_end = fields.Date(compute="_compute_name", store=True, string="Month End")
    state = fields.Selection(SCORECARD_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    computed_date = fields.Datetime(string="Computed on", readonly=True, copy=False)
    locked_by_id = fields.Many2one("res.users", string="Locked by", readonly=True, copy=False)
    locked_date = fields.Datetime(string="Locked on", readonly=True, copy=False)
    line_ids = fields.One2many("aftersales.scorecard.line", "scorecard_id", string="Lines", readonly=True)
    line_count = fields.Integer(compute="_compute_line_count")
    job_count = fields.Integer(string="Jobs", readonly=True, copy=False, help="Jobs done in the month.")

    _sql_constraints = [
        (
            "month_company_uniq",
            "unique (period_start, company_id)",
            "The company already has a scorecard for this month.",
        )
    ]

    @api.depends("period_start")
    def _compute_name(self):
        for card in self:
            card.name = card.period_start.strftime("%Y-%m") if card.period_start else False
            card.period_end = card.period_start and card.period_start + relativedelta(months=1, days=-1)

    def _compute_line_count(self):
        counts = dict(
            self.env["aftersales.scorecard.line"]._read_group(
                [("scorecard_id", "in", self.ids)], ["scorecard_id"], ["__count"]
            )
        )
        for card in self:
            card.line_count = counts.get(card, 0)

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {
            "state",
            "computed_date",
            "locked_by_id",
            "locked_date",
            "line_ids",
            "job_count",
        }

    def _locked_records(self):
        return self.filtered(lambda card: card.state == "locked")

    def _lock_refusal(self, field_names):
        return AccessError(
            _(
                "Scorecard %(months)s is locked: nothing in it changes. A manager unlocks it first.",
                months=", ".join(self.mapped("name")),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("period_start"):
                vals["period_start"] = fields.Date.to_date(vals["period_start"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("period_start"):
            vals["period_start"] = fields.Date.to_date(vals["period_start"]).replace(day=1)
            if self.line_ids and not self._locked_records():
                raise UserError(_("A computed scorecard keeps its month: create one for the other month."))
        # its lines are the company's figures (their company follows the scorecard's): never handed to another
        if "company_id" in vals:
            computed = self.filtered("line_ids")
            if computed and computed._guard_changes("company_id", vals["company_id"]):
                raise UserError(_("A computed scorecard keeps its company: create one in the other company."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        if self._locked_records():
            raise UserError(_("A locked scorecard cannot be deleted."))

    def unlink(self):
        # a draft month goes with its lines
        with self.env["aftersales.scorecard.line"]._unguard():
            return super().unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only after-sales managers compute, lock and unlock the scorecards."))

    def action_compute(self):
        """Compute the months again: their lines are replaced by new ones."""
        self._check_manager()
        self.check_access("write")
        locked = self._locked_records()
        if locked:
            raise UserError(
                _(
                    "Scorecard %(months)s is locked: its figures are final. A manager unlocks it to compute it again.",
                    months=", ".join(locked.mapped("name")),
                )
            )
        for card in self:
            card._compute_lines()
        return True

    def action_lock(self):
        self._check_manager()
        self.check_access("write")
        drafts = self.filtered(lambda card: card.state == "draft")
        if drafts.filtered(lambda card: not card.line_ids):
            raise UserError(_("Compute the scorecard before locking it."))
        with self._unguard("state", "locked_by_id", "locked_date"):
            drafts.write({"state": "locked", "locked_by_id": self.env.uid, "locked_date": fields.Datetime.now()})
        self.env["aftersales.audit.log"]._audit(
            "scorecard_locked", drafts, False, old=_("Draft"), new=_("Locked"), require_reason=False
        )
        return True

    def action_unlock(self):
        """Open locked months again: the window asks why first, then unlocks them (:meth:`_unlock`)."""
        self._check_manager()
        self.check_access("write")
        if not self._locked_records():
            return True
        return self.env["aftersales.audit.reason"]._action(self, "_unlock", _("Why unlock the scorecard?"))

    def _unlock(self, reason):
        """Open locked months again; the audit log records who and why (``reason``)."""
        self._check_manager()
        self.check_access("write")
        if not (reason or "").strip():
            raise UserError(_("Say why the scorecard is unlocked."))
        locked = self._locked_records()
        with self._unguard("state", "locked_by_id", "locked_date"):
            locked.write({"state": "draft", "locked_by_id": False, "locked_date": False})
        self.env["aftersales.audit.log"]._audit("scorecard_unlocked", locked, reason, old=_("Locked"), new=_("Draft"))
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_scorecard_line_action")
        action["domain"] = [("scorecard_id", "=", self.id)]
        action["context"] = {"search_default_groupby_kind": 1}
        return action

    def action_export_xlsx(self):
        """The lines of the months as an Excel workbook: one sheet per kind of subject, ranked."""
        self.check_access("read")
        lines = self.env["aftersales.scorecard.line"].search([("scorecard_id", "in", self.ids)])
        name = "-".join(self.mapped("name"))
        with XlsxReport() as report:
            self._write_xlsx(report, lines)
            return report.download_action(self.env, _("Scorecard %(months)s.xlsx", months=name))

    @api.model
    def _cron_compute_last_month(self):
        """Score the month just ended in every company (in the company's time zone), unless locked."""
        cards = self.browse()
        for company in self.env["res.company"].search([]):
            today = fields.Datetime.context_timestamp(self.with_context(tz=company_tz(company)), fields.Datetime.now())
            first = today.date().replace(day=1) - relativedelta(months=1)
            card = self.search([("company_id", "=", company.id), ("period_start", "=", first)], limit=1)
            cards |= card or self.create({"company_id": company.id, "period_start": first})
        cards.filtered(lambda card: card.state == "draft").action_compute()

    # ------------------------------------------------------------------
    # The computation: a few grouped queries per month, whatever the number of jobs
    # ------------------------------------------------------------------

    def _compute_lines(self):
        self.ensure_one()
        # the figures are the company's: read as superuser, once the manager's rights are checked
        card = self.sudo()
        jobs = card._read_jobs()
        tickets = card._read_tickets({job["ticket_id"] for job in jobs})
        extras = card._read_job_figures([job["id"] for job in jobs])
        reworked = card._read_reworked([job["id"] for job in jobs])
        reviews = card._read_reviews()
        branches = (
            card.env["aftersales.branch"]
            .with_context(active_test=False)
            .search_fetch([("company_id", "=", card.company_id.id)], ["name", "code", "parent_path", "branch_type"])
        )
        ancestors = {
            branch.id: [int(part) for part in branch.parent_path.rstrip("/").split("/")] for branch in branches
        }
        tallies = defaultdict(_Tally)
        for job in jobs:
            keys = [("partner", job["service_partner_id"]), ("technician", job["technician_id"])]
            keys += [("branch", ancestor) for ancestor in ancestors.get(job["branch_id"], ())]
            figures = extras.get(job["id"], {})
            for key in keys:
                if not key[1]:
                    continue
                tally = tallies[key]
                tally.jobs += 1
                tally.tickets.add(job["ticket_id"])
                tally.rework += job["id"] in reworked
                if job["window_end"]:
                    tally.arrival[1] += 1
                    tally.arrival[0] += bool(job["check_in"] and job["check_in"] <= job["window_end"])
                tally.cost += figures.get("cost", 0.0)
                tally.revenue += figures.get("revenue", 0.0)
                card._add_job_figures(tally, figures)
        for review in reviews:
            keys = [("partner", review["service_partner_id"]), ("technician", review["technician_id"])]
            keys += [("branch", ancestor) for ancestor in ancestors.get(review["branch_id"], ())]
            for key in keys:
                if key[1]:
                    tallies[key].reviews.append(review["score"])
        measures = card.env["aftersales.scorecard.measure"].search(
            [("company_id", "=", card.company_id.id), ("weight", ">", 0)]
        )
        vals_list = [card._prepare_line_vals(key, tally, tickets, measures) for key, tally in tallies.items()]
        card._fill_subjects(vals_list, branches)
        card._rank(vals_list)
        with card._unguard(), card.env["aftersales.scorecard.line"]._unguard():
            card.line_ids.unlink()
            card.env["aftersales.scorecard.line"].create(vals_list)
            card.write({"computed_date": fields.Datetime.now(), "job_count": len(jobs)})

    def _month_bounds(self):
        return utc_period_bounds(self.env, self.period_start, self.period_end, company_tz(self.company_id))

    def _read_jobs(self):
        """The done jobs of the month, by the date they were done (checked out)."""
        start, end = self._month_bounds()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT v.id, v.ticket_id, v.branch_id, v.technician_id, v.check_in, v.window_end,
                          COALESCE(sp.commercial_partner_id, v.service_partner_id) AS service_partner_id
                     FROM aftersales_visit v
                     LEFT JOIN res_partner sp ON sp.id = v.service_partner_id
                    WHERE v.company_id = %s AND v.state = 'done'
                      AND COALESCE(v.check_out, v.check_in) >= %s AND COALESCE(v.check_out, v.check_in) < %s""",
                self.company_id.id,
                start,
                end,
            )
        )
        return self.env.cr.dictfetchall()

    def _read_tickets(self, ticket_ids):
        """``{ticket id: {"response": met or None, "resolution": .., "ftf": .., "csat": .., "complaints": n}}``."""
        if not ticket_ids:
            return {}
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """SELECT t.id, t.first_response_date, t.closed_date, t.is_closed, t.sla_response_deadline,
                          t.sla_resolve_deadline, t.reopen_count, t.visit_active_count, t.visit_done_count,
                          t.revisited, t.csat_score,
                          (SELECT COUNT(*) FROM aftersales_ticket c WHERE c.complaint_of_id = t.id) AS complaints
                     FROM aftersales_ticket t
                    WHERE t.id IN %s""",
                tuple(ticket_ids),
            )
        )
        result = {}
        for row in self.env.cr.dictfetchall():
            response = resolution = ftf = None
            deadline = row["sla_response_deadline"]
            answered = row["first_response_date"] or row["closed_date"]
            if deadline and (answered or deadline < now):
                response = bool(answered and answered <= deadline)
            deadline = row["sla_resolve_deadline"]
            if deadline and (row["is_closed"] or deadline < now):
                resolution = bool(row["is_closed"] and row["closed_date"] and row["closed_date"] <= deadline)
            if row["is_closed"] and row["visit_done_count"]:
                ftf = not row["reopen_count"] and row["visit_active_count"] == 1 and not row["revisited"]
            result[row["id"]] = {
                "response": response,
                "resolution": resolution,
                "ftf": ftf,
                "csat": row["csat_score"] if row["csat_score"] and row["csat_score"] > 0 else None,
                "complaints": row["complaints"],
            }
        return result

    def _read_job_figures(self, job_ids):
        """``{job id: {"revenue": .., "cost": ..}}`` from the jobs' billable lines, the cost at the products'
        cost in the company. Other addons add their figures (parts)."""
        if not job_ids:
            return {}
        self.env.cr.execute(
            SQL(
                """SELECT l.visit_id,
                          SUM(COALESCE(l.price_subtotal, 0)) AS revenue,
                          SUM(l.quantity * COALESCE((pp.standard_price ->> %s)::numeric, 0)) AS cost
                     FROM aftersales_visit_line l
                     JOIN product_product pp ON pp.id = l.product_id
                    WHERE l.visit_id IN %s
                    GROUP BY l.visit_id""",
                str(self.company_id.id),
                tuple(job_ids),
            )
        )
        return {
            row["visit_id"]: {"revenue": float(row["revenue"] or 0.0), "cost": float(row["cost"] or 0.0)}
            for row in self.env.cr.dictfetchall()
        }

    def _add_job_figures(self, tally, figures):
        """Sum the figures other addons read per job (see ``_read_job_figures``) into ``tally.extra``."""
        for name, value in figures.items():
            if name not in ("revenue", "cost"):
                tally.extra[name] += value

    def _read_reworked(self, job_ids):
        """The jobs followed by a repair of the same unit within the company's revisit window."""
        visits = self.env["aftersales.visit"].browse(job_ids)
        days = self.company_id.aftersales_revisit_days
        return {visit.id for visit in visits._find_revisits(dict.fromkeys(visits, days))}

    def _read_reviews(self):
        self.env.cr.execute(
            SQL(
                """SELECT r.branch_id, r.technician_id, r.score,
                          COALESCE(sp.commercial_partner_id, r.service_partner_id) AS service_partner_id
                     FROM aftersales_quality_review r
                     LEFT JOIN res_partner sp ON sp.id = r.service_partner_id
                    WHERE r.company_id = %s AND r.period_start = %s AND r.state = 'done'""",
                self.company_id.id,
                self.period_start,
            )
        )
        return self.env.cr.dictfetchall()

    def _prepare_line_vals(self, key, tally, tickets, measures):
        """The values of the line of subject ``key`` (kind, id), with its achievements and score."""
        kind, subject_id = key
        rows = [tickets[ticket_id] for ticket_id in tally.tickets if ticket_id in tickets]

        def ticket_rate(name):
            judged = [row[name] for row in rows if row[name] is not None]
            return _rate(sum(judged), len(judged))

        ratings = [row["csat"] for row in rows if row["csat"] is not None]
        complaints = sum(row["complaints"] for row in rows)
        figures = {
            "job_count": tally.jobs,
            "ticket_count": len(rows),
            "sla_response_rate": ticket_rate("response"),
            "sla_arrival_rate": _rate(*tally.arrival),
            "sla_resolution_rate": ticket_rate("resolution"),
            "first_time_fix_rate": ticket_rate("ftf"),
            "rework_count": tally.rework,
            "rework_rate": _rate(tally.rework, tally.jobs),
            "csat_score": sum(ratings) / len(ratings) if ratings else None,
            "rated_count": len(ratings),
            "complaint_count": complaints,
            "complaint_rate": _rate(complaints, len(rows)),
            "cost_total": tally.cost,
            "cost_per_job": tally.cost / tally.jobs if tally.jobs else None,
            "revenue": tally.revenue,
            "quality_score": sum(tally.reviews) / len(tally.reviews) if tally.reviews else None,
            "review_count": len(tally.reviews),
        }
        figures.update(self._prepare_extra_figures(tally))
        values = self._measure_values(figures, tally)
        achievements = {}
        weighted = weights = 0.0
        for measure in measures:
            value = values.get(measure.code)
            if value is None:
                continue
            achievement = self._achievement(value, measure)
            achievements[measure.code] = round(achievement, 1)
            weighted += measure.weight * achievement
            weights += measure.weight
        return {
            "scorecard_id": self.id,
            "kind": kind,
            "branch_id": subject_id if kind == "branch" else False,
            "service_partner_id": subject_id if kind == "partner" else False,
            "technician_id": subject_id if kind == "technician" else False,
            "branch_type": False,
            "subject_name": False,
            **{name: value or 0.0 for name, value in figures.items()},
            "achievements": achievements,
            "score": round(weighted / weights, 1) if weights else 0.0,
        }

    def _prepare_extra_figures(self, tally):
        """Hook: the figures other addons add to a line."""
        return {}

    @api.model
    def _measure_values(self, figures, tally):
        """``{measure code: the figure it scores}``; None when the measure does not apply to the subject."""
        return {
            "jobs": figures["job_count"],
            "sla_response": figures["sla_response_rate"],
            "sla_arrival": figures["sla_arrival_rate"],
            "sla_resolution": figures["sla_resolution_rate"],
            "first_time_fix": figures["first_time_fix_rate"],
            "rework": figures["rework_rate"],
            "csat": figures["csat_score"],
            "complaints": figures["complaint_rate"],
            "cost_per_job": figures["cost_per_job"],
            "revenue": figures["revenue"],
            "quality": figures["quality_score"],
        }

    @api.model
    def _achievement(self, value, measure):
        """How much of the measure's target ``value`` reaches, from 0 to 100."""
        target = measure.target
        if measure.higher_is_better:
            return 100.0 if value >= target else 100.0 * max(value, 0.0) / target
        if value <= target:
            return 100.0
        return 100.0 * target / value

    def _fill_subjects(self, vals_list, branches):
        """Name each line's subject, and give branches their type and technicians their branch."""
        partners = self.env["res.partner"].browse(
            [vals["service_partner_id"] for vals in vals_list if vals["service_partner_id"]]
        )
        technicians = self.env["aftersales.technician"].browse(
            [vals["technician_id"] for vals in vals_list if vals["technician_id"]]
        )
        partner_names = dict(zip(partners.ids, partners.mapped("display_name"), strict=True))
        technician_rows = {row["id"]: row for row in technicians.read(["name", "branch_id"], load=None)}
        branch_by_id = {branch.id: branch for branch in branches}
        for vals in vals_list:
            if vals["kind"] == "branch":
                branch = branch_by_id[vals["branch_id"]]
                vals["subject_name"] = branch.display_name
                vals["branch_type"] = branch.branch_type
            elif vals["kind"] == "partner":
                vals["subject_name"] = partner_names[vals["service_partner_id"]]
            else:
                row = technician_rows[vals["technician_id"]]
                vals["subject_name"] = row["name"]
                vals["branch_id"] = row["branch_id"] or False

    @api.model
    def _rank(self, vals_list):
        """Rank the subjects of each kind (branches among those of their type) by score, then jobs: equal
        scores and jobs share a rank, the next rank counts them all (1, 2, 2, 4)."""
        groups = defaultdict(list)
        for vals in vals_list:
            groups[(vals["kind"], vals.get("branch_type"))].append(vals)
        for group in groups.values():
            group.sort(key=lambda vals: (-vals["score"], -vals["job_count"], vals["subject_name"]))
            previous = None
            for position, vals in enumerate(group, start=1):
                current = (vals["score"], vals["job_count"])
                if current != previous:
                    rank, previous = position, current
                vals["rank"] = rank

    # ------------------------------------------------------------------
    # Excel
    # ------------------------------------------------------------------

    @api.model
    def _xlsx_columns(self):
        """``[(field name, column)]`` of the Excel sheet."""
        Line = self.env["aftersales.scorecard.line"]
        kinds = {
            "integer": "integer",
            "float": "float",
            "monetary": "monetary",
            "char": "text",
            "selection": "text",
            "many2one": "text",
            "date": "date",
        }
        names = [
            "period_start",
            "rank",
            "subject_name",
            "branch_type",
            "score",
            *Line._figure_fields(),
        ]
        return [
            (name, XlsxColumn(Line._fields[name]._description_string(self.env), kinds[Line._fields[name].type]))
            for name in names
        ]

    def _write_xlsx(self, report, lines):
        columns = self._xlsx_columns()
        labels = dict(SCORECARD_KINDS)
        kind_names = dict(self.env["aftersales.scorecard.line"]._fields["kind"]._description_selection(self.env))
        type_names = dict(self.env["aftersales.scorecard.line"]._fields["branch_type"]._description_selection(self.env))
        for kind in labels:
            kind_lines = lines.filtered(lambda line, kind=kind: line.kind == kind)
            rows = (
                [type_names.get(line[name], "") if name == "branch_type" else line[name] for name, _column in columns]
                for line in kind_lines
            )
            report.write_sheet(kind_names[kind], [column for _name, column in columns], rows)
