from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..models.aftersales_ticket import SLA_STATUSES, TICKET_CHANNELS, TICKET_PRIORITIES


class AftersalesTicketKpi(models.Model):
    """One row per active ticket with its service measures, for pivot and graph views.

    Rates are 100 (met) or 0 (missed) per ticket and empty when they do not apply,
    so their average over any group is the percentage of the tickets concerned.
    The view is ``_query``: SELECT ``_select`` FROM ``_from`` WHERE ``_where``, as
    ``sale.report``. Other addons add measures by extending ``_select_measures``
    and ``_from`` (a satisfaction score, for instance).
    """

    _name = "aftersales.ticket.kpi"
    _description = "Service KPIs per Ticket"
    _auto = False
    _order = "request_date desc, id desc"
    _rec_name = "ticket_id"

    ticket_id = fields.Many2one("aftersales.ticket", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("aftersales.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Assigned to", readonly=True)
    ticket_type_id = fields.Many2one("aftersales.ticket.type", string="Type", readonly=True)
    stage_id = fields.Many2one("aftersales.ticket.stage", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    fault_code_id = fields.Many2one("aftersales.fault.code", readonly=True)
    priority = fields.Selection(TICKET_PRIORITIES, readonly=True)
    channel = fields.Selection(TICKET_CHANNELS, readonly=True)
    sla_status = fields.Selection(SLA_STATUSES, string="SLA Status", readonly=True)
    is_closed = fields.Boolean(string="Closed", readonly=True)
    request_date = fields.Datetime(string="Reported on", readonly=True)
    closed_date = fields.Datetime(string="Closed on", readonly=True)
    ticket_count = fields.Integer(string="Tickets", readonly=True)
    open_count = fields.Integer(string="Open Tickets", readonly=True)
    closed_count = fields.Integer(string="Closed Tickets", readonly=True)
    backlog_age_days = fields.Float(
        string="Backlog Age (days)",
        aggregator="avg",
        readonly=True,
        help="Days since an open ticket was reported; averaged over the open tickets.",
    )
    response_hours = fields.Float(
        string="Time to Respond (h)",
        aggregator="avg",
        readonly=True,
        help="Hours from the report to the first answer sent to the customer; averaged over the answered tickets.",
    )
    resolve_hours = fields.Float(
        string="Time to Resolve (h)",
        aggregator="avg",
        readonly=True,
        help="Hours from the report to the closing; averaged over the closed tickets.",
    )
    sla_response_rate = fields.Float(
        string="Response on Time (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the tickets with an SLA answered by their response deadline (open tickets count "
        "once their deadline has passed).",
    )
    sla_resolve_rate = fields.Float(
        string="Resolved on Time (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the tickets with an SLA closed by their resolution deadline (open tickets count "
        "once their deadline has passed).",
    )
    first_time_fix_rate = fields.Float(
        string="First-Time Fix (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the closed tickets with a visit done that were solved by their first visit: one visit, "
        "never reopened, and no new ticket on the same serial number within the company's revisit window.",
    )
    visit_count = fields.Integer(string="Visits Done", readonly=True)
    csat_score = fields.Float(
        string="CSAT",
        aggregator="avg",
        digits=(3, 2),
        readonly=True,
        help="The overall score (1 to 5) the customer gave in the satisfaction survey; averaged over the "
        "rated tickets (empty while not rated).",
    )
    rated_count = fields.Integer(string="Rated Tickets", readonly=True)

    # ------------------------------------------------------------------
    # SQL
    # ------------------------------------------------------------------

    @api.model
    def _select_measures(self):
        """The measure columns of the view, ``t`` being the ticket."""
        now = SQL("(now() AT TIME ZONE 'UTC')")
        return [
            SQL("1 AS ticket_count"),
            SQL("CASE WHEN t.is_closed THEN 0 ELSE 1 END AS open_count"),
            SQL("CASE WHEN t.is_closed THEN 1 ELSE 0 END AS closed_count"),
            SQL(
                "CASE WHEN NOT t.is_closed THEN EXTRACT(EPOCH FROM %s - t.request_date) / 86400.0 END "
                "AS backlog_age_days",
                now,
            ),
            SQL(
                "EXTRACT(EPOCH FROM t.first_response_date - t.request_date) / 3600.0 AS response_hours",
            ),
            SQL(
                "CASE WHEN t.is_closed THEN EXTRACT(EPOCH FROM t.closed_date - t.request_date) / 3600.0 END "
                "AS resolve_hours",
            ),
            SQL(
                """CASE WHEN t.sla_response_deadline IS NULL THEN NULL
                        WHEN COALESCE(t.first_response_date, t.closed_date) IS NOT NULL
                        THEN CASE WHEN COALESCE(t.first_response_date, t.closed_date) <= t.sla_response_deadline
                                  THEN 100.0 ELSE 0.0 END
                        WHEN t.sla_response_deadline < %s THEN 0.0
                   END AS sla_response_rate""",
                now,
            ),
            SQL(
                """CASE WHEN t.sla_resolve_deadline IS NULL THEN NULL
                        WHEN t.is_closed
                        THEN CASE WHEN t.closed_date <= t.sla_resolve_deadline THEN 100.0 ELSE 0.0 END
                        WHEN t.sla_resolve_deadline < %s THEN 0.0
                   END AS sla_resolve_rate""",
                now,
            ),
            # the visits and the revisit are kept on the ticket: no count or lookup per row
            SQL(
                """CASE WHEN NOT t.is_closed OR COALESCE(t.visit_done_count, 0) = 0 THEN NULL
                        WHEN t.reopen_count = 0 AND t.visit_active_count = 1 AND t.revisited IS NOT TRUE
                        THEN 100.0 ELSE 0.0
                   END AS first_time_fix_rate"""
            ),
            SQL("COALESCE(t.visit_done_count, 0) AS visit_count"),
            SQL("CASE WHEN t.csat_score > 0 THEN t.csat_score END AS csat_score"),
            SQL("CASE WHEN t.csat_score > 0 THEN 1 ELSE 0 END AS rated_count"),
        ]

    @api.model
    def _select(self):
        return SQL(
            """
            t.id AS id,
            t.id AS ticket_id,
            t.company_id,
            t.team_id,
            t.user_id,
            t.ticket_type_id,
            t.stage_id,
            t.commercial_partner_id AS partner_id,
            t.product_id,
            t.fault_code_id,
            t.priority,
            t.channel,
            t.sla_status,
            t.is_closed,
            t.request_date,
            t.closed_date,
            %s
            """,
            SQL(",\n            ").join(self._select_measures()),
        )

    @api.model
    def _from(self):
        """The ticket ``t`` and the tables joined to it; each join must give at most one row per ticket."""
        return SQL("aftersales_ticket t")

    @api.model
    def _where(self):
        return SQL("t.active")

    @api.model
    def _query(self):
        return SQL("SELECT %s FROM %s WHERE %s", self._select(), self._from(), self._where())

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        # One grouped query over many rows: compiling it just in time costs more than it saves.
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def init(self):
        # the KPIs of a period read its tickets by their report date
        self.env.cr.execute(
            SQL("CREATE INDEX IF NOT EXISTS aftersales_ticket_request_date_idx ON aftersales_ticket (request_date)")
        )
        # the revisit flag of the first-time fix is set by looking tickets up by serial and date
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS aftersales_ticket_lot_request_date_idx "
                "ON aftersales_ticket (lot_id, request_date) WHERE lot_id IS NOT NULL"
            )
        )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
