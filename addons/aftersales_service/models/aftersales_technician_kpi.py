from odoo import api, fields, models, tools
from odoo.tools import SQL


class AftersalesTechnicianKpi(models.Model):
    """One row per technician and day: the hours of their calendar and the hours spent on done visits.

    The days run from the month of the first done visit to the end of the current
    month (UTC dates). The available hours are the attendances of the technician's
    working hours for the weekday (a two-week calendar counts half of both weeks);
    leaves are not deducted.
    """

    _name = "aftersales.technician.kpi"
    _description = "Technician Utilisation"
    _auto = False
    _order = "date desc, technician_id"
    _rec_name = "technician_id"

    date = fields.Date(string="Day", readonly=True)
    technician_id = fields.Many2one("aftersales.technician", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    available_hours = fields.Float(
        string="Working Hours", readonly=True, help="Hours of the technician's calendar on the day."
    )
    visit_hours = fields.Float(readonly=True, help="Hours spent on the visits done that day (time on site).")
    visit_count = fields.Integer(string="Visits Done", readonly=True)
    utilisation = fields.Float(
        string="Utilisation (%)",
        aggregator="avg",
        readonly=True,
        help="Visit hours over working hours; for a group, the ratio of their sums.",
    )

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        # a group's utilisation is the ratio of its sums, not the mean of the daily ratios
        if aggregate_spec == "utilisation:avg":
            return SQL(
                "100.0 * SUM(%s) / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, "visit_hours", query),
                self._field_to_sql(self._table, "available_hours", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        # One grouped query over many rows: compiling it just in time costs more than it saves.
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    @api.model
    def _aftersales_kpi_query(self):
        return SQL(
            """
            WITH bounds AS (
                SELECT date_trunc('month', LEAST(MIN(COALESCE(check_in, scheduled_start)),
                                                 now() AT TIME ZONE 'UTC'))::date AS first_day,
                       (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month - 1 day')::date AS last_day
                  FROM aftersales_visit
                 WHERE state = 'done'
            ),
            days AS (
                SELECT generate_series(first_day, last_day, interval '1 day')::date AS day FROM bounds
            ),
            capacity AS (
                SELECT att.calendar_id,
                       att.dayofweek::integer AS weekday,
                       SUM(att.hour_to - att.hour_from)
                           / CASE WHEN cal.two_weeks_calendar THEN 2.0 ELSE 1.0 END AS hours
                  FROM resource_calendar_attendance att
                  JOIN resource_calendar cal ON cal.id = att.calendar_id
                 WHERE att.display_type IS NULL
                   AND att.resource_id IS NULL
                   AND COALESCE(att.day_period, 'morning') != 'lunch'
                 GROUP BY att.calendar_id, att.dayofweek, cal.two_weeks_calendar
            )
            SELECT tech.id::bigint * 100000 + (days.day - DATE '2000-01-01') AS id,
                   days.day AS date,
                   tech.id AS technician_id,
                   tech.user_id,
                   tech.company_id,
                   COALESCE(capacity.hours, 0.0) AS available_hours,
                   COALESCE(done.hours, 0.0) AS visit_hours,
                   COALESCE(done.visits, 0) AS visit_count,
                   CASE WHEN capacity.hours > 0 THEN 100.0 * COALESCE(done.hours, 0.0) / capacity.hours END
                       AS utilisation
              FROM aftersales_technician tech
             CROSS JOIN days
              LEFT JOIN capacity
                ON capacity.calendar_id = tech.resource_calendar_id
               AND capacity.weekday = EXTRACT(ISODOW FROM days.day)::integer - 1
              LEFT JOIN LATERAL (
                    SELECT SUM(visit.time_spent) AS hours, COUNT(*) AS visits
                      FROM aftersales_visit visit
                     WHERE visit.technician_id = tech.id
                       AND visit.state = 'done'
                       AND COALESCE(visit.check_in, visit.scheduled_start) >= days.day
                       AND COALESCE(visit.check_in, visit.scheduled_start) < days.day + 1
                   ) done ON true
             WHERE tech.active
               AND (capacity.hours > 0 OR done.hours > 0)
            """
        )

    def init(self):
        # the done visits of a technician are looked up day by day
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS aftersales_visit_done_technician_day_idx "
                "ON aftersales_visit (technician_id, (COALESCE(check_in, scheduled_start))) "
                "WHERE state = 'done'"
            )
        )
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS aftersales_visit_done_day_idx "
                "ON aftersales_visit ((COALESCE(check_in, scheduled_start))) WHERE state = 'done'"
            )
        )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._aftersales_kpi_query())
        )
