from datetime import date, datetime

from odoo import Command
from odoo.tests import new_test_user
from odoo.tools import SQL

from .common import AftersalesCommon


class AftersalesScorecardCommon(AftersalesCommon):
    """A small network and the jobs of June 2025, with their figures set in SQL so every measure is
    known by hand (times in UTC, the company's time zone):

    HQ -> North (N1, N2), South (S1). Technicians Amy (N1), Bob (N2), Cid (S1); service partner Fix-It.

    ==  ====  ====  ========  =========  =======  ======  =========  ====  ====================
    T   pt    who   answered  closed     visits   window  arrival    CSAT  other
    ==  ====  ====  ========  =========  =======  ======  =========  ====  ====================
    1   N1    Amy   on time   on time    1        yes     on time    5     review 80
    2   N1    Amy   late      late       2        1st     late       3     1st visit re-worked;
                                                                           one complaint
    3   N2    Bob   on time   on time    1        -       -          4     review 60
    4   S1    Cid   late      on time    1        -       -          -
    5   S1    Fix   on time   on time    1        -       -          5
    ==  ====  ====  ========  =========  =======  ======  =========  ====  ====================

    Each visit has a billable line of 100 at a cost of 40, but T2's second visit (no line). Not counted: a
    visit done in July, a cancelled visit, a cancelled review.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager.tz = "UTC"
        cls.csat_scores = {}
        Branch = cls.env["aftersales.branch"]
        cls.hq = Branch.create({"name": "Headquarters", "code": "SC-HQ", "branch_type": "headquarters"})
        cls.north = Branch.create({"name": "North", "code": "SC-N", "branch_type": "region", "parent_id": cls.hq.id})
        cls.south = Branch.create({"name": "South", "code": "SC-S", "branch_type": "region", "parent_id": cls.hq.id})
        cls.n1, cls.n2 = Branch.create(
            [
                {"name": "North One", "code": "SC-N1", "parent_id": cls.north.id},
                {"name": "North Two", "code": "SC-N2", "parent_id": cls.north.id},
            ]
        )
        cls.s1 = Branch.create({"name": "South One", "code": "SC-S1", "parent_id": cls.south.id})
        cls.technicians = cls.env["aftersales.technician"]
        for login, name, branch in (("sc_amy", "Amy", cls.n1), ("sc_bob", "Bob", cls.n2), ("sc_cid", "Cid", cls.s1)):
            user = new_test_user(
                cls.env, login=login, name=name, groups="aftersales_service.aftersales_service_group_technician"
            )
            cls.technicians |= cls.env["aftersales.technician"].create(
                {"user_id": user.id, "resource_calendar_id": cls.calendar.id, "branch_id": branch.id}
            )
        cls.amy, cls.bob, cls.cid = cls.technicians
        cls.fixit = cls.env["res.partner"].create(
            {"name": "Fix-It Point", "is_company": True, "aftersales_service_partner": True}
        )
        cls.other_point = cls.env["res.partner"].create(
            {"name": "Other Point", "is_company": True, "aftersales_service_partner": True}
        )
        cls.fee_product = cls.env["product.product"].create(
            {"name": "Scorecard labour", "type": "service", "list_price": 100.0, "standard_price": 40.0}
        )
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_repair")
        cls.tickets = cls._scorecard_tickets(
            [
                # branch, request, response, closed, respond by, solve by, csat
                (cls.n1, (2, 8), (2, 9), (2, 20), (2, 10), (3, 8), 5),
                (cls.n1, (3, 8), (3, 12), (6, 8), (3, 10), (4, 8), 3),
                (cls.n2, (4, 8), (4, 9), (4, 15), (4, 10), (5, 8), 4),
                (cls.s1, (5, 8), (5, 11), (5, 18), (5, 10), (6, 8), 0),
                (cls.s1, (8, 8), (8, 9), (8, 12), (8, 10), (9, 8), 5),
                (cls.n1, (20, 8), None, None, None, None, 0),  # its visit is done in July
            ]
        )
        t1, t2, t3, t4, t5, t6 = cls.tickets
        cls.complaint = cls.env["aftersales.ticket"].create(
            {
                "name": "Complaint",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "ticket_type_id": cls.type_repair.id,
                "branch_id": cls.n1.id,
            }
        )
        cls.env.cr.execute(
            SQL("UPDATE aftersales_ticket SET complaint_of_id = %s WHERE id = %s", t2.id, cls.complaint.id)
        )
        cls.visits = cls._scorecard_visits(
            [
                # ticket, technician, day, check-in hour, window (from, until), line, partner
                (t1, cls.amy, 2, 10, (9, 11), True, None),
                (t2, cls.amy, 3, 11, (9, 10), True, None),
                (t2, cls.amy, 5, 10, None, False, None),
                (t3, cls.bob, 4, 10, None, True, None),
                (t4, cls.cid, 5, 10, None, True, None),
                (t5, None, 8, 10, None, True, cls.fixit),
            ]
        )
        # not counted: done in July, and cancelled
        cls.july_visit, cls.cancelled_visit = cls._scorecard_visits(
            [(t6, cls.amy, 30, 22, None, True, None), (t1, cls.amy, 4, 10, None, True, None)]
        )
        cls.env.cr.execute(
            SQL(
                "UPDATE aftersales_visit SET check_out = %s WHERE id = %s",
                datetime(2025, 7, 1, 1, 0),
                cls.july_visit.id,
            )
        )
        cls.env.cr.execute(SQL("UPDATE aftersales_visit SET state = 'cancel' WHERE id = %s", cls.cancelled_visit.id))
        cls.env["aftersales.ticket"]._fill_kpi_columns(cls.tickets.ids)
        cls._rate_tickets()
        Review = cls.env["aftersales.quality.review"]
        cls.reviews = Review.create(
            [
                cls._review_vals(cls.visits[0], "done", 80.0),
                cls._review_vals(cls.visits[3], "done", 60.0),
                cls._review_vals(cls.visits[4], "cancel", 10.0),
            ]
        )
        # two measures only, so the scores read plainly: first-time fix (target 100%) and CSAT (target 5)
        measures = cls.env["aftersales.scorecard.measure"].search([("company_id", "=", cls.company.id)])
        measures.weight = 0.0
        measures.filtered(lambda measure: measure.code == "first_time_fix").write({"weight": 1.0, "target": 100.0})
        measures.filtered(lambda measure: measure.code == "csat").write({"weight": 1.0, "target": 5.0})
        cls.scorecard = cls.env["aftersales.scorecard"].create(
            {"company_id": cls.company.id, "period_start": date(2025, 6, 1)}
        )

    @classmethod
    def _review_vals(cls, visit, state, score):
        return {
            "company_id": cls.company.id,
            "period_start": date(2025, 6, 1),
            "visit_id": visit.id,
            "branch_id": visit.branch_id.id,
            "technician_id": visit.technician_id.id,
            "service_partner_id": visit.service_partner_id.id,
            "state": state,
            "score": score,
        }

    @classmethod
    def _scorecard_tickets(cls, rows):
        tickets = cls.env["aftersales.ticket"].create(
            [
                {
                    "name": f"Scorecard ticket {index}",
                    "partner_id": cls.customer.id,
                    "team_id": cls.team.id,
                    "ticket_type_id": cls.type_repair.id,
                    "branch_id": row[0].id,
                }
                for index, row in enumerate(rows, start=1)
            ]
        )

        def moment(day_hour):
            return datetime(2025, 6, *day_hour) if day_hour else None

        for ticket, (_branch, request, response, closed, respond_by, solve_by, _csat) in zip(
            tickets, rows, strict=True
        ):
            cls.env.cr.execute(
                SQL(
                    """UPDATE aftersales_ticket
                          SET request_date = %s, first_response_date = %s, closed_date = %s,
                              sla_response_deadline = %s, sla_resolve_deadline = %s, reopen_count = 0,
                              stage_id = CASE WHEN %s THEN %s ELSE stage_id END, is_closed = %s
                        WHERE id = %s""",
                    moment(request),
                    moment(response),
                    moment(closed),
                    moment(respond_by),
                    moment(solve_by),
                    bool(closed),
                    cls.stage_solved.id,
                    bool(closed),
                    ticket.id,
                )
            )
        cls.env.invalidate_all()
        cls.csat_scores.update({ticket.id: row[6] for ticket, row in zip(tickets, rows, strict=True)})
        return tickets

    @classmethod
    def _rate_tickets(cls):
        """The ratings, once the visits are there (a new visit computes the ticket's rating again)."""
        for ticket_id, score in cls.csat_scores.items():
            cls.env.cr.execute(SQL("UPDATE aftersales_ticket SET csat_score = %s WHERE id = %s", score, ticket_id))
        cls.env.invalidate_all()

    @classmethod
    def _scorecard_visits(cls, rows):
        visits = cls.env["aftersales.visit"].create(
            [
                {
                    "ticket_id": ticket.id,
                    "visit_type_id": cls.visit_type.id,
                    "technician_id": technician.id if technician else False,
                    "scheduled_start": datetime(2025, 6, day, hour, 0),
                    "scheduled_end": datetime(2025, 6, day, hour + 1, 0),
                    "assignment_forced": bool(technician),
                    "assignment_forced_reason": "Measured, not planned" if technician else False,
                    "line_ids": [
                        Command.create(
                            {"line_type": "fee", "product_id": cls.fee_product.id, "quantity": 1.0, "price_unit": 100.0}
                        )
                    ]
                    if line
                    else [],
                }
                for ticket, technician, day, hour, _window, line, _partner in rows
            ]
        )
        for visit, (_ticket, _tech, day, hour, window, _line, partner) in zip(visits, rows, strict=True):
            cls.env.cr.execute(
                SQL(
                    """UPDATE aftersales_visit
                          SET state = 'done', check_in = %s, check_out = %s, window_start = %s, window_end = %s,
                              service_partner_id = %s
                        WHERE id = %s""",
                    datetime(2025, 6, day, hour, 0),
                    datetime(2025, 6, day, hour, 45),
                    window and datetime(2025, 6, day, window[0], 0),
                    window and datetime(2025, 6, day, window[1], 0),
                    partner.id if partner else None,
                    visit.id,
                )
            )
        cls.env.invalidate_all()
        return visits

    def _line(self, subject, scorecard=None):
        lines = (scorecard or self.scorecard).line_ids
        if subject._name == "aftersales.branch":
            return lines.filtered(lambda line: line.kind == "branch" and line.branch_id == subject)
        if subject._name == "aftersales.technician":
            return lines.filtered(lambda line: line.kind == "technician" and line.technician_id == subject)
        return lines.filtered(lambda line: line.kind == "partner" and line.service_partner_id == subject)
