from odoo import api, fields, models, tools
from odoo.tools import SQL


class AftersalesTechnicianKpi(models.Model):
    """One row per technician and day: the hours of their calendar and the hours spent on done visits.

    The days run from the month of the first done visit to the end of the current
    month (UTC dates). The available hours are the attendances of the technician's
    working hours for the weekday (a two-week calendar counts half of both weeks),
    less the time off that falls inside them: the leaves of the technician's resource
    (the resource of their user) and the public holidays of their calendar or of all
    calendars of their company, each hour counted once.
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
        string="Working Hours",
        readonly=True,
        help="Hours of the technician's calendar on the day, less their leaves and public holidays.",
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
    def _query(self):
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
            ),
            leave_periods AS (
                -- the leaves of the view's period: those of the technician's resource, found from their user
                -- first, and the public holidays of their calendar or company
                SELECT tech.id AS technician_id,
                       tech.resource_calendar_id AS calendar_id,
                       tsrange(leave.date_from, leave.date_to) AS period,
                       generate_series(
                           (leave.date_from::date - 1)::timestamp,
                           (leave.date_to::date + 1)::timestamp,
                           interval '1 day'
                       )::date AS day
                  FROM aftersales_technician tech
                 CROSS JOIN bounds
                  LEFT JOIN resource_resource res
                    ON res.user_id = tech.user_id
                   AND (res.company_id IS NULL OR res.company_id = tech.company_id)
                  JOIN resource_calendar_leaves leave
                    ON leave.time_type = 'leave'
                   AND leave.date_to > leave.date_from
                   AND leave.date_to >= bounds.first_day
                   AND leave.date_from < bounds.last_day + 2
                   AND (
                        leave.resource_id = res.id
                        OR (
                            leave.resource_id IS NULL
                            AND (leave.calendar_id IS NULL OR leave.calendar_id = tech.resource_calendar_id)
                            AND (leave.company_id IS NULL OR leave.company_id = tech.company_id)
                        )
                   )
                 WHERE tech.active
            ),
            leave_slots AS (
                -- the leaves of a day cut to each attendance of its weekday, in the calendar's zone
                SELECT slot.technician_id,
                       slot.day,
                       slot.attendance_id,
                       slot.weeks,
                       slot.period * slot.attendance AS part
                  FROM (
                        SELECT lp.technician_id,
                               lp.day,
                               lp.period,
                               att.id AS attendance_id,
                               CASE WHEN cal.two_weeks_calendar THEN 2.0 ELSE 1.0 END AS weeks,
                               tsrange(
                                   (lp.day + att.hour_from * interval '1 hour')
                                       AT TIME ZONE COALESCE(cal.tz, 'UTC') AT TIME ZONE 'UTC',
                                   (lp.day + att.hour_to * interval '1 hour')
                                       AT TIME ZONE COALESCE(cal.tz, 'UTC') AT TIME ZONE 'UTC'
                               ) AS attendance
                          FROM leave_periods lp
                          JOIN resource_calendar cal ON cal.id = lp.calendar_id
                          JOIN resource_calendar_attendance att
                            ON att.calendar_id = cal.id
                           AND att.dayofweek::integer = EXTRACT(ISODOW FROM lp.day)::integer - 1
                           AND att.display_type IS NULL
                           AND att.resource_id IS NULL
                           AND COALESCE(att.day_period, 'morning') != 'lunch'
                           AND att.hour_to > att.hour_from
                       ) slot
                 WHERE slot.period && slot.attendance
            ),
            leave_starts AS (
                -- overlapping leaves are merged (each hour counted once): a part starts a new block
                -- when it begins after the end of all the parts before it
                SELECT slot.*,
                       CASE WHEN lower(slot.part) <= MAX(upper(slot.part)) OVER (
                                PARTITION BY slot.technician_id, slot.day, slot.attendance_id
                                ORDER BY lower(slot.part), upper(slot.part)
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                            ) THEN 0 ELSE 1 END AS starts_block
                  FROM leave_slots slot
            ),
            leave_blocks AS (
                SELECT slot.*,
                       SUM(slot.starts_block) OVER (
                           PARTITION BY slot.technician_id, slot.day, slot.attendance_id
                           ORDER BY lower(slot.part), upper(slot.part)
                           ROWS UNBOUNDED PRECEDING
                       ) AS block
                  FROM leave_starts slot
            ),
            time_off AS (
                SELECT merged.technician_id, merged.day, SUM(merged.hours) AS hours
                  FROM (
                        SELECT block.technician_id,
                               block.day,
                               EXTRACT(EPOCH FROM MAX(upper(block.part)) - MIN(lower(block.part)))
                                   / 3600.0 / block.weeks AS hours
                          FROM leave_blocks block
                         GROUP BY block.technician_id, block.day, block.attendance_id, block.weeks, block.block
                       ) merged
                 GROUP BY merged.technician_id, merged.day
            ),
            tech_days AS (
                SELECT tech.id AS technician_id,
                       tech.user_id,
                       tech.company_id,
                       days.day,
                       GREATEST(COALESCE(capacity.hours, 0.0) - COALESCE(time_off.hours, 0.0), 0.0) AS hours
                  FROM aftersales_technician tech
                 CROSS JOIN days
                  LEFT JOIN capacity
                    ON capacity.calendar_id = tech.resource_calendar_id
                   AND capacity.weekday = EXTRACT(ISODOW FROM days.day)::integer - 1
                  LEFT JOIN time_off
                    ON time_off.technician_id = tech.id
                   AND time_off.day = days.day
                 WHERE tech.active
            )
            SELECT td.technician_id::bigint * 100000 + (td.day - DATE '2000-01-01') AS id,
                   td.day AS date,
                   td.technician_id,
                   td.user_id,
                   td.company_id,
                   td.hours AS available_hours,
                   COALESCE(done.hours, 0.0) AS visit_hours,
                   COALESCE(done.visits, 0) AS visit_count,
                   CASE WHEN td.hours > 0 THEN 100.0 * COALESCE(done.hours, 0.0) / td.hours END AS utilisation
              FROM tech_days td
              LEFT JOIN LATERAL (
                    SELECT SUM(visit.time_spent) AS hours, COUNT(*) AS visits
                      FROM aftersales_visit visit
                     WHERE visit.technician_id = td.technician_id
                       AND visit.state = 'done'
                       AND COALESCE(visit.check_in, visit.scheduled_start) >= td.day
                       AND COALESCE(visit.check_in, visit.scheduled_start) < td.day + 1
                   ) done ON true
             WHERE td.hours > 0 OR done.hours > 0
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
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
