import io
from datetime import date, datetime

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL

from .common import AftersalesCommon


class AftersalesKpiCommon(AftersalesCommon):
    """A fixed set of tickets reported in June 2025 for a team of their own, with
    their dates and deadlines set in SQL so that every measure is known by hand:

    ===  ==========  ========  =========  ==============  ==============  ======  ========
    T    reported    answered  closed     respond by      solve by        visits  reopened
    ===  ==========  ========  =========  ==============  ==============  ======  ========
    1    02 08:00    02 09:00  02 20:00   02 10:00        03 08:00        1 done  0
    2    03 08:00    03 12:00  06 08:00   03 10:00        04 08:00        2 done  0
    3    04 08:00    -         04 09:00   04 10:00        05 08:00        1 done  1
    4    05 08:00    05 10:00  05 18:00   -               -               1 done  0
    5    10 08:00    -         open       10 10:00        11 08:00        -       -
    6    20 08:00    -         open       -               -               -       -
    7    archived: counted nowhere
    ===  ==========  ========  =========  ==============  ==============  ======  ========

    Tickets 4 and 5 are on the same serial number, 5 days apart: 4 was not fixed the first time.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager.tz = "UTC"
        cls.kpi_team = cls.env["aftersales.team"].create({"name": "KPI Team", "member_ids": [Command.set([])]})
        tech_user = new_test_user(
            cls.env,
            login="as_kpi_tech",
            name="Kim Kpi",
            groups="aftersales_service.aftersales_service_group_technician",
        )
        cls.kpi_team.member_ids = tech_user
        cls.technician = cls.env["aftersales.technician"].create(
            {"user_id": tech_user.id, "resource_calendar_id": cls.calendar.id}
        )
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_repair")
        rows = [
            # request, response, closed, respond by, solve by, reopen, lot
            ((2, 8), (2, 9), (2, 20), (2, 10), (3, 8), 0, False),
            ((3, 8), (3, 12), (6, 8), (3, 10), (4, 8), 0, False),
            ((4, 8), None, (4, 9), (4, 10), (5, 8), 1, False),
            ((5, 8), (5, 10), (5, 18), None, None, 0, True),
            ((10, 8), None, None, (10, 10), (11, 8), 0, True),
            ((20, 8), None, None, None, None, 0, False),
            ((21, 8), None, None, None, None, 0, False),
        ]
        cls.tickets = cls.env["aftersales.ticket"].create(
            [
                {
                    "name": f"KPI ticket {index}",
                    "partner_id": cls.customer.id,
                    "team_id": cls.kpi_team.id,
                    "ticket_type_id": cls.type_repair.id,
                    "lot_id": cls.lot.id if row[6] else False,
                }
                for index, row in enumerate(rows, start=1)
            ]
        )

        def moment(day_hour):
            return datetime(2025, 6, *day_hour) if day_hour else None

        solved = cls.env.ref("aftersales_service.stage_solved")
        for ticket, (request, response, closed, respond_by, solve_by, reopen, _lot) in zip(
            cls.tickets, rows, strict=True
        ):
            cls.env.cr.execute(
                SQL(
                    """UPDATE aftersales_ticket
                          SET request_date = %s, first_response_date = %s, closed_date = %s,
                              sla_response_deadline = %s, sla_resolve_deadline = %s, reopen_count = %s,
                              stage_id = CASE WHEN %s THEN %s ELSE stage_id END,
                              is_closed = %s
                        WHERE id = %s""",
                    moment(request),
                    moment(response),
                    moment(closed),
                    moment(respond_by),
                    moment(solve_by),
                    reopen,
                    bool(closed),
                    solved.id,
                    bool(closed),
                    ticket.id,
                )
            )
        cls.tickets[6].active = False
        cls.env.invalidate_all()
        # visits done: (ticket, day, hours)
        cls.visits = cls.env["aftersales.visit"].create(
            [
                {
                    "ticket_id": cls.tickets[index].id,
                    "visit_type_id": cls.visit_type.id,
                    "technician_id": cls.technician.id,
                    "scheduled_start": datetime(2025, 6, day, 10, 0),
                    "scheduled_end": datetime(2025, 6, day, 12, 0),
                    "assignment_forced": True,  # two visits share a morning: measured, not planned
                    "assignment_forced_reason": "Measured, not planned",
                }
                for index, day, _hours in cls._visit_rows()
            ]
        )
        for visit, (_index, day, hours) in zip(cls.visits, cls._visit_rows(), strict=True):
            cls.env.cr.execute(
                SQL(
                    "UPDATE aftersales_visit SET state = 'done', check_in = %s, time_spent = %s WHERE id = %s",
                    datetime(2025, 6, day, 10, 0),
                    hours,
                    visit.id,
                )
            )
        # satisfaction: T1 rated 5, T2 rated 3, the others not rated (0)
        cls.env.cr.execute(
            SQL(
                "UPDATE aftersales_ticket SET csat_score = CASE WHEN id = %s THEN 5 ELSE 3 END WHERE id IN %s",
                cls.tickets[0].id,
                tuple(cls.tickets[:2].ids),
            )
        )
        # rows written in SQL: their visit counts and revisits are set again from them
        cls.env["aftersales.ticket"]._fill_kpi_columns(cls.tickets.ids)
        cls.env.invalidate_all()

    @classmethod
    def _visit_rows(cls):
        return [(0, 2, 2.0), (1, 3, 1.5), (1, 5, 1.0), (2, 4, 0.5), (3, 5, 3.0)]

    def _kpi(self, domain=()):
        return (
            self.env["aftersales.ticket.kpi"]
            .with_user(self.manager)
            .search([("team_id", "=", self.kpi_team.id), *domain])
        )


@tagged("post_install", "-at_install")
class TestKpi(AftersalesKpiCommon):
    def test_ticket_measures_by_hand(self):
        rows = {row.ticket_id: row for row in self._kpi()}
        self.assertEqual(len(rows), 6, "the archived ticket is not measured")
        t1, t2, t3, t4, t5, t6 = self.tickets[:6]
        self.assertEqual(rows[t1].response_hours, 1.0)
        self.assertEqual(rows[t1].resolve_hours, 12.0)
        self.assertEqual(rows[t1].first_time_fix_rate, 100.0)
        self.assertEqual((rows[t2].sla_response_rate, rows[t2].sla_resolve_rate), (0.0, 0.0))
        self.assertEqual(rows[t2].first_time_fix_rate, 0.0, "two visits")
        self.assertEqual(rows[t3].sla_response_rate, 100.0, "closing before the deadline answers in time")
        self.assertEqual(rows[t3].first_time_fix_rate, 0.0, "reopened")
        self.assertEqual(rows[t4].first_time_fix_rate, 0.0, "a new ticket on the serial 5 days later")
        self.assertEqual(rows[t4].sla_resolve_rate, 0.0, "no SLA: not measured (empty)")
        self.assertFalse(rows[t5].first_time_fix_rate, "open: not measured")
        self.assertEqual(rows[t6].open_count, 1)
        self.assertEqual((rows[t1].csat_score, rows[t1].rated_count), (5.0, 1))
        self.assertFalse(rows[t6].csat_score, "not rated: empty, not 0")
        self.assertEqual(rows[t6].rated_count, 0)

    def test_grouped_kpis_equal_hand_figures(self):
        kpi = self.env["aftersales.ticket.kpi"].with_user(self.manager)
        [(count, closed, response, resolve, sla_response, sla_resolve, ftf, visits)] = kpi._read_group(
            [("team_id", "=", self.kpi_team.id)],
            aggregates=[
                "__count",
                "closed_count:sum",
                "response_hours:avg",
                "resolve_hours:avg",
                "sla_response_rate:avg",
                "sla_resolve_rate:avg",
                "first_time_fix_rate:avg",
                "visit_count:sum",
            ],
        )
        self.assertEqual((count, closed, visits), (6, 4, 5))
        self.assertAlmostEqual(response, (1 + 4 + 2) / 3)
        self.assertAlmostEqual(resolve, (12 + 72 + 1 + 10) / 4)
        # answered or breached: T1 yes, T2 no, T3 yes (closed in time), T5 no (deadline passed)
        self.assertAlmostEqual(sla_response, 50.0)
        self.assertAlmostEqual(sla_resolve, 50.0)
        # closed with a visit done: T1 to T4, only T1 fixed the first time
        self.assertAlmostEqual(ftf, 25.0)
        [(csat, rated)] = kpi._read_group(
            [("team_id", "=", self.kpi_team.id)], aggregates=["csat_score:avg", "rated_count:sum"]
        )
        self.assertEqual((csat, rated), (4.0, 2), "(5 + 3) / 2: the 4 tickets not rated are left out")

        now = self.env.cr.now()
        [(open_count, age)] = kpi._read_group(
            [("team_id", "=", self.kpi_team.id), ("is_closed", "=", False)],
            aggregates=["open_count:sum", "backlog_age_days:avg"],
        )
        expected_age = sum((now - datetime(2025, 6, day, 8)).total_seconds() / 86400 for day in (10, 20)) / 2
        self.assertEqual(open_count, 2)
        self.assertAlmostEqual(age, expected_age, places=3)

    def test_revisit_window_is_a_company_setting(self):
        t4 = self.tickets[3]
        self.company.aftersales_revisit_days = 3  # the new ticket came 5 days later: outside
        self.env.flush_all()
        self.assertEqual(self._kpi([("ticket_id", "=", t4.id)]).first_time_fix_rate, 100.0)
        self.company.aftersales_revisit_days = 30
        self.assertEqual(self._kpi([("ticket_id", "=", t4.id)]).first_time_fix_rate, 0.0)

    def test_kpi_columns_follow_visits_and_new_tickets(self):
        """The counts and the revisit kept on the ticket change with its visits and later tickets."""
        ticket = self.env["aftersales.ticket"].create(
            {"name": "Kept columns", "partner_id": self.customer.id, "team_id": self.kpi_team.id}
        )
        visit = self.env["aftersales.visit"].create(
            {
                "ticket_id": ticket.id,
                "visit_type_id": self.visit_type.id,
                "technician_id": self.technician.id,
                "scheduled_start": datetime(2025, 7, 1, 10, 0),
                "scheduled_end": datetime(2025, 7, 1, 12, 0),
                "assignment_forced": True,
                "assignment_forced_reason": "Measured, not planned",
            }
        )
        self.assertEqual((ticket.visit_active_count, ticket.visit_done_count), (1, 0))
        visit.action_cancel()
        self.assertEqual((ticket.visit_active_count, ticket.visit_done_count), (0, 0))
        # T6 is open: closing it does not make it revisited; T1 (no serial) never is
        t1 = self.tickets[0]
        self.assertFalse(t1.revisited)
        t4 = self.tickets[3]
        self.assertTrue(t4.revisited, "T5 came 5 days after T4 closed on the same serial")
        self.tickets[4].lot_id = False
        self.assertFalse(t4.revisited, "T5 no longer on the serial")
        self.env["aftersales.ticket"].create(
            {"name": "Again", "partner_id": self.customer.id, "team_id": self.kpi_team.id, "lot_id": self.lot.id}
        )
        self.assertFalse(t4.revisited, "reported now, long after T4's window")

    def test_technician_utilisation(self):
        kpi = self.env["aftersales.technician.kpi"].with_user(self.manager)
        domain = [("technician_id", "=", self.technician.id), ("date", ">=", date(2025, 6, 1))]
        domain += [("date", "<=", date(2025, 6, 30))]
        [(available, hours, visits, utilisation)] = kpi._read_group(
            domain, aggregates=["available_hours:sum", "visit_hours:sum", "visit_count:sum", "utilisation:avg"]
        )
        # June 2025 has 21 weekdays of 9 hours and no time off
        self.assertEqual(available, 21 * 9.0)
        self.assertEqual((hours, visits), (8.0, 5))
        self.assertAlmostEqual(utilisation, 100 * 8.0 / 189)
        [(day_utilisation,)] = kpi._read_group(
            [("technician_id", "=", self.technician.id), ("date", "=", date(2025, 6, 5))],
            aggregates=["utilisation:avg"],
        )
        self.assertAlmostEqual(day_utilisation, 100 * 4.0 / 9)

    def test_technician_utilisation_less_time_off(self):
        resource = self.env["resource.resource"].create(
            {"name": "Kim Kpi", "user_id": self.technician.user_id.id, "calendar_id": self.calendar.id}
        )
        someone = self.env["resource.resource"].create({"name": "Someone Else", "calendar_id": self.calendar.id})
        other_calendar = self.calendar.copy({"name": "Other hours"})
        self.env["resource.calendar.leaves"].create(
            [
                # a day off of the technician: Thursday 12 June
                {
                    "name": "Day off",
                    "resource_id": resource.id,
                    "date_from": datetime(2025, 6, 12, 0, 0),
                    "date_to": datetime(2025, 6, 12, 23, 59, 59),
                },
                # a public half day off on the calendar, Friday 13 June from 13:30...
                {
                    "name": "Half holiday",
                    "calendar_id": self.calendar.id,
                    "date_from": datetime(2025, 6, 13, 13, 30),
                    "date_to": datetime(2025, 6, 13, 18, 0),
                },
                # ... and the technician away from 13:00 to 14:00 that day: the half hour in both counts once
                {
                    "name": "Dentist",
                    "resource_id": resource.id,
                    "date_from": datetime(2025, 6, 13, 13, 0),
                    "date_to": datetime(2025, 6, 13, 14, 0),
                },
                # the time off of someone else, of another calendar, or not counted as leave: not deducted
                {
                    "name": "Someone's day off",
                    "resource_id": someone.id,
                    "date_from": datetime(2025, 6, 16, 0, 0),
                    "date_to": datetime(2025, 6, 16, 23, 59, 59),
                },
                {
                    "name": "Other calendar's holiday",
                    "calendar_id": other_calendar.id,
                    "date_from": datetime(2025, 6, 17, 0, 0),
                    "date_to": datetime(2025, 6, 17, 23, 59, 59),
                },
                {
                    "name": "Training",
                    "resource_id": resource.id,
                    "time_type": "other",
                    "date_from": datetime(2025, 6, 18, 9, 0),
                    "date_to": datetime(2025, 6, 18, 12, 0),
                },
            ]
        )
        self.env.flush_all()
        kpi = self.env["aftersales.technician.kpi"].with_user(self.manager)
        june = [
            ("technician_id", "=", self.technician.id),
            ("date", ">=", date(2025, 6, 1)),
            ("date", "<=", date(2025, 6, 30)),
        ]
        days = {row.date.day: row.available_hours for row in kpi.search(june)}
        self.assertNotIn(12, days, "a whole day off, no visit: no working hours left")
        self.assertEqual(days[13], 4.0, "9:00 to 13:00 left")
        self.assertEqual((days[11], days[16], days[17], days[18]), (9.0, 9.0, 9.0, 9.0))
        [(available, hours, utilisation)] = kpi._read_group(
            june, aggregates=["available_hours:sum", "visit_hours:sum", "utilisation:avg"]
        )
        self.assertEqual(available, 21 * 9.0 - 9.0 - 5.0)
        self.assertEqual(hours, 8.0)
        self.assertAlmostEqual(utilisation, 100 * 8.0 / 175)

        # a day off with a visit done: the visit still counts, over no working hours
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Day off",
                "resource_id": resource.id,
                "date_from": datetime(2025, 6, 5, 0, 0),
                "date_to": datetime(2025, 6, 5, 23, 59, 59),
            }
        )
        self.env.flush_all()
        self.env.invalidate_all()
        [day_5] = kpi.search([("technician_id", "=", self.technician.id), ("date", "=", date(2025, 6, 5))])
        self.assertRecordValues(day_5, [{"available_hours": 0.0, "visit_hours": 4.0, "visit_count": 2}])
        self.assertFalse(day_5.utilisation)

        # the hours of the calendar are in its time zone: 07:00 to 11:00 UTC is 9:00 to 13:00 in Brussels
        self.calendar.tz = "Europe/Brussels"
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Morning off",
                "resource_id": resource.id,
                "date_from": datetime(2025, 6, 19, 7, 0),
                "date_to": datetime(2025, 6, 19, 11, 0),
            }
        )
        self.env.flush_all()
        self.env.invalidate_all()
        [day_19] = kpi.search([("technician_id", "=", self.technician.id), ("date", "=", date(2025, 6, 19))])
        self.assertEqual(day_19.available_hours, 5.0)

    def test_overview_tiles(self):
        overview = (
            self.env["aftersales.kpi.overview"]
            .with_user(self.manager)
            .create({"date_from": date(2025, 6, 1), "date_to": date(2025, 6, 30), "team_id": self.kpi_team.id})
        )
        self.assertEqual(overview.ticket_count, 6)
        self.assertEqual(overview.closed_count, 4)
        self.assertEqual(overview.open_count, 2)
        self.assertAlmostEqual(overview.first_time_fix_rate, 25.0)
        self.assertAlmostEqual(overview.sla_resolve_rate, 50.0)
        self.assertAlmostEqual(overview.resolve_hours, 23.75)
        self.assertAlmostEqual(overview.utilisation, 100 * 8.0 / 189)
        self.assertEqual((overview.csat_score, overview.rated_count), (4.0, 2))
        action = overview.action_open_backlog()
        self.assertEqual(action["res_model"], "aftersales.ticket.kpi")
        self.assertEqual(self.env["aftersales.ticket.kpi"].search_count(action["domain"]), 2)
        self.assertEqual(overview.action_open_utilisation()["res_model"], "aftersales.technician.kpi")
        with self.assertRaises(UserError):
            overview.date_to = date(2025, 5, 1)

    def test_overview_queries_do_not_grow(self):
        def read_overview():
            overview = (
                self.env["aftersales.kpi.overview"]
                .with_user(self.manager)
                .create({"date_from": date(2025, 6, 1), "date_to": date(2025, 6, 30), "team_id": self.kpi_team.id})
            )
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            overview.read(overview._kpi_fields())
            return self.env.cr.sql_log_count - start, overview.ticket_count

        read_overview()  # warm the caches of access rules and rights up
        queries, count = read_overview()
        self.env["aftersales.ticket"].create(
            [
                {"name": f"More {index}", "partner_id": self.customer.id, "team_id": self.kpi_team.id}
                for index in range(30)
            ]
        )
        self.env.cr.execute(
            SQL(
                "UPDATE aftersales_ticket SET request_date = %s WHERE name LIKE %s",
                datetime(2025, 6, 15, 8),
                "More %",
            )
        )
        more_queries, more_count = read_overview()
        self.assertEqual(more_count, count + 30)
        self.assertEqual(more_queries, queries)
        # one grouped query per source (three here, one more per addon adding a tile; the KPI
        # views first turn the JIT compiler off),
        # the record and its team's members
        self.assertLessEqual(queries, 16)

    def test_kpis_for_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["aftersales.ticket.kpi"].with_user(self.agent).search([])


@tagged("post_install", "-at_install")
class TestReportExport(AftersalesKpiCommon):
    def _wizard(self, **values):
        vals = {"date_from": date(2025, 6, 1), "date_to": date(2025, 6, 30), "team_id": self.kpi_team.id}
        vals.update(values)
        return self.env["aftersales.report.export"].with_user(self.manager).create(vals)

    def _workbook(self, action):
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        return openpyxl.load_workbook(io.BytesIO(attachment.raw), data_only=True)

    def test_tickets_report(self):
        book = self._workbook(self._wizard(report_kind="tickets").action_export())
        sheet = book["Tickets"]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Service Tickets")
        header = rows[2]
        self.assertEqual(header[0], "Reference")
        data, totals = rows[3:-1], rows[-1]
        self.assertEqual(len(data), 6, "the period's tickets of the team, archived ones aside")
        self.assertEqual({row[1] for row in data}, {f"KPI ticket {index}" for index in range(1, 7)})
        column = {title: index for index, title in enumerate(header)}
        first = next(row for row in data if row[1] == "KPI ticket 1")
        self.assertEqual(first[column["Reported on"]], datetime(2025, 6, 2, 8, 0))
        self.assertEqual(first[column["Time to Resolve (h)"]], 12.0)
        self.assertEqual(totals[0], "Total: 6 tickets")
        self.assertEqual(totals[column["Visits"]], 5)
        self.assertEqual(totals[column["Closed"]], 4)
        self.assertEqual(totals[column["Reopened"]], 1)
        formula_book = openpyxl.load_workbook(
            io.BytesIO(
                self.env["ir.attachment"].search([("name", "like", "tickets-2025-06-01")], limit=1, order="id desc").raw
            )
        )
        self.assertTrue(
            str(formula_book["Tickets"].cell(len(rows), column["Visits"] + 1).value).startswith("=SUBTOTAL")
        )

    def test_visits_per_technician_report(self):
        book = self._workbook(self._wizard(report_kind="visits", technician_id=self.technician.id).action_export())
        rows = list(book["Visits"].iter_rows(values_only=True))
        self.assertEqual(len(rows[3:-1]), 5)
        self.assertEqual(rows[-1][9], 8.0, "hours on site in the totals row")
        summary = list(book["Per Technician"].iter_rows(values_only=True))
        self.assertEqual(summary[1], ("Kim Kpi", 5, 5, 8.0))
        self.assertEqual(summary[-1], ("Total", 5, 5, 8.0))

    def test_commissions_report_empty_period(self):
        book = self._workbook(self._wizard(report_kind="commissions").action_export())
        rows = list(book["Commissions"].iter_rows(values_only=True))
        self.assertEqual(rows[2][0], "Technician")
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][8], 0)

    def test_list_action_exports_selection(self):
        action = self.env.ref("aftersales_service.aftersales_ticket_action_export_xlsx")
        self.assertEqual(action.binding_model_id.model, "aftersales.ticket")
        selected = self.tickets[:2]
        result = (
            action.with_user(self.manager).with_context(active_model="aftersales.ticket", active_ids=selected.ids).run()
        )
        rows = list(self._workbook(result)["Tickets"].iter_rows(values_only=True))
        self.assertEqual(len(rows[3:-1]), 2)

    def test_export_files_removed_after_a_day(self):
        result = self._wizard().action_export()
        attachment = self.env["ir.attachment"].browse(int(result["url"].split("/")[3].split("?")[0]))
        self.assertEqual(attachment.res_model, "aftersales.report.export")
        Export = self.env["aftersales.report.export"]
        Export._gc_aftersales_export_files()
        self.assertTrue(attachment.exists(), "a file of today stays")
        self.env.cr.execute(
            SQL("UPDATE ir_attachment SET create_date = create_date - INTERVAL '2 days' WHERE id = %s", attachment.id)
        )
        attachment.invalidate_recordset()
        Export._gc_aftersales_export_files()
        self.assertFalse(attachment.exists())

    def test_wrong_input(self):
        with self.assertRaises(UserError):
            self._wizard(date_from=date(2025, 7, 1))
        with self.assertRaises(UserError):
            self.env["aftersales.report.export"]._export_records(self.customer)
        with self.assertRaises(UserError):
            self.env["aftersales.report.export"]._export_records(self.env["aftersales.ticket"])

    def test_chunks_keep_order_and_count(self):
        wizard = self._wizard()
        chunks = list(
            wizard._iter_chunks("aftersales.ticket", [("team_id", "=", self.kpi_team.id)], ["name"], chunk_size=4)
        )
        self.assertEqual([len(chunk) for chunk in chunks], [4, 2])
        self.assertEqual([record.id for chunk in chunks for record in chunk], sorted(self.tickets[:6].ids))

    def test_wizard_form(self):
        form = Form(self.env["aftersales.report.export"].with_user(self.manager))
        form.report_kind = "visits"
        form.technician_id = self.technician
        wizard = form.save()
        self.assertEqual(wizard.date_from.day, 1)
