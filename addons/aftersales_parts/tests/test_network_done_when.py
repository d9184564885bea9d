from datetime import date, datetime

from odoo import Command, fields, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import SQL

from .common import RmaCommon

GROUP = "aftersales_service.aftersales_service_group_"
MONTH = date(2021, 3, 1)


def _moment(day, hour):
    return datetime(MONTH.year, MONTH.month, day, hour, 0)


@tagged("post_install", "-at_install")
class TestNetworkDoneWhen(RmaCommon, HttpCase):
    """Issue 20's "Done when", tried as headquarters, each step as the role that does it.

    Headquarters -> North (points N1, N2) and South (point S1); a team, a technician and a warehouse per
    point (N1 ships from the main warehouse). The jobs of March 2021:

    ====  ====  =======  ========  ==========  ======  =======  ====  =========
    T     pt    who      response  resolution  visits  arrival  CSAT  other
    ====  ====  =======  ========  ==========  ======  =======  ====  =========
    T1    N1    Ann      on time   on time     1       on time  5
    T2    N1    Ann      late      late        2       -        2     re-work (1st visit); a complaint
    T3    N2    Ben      on time   on time     1       late     4
    T4    S1    Cal      late      on time     1       -        -
    T5    N2    Fix-It   on time   on time     1       -        5
    T6    S1    Prompt   on time   late        1       -        3
    ====  ====  =======  ========  ==========  ======  =======  ====  =========

    Every visit bills a fee of 100 at a cost of 40, but T2's second visit (no line).
    """

    # (point, who, response met, resolution met, visits, window (from, until) of the first visit, csat)
    JOBS = (
        ("n1", "ann", True, True, 1, (9, 11), 5),
        ("n1", "ann", False, False, 2, None, 2),
        ("n2", "ben", True, True, 1, (8, 9), 4),
        ("s1", "cal", False, True, 1, None, 0),
        ("n2", "fixit", True, True, 1, None, 5),
        ("s1", "prompt", True, False, 1, None, 3),
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "UTC"
        cls._build_network()
        cls._build_month()
        cls._build_dealer()

    # ------------------------------------------------------------------
    # Fixtures
    # ------------------------------------------------------------------

    @classmethod
    def _build_network(cls):
        env = cls.env
        Branch = env["aftersales.branch"]
        Warehouse = env["stock.warehouse"]
        cls.hq = Branch.create({"name": "DW Headquarters", "code": "DW-HQ", "branch_type": "headquarters"})
        cls.north = Branch.create({"name": "DW North", "code": "DW-N", "branch_type": "region", "parent_id": cls.hq.id})
        cls.south = Branch.create({"name": "DW South", "code": "DW-S", "branch_type": "region", "parent_id": cls.hq.id})
        cls.wh_n2 = Warehouse.create({"name": "DW North-2 Depot", "code": "DWN2"})
        cls.wh_s1 = Warehouse.create({"name": "DW South-1 Depot", "code": "DWS1"})
        cls.n1 = Branch.create(
            {
                "name": "DW North-1",
                "code": "DW-N1",
                "parent_id": cls.north.id,
                "warehouse_ids": [Command.link(cls.warehouse.id)],
            }
        )
        cls.n2 = Branch.create(
            {
                "name": "DW North-2",
                "code": "DW-N2",
                "parent_id": cls.north.id,
                "warehouse_ids": [Command.link(cls.wh_n2.id)],
            }
        )
        cls.s1 = Branch.create(
            {
                "name": "DW South-1",
                "code": "DW-S1",
                "parent_id": cls.south.id,
                "warehouse_ids": [Command.link(cls.wh_s1.id)],
            }
        )
        cls.points = {"n1": cls.n1, "n2": cls.n2, "s1": cls.s1}
        cls.teams = {
            key: env["aftersales.team"].create({"name": f"{point.code} Crew", "branch_id": point.id})
            for key, point in cls.points.items()
        }
        cls.techs = {}
        for key, login, name in (("n1", "ann", "Ann"), ("n2", "ben", "Ben"), ("s1", "cal", "Cal")):
            user = new_test_user(env, login=f"dw_{login}", name=name, groups=f"{GROUP}technician")
            cls.techs[login] = env["aftersales.technician"].create(
                {"user_id": user.id, "resource_calendar_id": cls.calendar.id, "branch_id": cls.points[key].id}
            )
        Partner = env["res.partner"]
        cls.fixit = Partner.create({"name": "DW Fix-It", "is_company": True, "aftersales_service_partner": True})
        cls.prompt = Partner.create(
            {"name": "DW Prompt Repairs", "is_company": True, "aftersales_service_partner": True}
        )
        cls.partners = {"fixit": cls.fixit, "prompt": cls.prompt}
        cls.fixit_user = new_test_user(
            env,
            login="dw_felix",
            groups="base.group_portal",
            partner_id=Partner.create({"name": "Felix Fix-It", "parent_id": cls.fixit.id}).id,
        )
        # people: headquarters works in no branch; the North's regional manager; agents of N1 and S1
        stock = "stock.group_stock_user"
        cls.hq_manager = new_test_user(env, login="dw_hq", name="Hedda HQ", groups=f"{GROUP}manager,{stock}")
        cls.north_manager = new_test_user(
            env, login="dw_north_mgr", name="Nils North", groups=f"{GROUP}manager,{stock}"
        )
        cls.n1_agent = new_test_user(env, login="dw_n1_agent", name="Nora Point", groups=f"{GROUP}user")
        cls.s1_agent = new_test_user(env, login="dw_s1_agent", name="Sven South", groups=f"{GROUP}user,{stock}")
        cls.north.write({"manager_id": cls.north_manager.id, "user_ids": [Command.link(cls.north_manager.id)]})
        cls.n1.user_ids = cls.n1_agent | cls.techs["ann"].user_id
        cls.n2.user_ids = cls.techs["ben"].user_id
        cls.s1.user_ids = cls.s1_agent | cls.techs["cal"].user_id

    @classmethod
    def _build_month(cls):
        """The tickets and done visits of the month; the clock (dates of answer, closing, check-in and
        check-out), the ratings and the complaint are set in SQL: they happened in March 2021."""
        env = cls.env
        cls.fee = env["product.product"].create(
            {"name": "DW labour", "type": "service", "list_price": 100.0, "standard_price": 40.0}
        )
        visit_type = env.ref("aftersales_service.visit_type_repair")
        cls.tickets = env["aftersales.ticket"]
        cls.visits = []  # one list of visits per ticket
        for index, (point, who, _resp, _resol, count, _window, _csat) in enumerate(cls.JOBS, start=1):
            ticket = env["aftersales.ticket"].create(
                {
                    "name": f"DW job {index}",
                    "partner_id": cls.customer.id,
                    "team_id": cls.teams[point].id,
                    "ticket_type_id": cls.type_repair.id,
                }
            )
            cls.tickets |= ticket
            technician = cls.techs.get(who)
            partner = cls.partners.get(who)
            visits = env["aftersales.visit"].create(
                [
                    {
                        "ticket_id": ticket.id,
                        "visit_type_id": visit_type.id,
                        "technician_id": technician.id if technician else False,
                        "service_partner_id": partner.id if partner else False,
                        "scheduled_start": _moment(2 * index + nth, 10),
                        "scheduled_end": _moment(2 * index + nth, 11),
                        "assignment_forced": bool(technician),
                        "assignment_forced_reason": "Measured, not planned" if technician else False,
                        "line_ids": []
                        if nth
                        else [
                            Command.create(
                                {"line_type": "fee", "product_id": cls.fee.id, "quantity": 1.0, "price_unit": 100.0}
                            )
                        ],
                    }
                    for nth in range(count)
                ]
            )
            cls.visits.append(visits)
        env.flush_all()
        for index, (ticket, visits, row) in enumerate(zip(cls.tickets, cls.visits, cls.JOBS, strict=True), start=1):
            _point, _who, response_met, resolution_met, _count, window, _csat = row
            day = 2 * index
            env.cr.execute(
                SQL(
                    """UPDATE aftersales_ticket
                          SET request_date = %s, sla_response_deadline = %s, first_response_date = %s,
                              sla_resolve_deadline = %s, closed_date = %s, reopen_count = 0,
                              stage_id = %s, is_closed = TRUE
                        WHERE id = %s""",
                    _moment(day, 8),
                    _moment(day, 10),
                    _moment(day, 9 if response_met else 12),
                    _moment(day + 2, 18),
                    _moment(day + 2, 12 if resolution_met else 20),
                    cls.stage_solved.id,
                    ticket.id,
                )
            )
            for nth, visit in enumerate(visits):
                env.cr.execute(
                    SQL(
                        """UPDATE aftersales_visit
                              SET state = 'done', check_in = %s, check_out = %s, window_start = %s, window_end = %s,
                                  partner_job_state = CASE WHEN service_partner_id IS NULL
                                                           THEN partner_job_state ELSE 'done' END
                            WHERE id = %s""",
                        _moment(day + nth, 10),
                        _moment(day + nth, 11),
                        window and not nth and _moment(day, window[0]),
                        window and not nth and _moment(day, window[1]),
                        visit.id,
                    )
                )
        env.invalidate_all()
        env["aftersales.ticket"]._fill_kpi_columns(cls.tickets.ids)
        for ticket, row in zip(cls.tickets, cls.JOBS, strict=True):
            env.cr.execute(SQL("UPDATE aftersales_ticket SET csat_score = %s WHERE id = %s", row[6], ticket.id))
        # the customer complained about T2
        cls.complaint = env["aftersales.ticket"].create(
            {"name": "DW complaint", "partner_id": cls.customer.id, "team_id": cls.teams["n1"].id}
        )
        env.cr.execute(
            SQL("UPDATE aftersales_ticket SET complaint_of_id = %s WHERE id = %s", cls.tickets[1].id, cls.complaint.id)
        )
        env.invalidate_all()
        # two measures weigh: first-time fix (target 100%) and CSAT (target 5)
        measures = env["aftersales.scorecard.measure"].search([("company_id", "=", cls.company.id)])
        measures.weight = 0.0
        measures.filtered(lambda measure: measure.code == "first_time_fix").write({"weight": 1.0, "target": 100.0})
        measures.filtered(lambda measure: measure.code == "csat").write({"weight": 1.0, "target": 5.0})

    @classmethod
    def _build_dealer(cls):
        """A dealer with a portal user; 22 serial units delivered and invoiced to it over two orders."""
        env = cls.env
        cls.clerk = new_test_user(
            env,
            login="dw_clerk",
            name="Carl Clerk",
            groups="stock.group_stock_user,stock.group_production_lot,aftersales_parts.aftersales_parts_group_clerk",
        )
        cls.accountant = new_test_user(env, login="dw_accountant", name="Ada Accounts", groups=f"{GROUP}accountant")
        cls.dealer = env["res.partner"].create(
            {"name": "DW Dealer Ltd", "is_company": True, "aftersales_dealer": True, "email": "dealer@example.com"}
        )
        cls.dealer_user = new_test_user(
            env,
            login="dw_dealer",
            groups="base.group_portal",
            partner_id=env["res.partner"]
            .create({"name": "Dan Dealer", "email": "dan@example.com", "parent_id": cls.dealer.id})
            .id,
        )
        cls.other_dealer = env["res.partner"].create(
            {"name": "DW Other Dealer", "is_company": True, "aftersales_dealer": True}
        )
        cls.pump = env["product.product"].create(
            {
                "name": "DW Heat Pump",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.return_category.id,
                "invoice_policy": "delivery",
                "taxes_id": [Command.set(cls.tax.ids)],
            }
        )
        lots = env["stock.lot"].create(
            [{"name": f"DWP-{index:04d}", "product_id": cls.pump.id} for index in range(1, 41)]
        )
        for lot in lots:
            env["stock.quant"]._update_available_quantity(cls.pump, cls.warehouse.lot_stock_id, 1.0, lot_id=lot)
        cls.order_a = cls._pump_order(cls.dealer, 12, 200.0)
        cls.order_b = cls._pump_order(cls.dealer, 10, 180.0)
        cls.other_order = cls._pump_order(cls.other_dealer, 3, 190.0)
        cls.delivery_a, cls.delivery_b = cls.order_a.picking_ids, cls.order_b.picking_ids
        cls.invoice_a, cls.invoice_b = cls.order_a.invoice_ids, cls.order_b.invoice_ids
        cls.lots_a = cls.order_a.picking_ids.move_line_ids.lot_id
        cls.lots_b = cls.order_b.picking_ids.move_line_ids.lot_id
        cls.foreign_lot = cls.other_order.picking_ids.move_line_ids.lot_id[:1]
        cls.never_delivered = (lots - cls.lots_a - cls.lots_b - cls.other_order.picking_ids.move_line_ids.lot_id)[:1]

    @classmethod
    def _pump_order(cls, partner, quantity, price):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": cls.pump.id, "product_uom_qty": quantity, "price_unit": price})
                ],
            }
        )
        order.action_confirm()
        cls._validate(order.picking_ids)
        order._create_invoices().action_post()
        return order

    def _login(self, user):
        self.authenticate(user.login, user.login)

    # ------------------------------------------------------------------
    # 1. The regional manager of the North sees the North, not the South
    # ------------------------------------------------------------------

    def test_1_regional_manager_sees_the_north_not_the_south(self):
        tickets = {
            key: self.tickets.filtered(lambda t, key=key: t.branch_id == self.points[key]) for key in self.points
        }
        north_tickets = tickets["n1"] | tickets["n2"] | self.complaint
        self.assertEqual(self.tickets.branch_id, self.n1 | self.n2 | self.s1)
        # tickets and visits
        Ticket = self.env["aftersales.ticket"].with_user(self.north_manager)
        seen = Ticket.search([("id", "in", (self.tickets | self.complaint).ids)])
        self.assertEqual(seen, north_tickets)
        visits = self.env["aftersales.visit"].union(*self.visits)
        seen = self.env["aftersales.visit"].with_user(self.north_manager).search([("id", "in", visits.ids)])
        self.assertEqual(seen, visits.filtered(lambda visit: visit.branch_id in self.n1 | self.n2))
        with self.assertRaises(AccessError):
            tickets["s1"][:1].with_user(self.north_manager).read(["name"])
        with self.assertRaises(AccessError):
            visits.filtered(lambda visit: visit.branch_id == self.s1)[:1].with_user(self.north_manager).read(["name"])
        # returns from the points' tickets (the returns agent)
        n1_rma = self._rma([(self.box_move, 1.0, {})], ticket_id=tickets["n1"][:1].id)
        s1_rma = self._rma([(self.kettle_move, 1.0, {})], ticket_id=tickets["s1"][:1].id)
        self.assertEqual((n1_rma.branch_id, s1_rma.branch_id), (self.n1, self.s1))
        seen = self.env["aftersales.rma"].with_user(self.north_manager).search([("id", "in", (n1_rma | s1_rma).ids)])
        self.assertEqual(seen, n1_rma)
        with self.assertRaises(AccessError):
            s1_rma.with_user(self.north_manager).read(["name"])
        # stock transfers of the points' warehouses
        Picking = self.env["stock.picking"]
        moves = Picking
        for warehouse in (self.warehouse, self.wh_n2, self.wh_s1):
            moves |= Picking.create(
                {
                    "picking_type_id": warehouse.int_type_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": warehouse.lot_stock_id.id,
                }
            )
        seen = Picking.with_user(self.north_manager).search([("id", "in", moves.ids)])
        self.assertEqual(seen, moves[:2])
        with self.assertRaises(AccessError):
            moves[2].with_user(self.north_manager).read(["name"])
        # the South's agent sees the South only; headquarters sees both
        self.assertEqual(Ticket.with_user(self.s1_agent).search([("id", "in", self.tickets.ids)]), tickets["s1"])
        self.assertEqual(Ticket.with_user(self.hq_manager).search([("id", "in", self.tickets.ids)]), self.tickets)
        self.assertEqual(
            Picking.with_user(self.hq_manager).search([("id", "in", moves.ids)]), moves, "headquarters sees all"
        )

    # ------------------------------------------------------------------
    # 2. The monthly scorecard
    # ------------------------------------------------------------------

    def _expected(self, rows):
        """The figures of the jobs ``rows`` (of JOBS), counted by hand from the fixture table."""
        jobs = sum(row[4] for row in rows)
        rated = [row[6] for row in rows if row[6]]
        windows = [row for row in rows if row[5]]
        return {
            "job_count": jobs,
            "ticket_count": len(rows),
            "sla_response_rate": 100.0 * sum(row[2] for row in rows) / len(rows),
            "sla_resolution_rate": 100.0 * sum(row[3] for row in rows) / len(rows),
            "sla_arrival_rate": 100.0 * sum(row[5][1] >= 10 for row in windows) / len(windows) if windows else 0.0,
            "first_time_fix_rate": 100.0 * sum(row[4] == 1 for row in rows) / len(rows),
            "rework_count": sum(row[4] - 1 for row in rows),
            "rework_rate": 100.0 * sum(row[4] - 1 for row in rows) / jobs,
            "csat_score": sum(rated) / len(rated) if rated else 0.0,
            "rated_count": len(rated),
            "complaint_count": sum(row is self.JOBS[1] for row in rows),
            "revenue": 100.0 * len(rows),
            "cost_total": 40.0 * len(rows),
        }

    def _score(self, expected):
        achievements = [expected["first_time_fix_rate"]]
        if expected["rated_count"]:
            achievements.append(min(100.0, 100.0 * expected["csat_score"] / 5.0))
        return sum(achievements) / len(achievements)

    def test_2_monthly_scorecard_ranks_branches_and_partners(self):
        scorecard = (
            self.env["aftersales.scorecard"]
            .with_user(self.hq_manager)
            .create({"company_id": self.company.id, "period_start": MONTH})
        )
        scorecard.with_user(self.hq_manager).action_compute()
        lines = scorecard.line_ids
        subjects = {
            "n1": ("branch", self.n1, ("n1",)),
            "n2": ("branch", self.n2, ("n2",)),
            "s1": ("branch", self.s1, ("s1",)),
            "north": ("branch", self.north, ("n1", "n2")),
            "south": ("branch", self.south, ("s1",)),
            "hq": ("branch", self.hq, ("n1", "n2", "s1")),
            "fixit": ("partner", self.fixit, None),
            "prompt": ("partner", self.prompt, None),
            "ann": ("technician", self.techs["ann"], None),
        }
        scores = {}
        for key, (kind, subject, points) in subjects.items():
            with self.subTest(subject=key):
                field = {"branch": "branch_id", "partner": "service_partner_id", "technician": "technician_id"}[kind]
                line = lines.filtered(lambda line, field=field, subject=subject: line[field] == subject)
                line = line.filtered(lambda line, kind=kind: line.kind == kind)
                self.assertEqual(len(line), 1)
                rows = [row for row in self.JOBS if (row[0] in points if points else row[1] == key)]
                expected = self._expected(rows)
                for name, value in expected.items():
                    self.assertAlmostEqual(line[name], value, places=1, msg=f"{key}: {name}")
                self.assertAlmostEqual(line.score, self._score(expected), places=1)
                scores[key] = line
        # the table read by hand, for the first point: 3 jobs of 2 tickets, one of them late, re-worked and
        # complained about, rated 5 and 2
        self.assertRecordValues(
            scores["n1"],
            [
                {
                    "job_count": 3,
                    "ticket_count": 2,
                    "sla_response_rate": 50.0,
                    "sla_arrival_rate": 100.0,
                    "first_time_fix_rate": 50.0,
                    "rework_count": 1,
                    "csat_score": 3.5,
                    "complaint_count": 1,
                    "revenue": 200.0,
                    "cost_total": 80.0,
                    "score": 60.0,
                }
            ],
        )
        self.assertEqual((scores["n2"].score, scores["s1"].score, scores["north"].score), (95.0, 80.0, 77.5))
        # the jobs of the month: all seven visits (T2 twice)
        self.assertEqual(scores["hq"].job_count, 7)
        self.assertEqual(scores["north"].job_count, scores["n1"].job_count + scores["n2"].job_count)
        # ranked: the points N2 (95) > S1 (80) > N1 (60); the South (80) before the North (77.5); Fix-It first
        self.assertLess(scores["n2"].rank, scores["s1"].rank)
        self.assertLess(scores["s1"].rank, scores["n1"].rank)
        self.assertLess(scores["south"].rank, scores["north"].rank)
        self.assertLess(scores["fixit"].rank, scores["prompt"].rank)
        # headquarters locks the month: its figures no longer change
        scorecard.with_user(self.hq_manager).action_lock()
        self.assertEqual(scorecard.state, "locked")
        with self.assertRaises(UserError):
            scorecard.with_user(self.hq_manager).action_compute()
        # the North's regional manager reads the lines of the North, not the South's
        seen = self.env["aftersales.scorecard.line"].with_user(self.north_manager).search([("id", "in", lines.ids)])
        self.assertEqual(
            seen.filtered(lambda line: line.kind == "branch"), scores["north"] | scores["n1"] | scores["n2"]
        )
        self.assertIn(scores["ann"], seen)
        # the service partner reads its own line on the portal, not the other partner's
        self._login(self.fixit_user)
        page = self.url_open("/my/scorecards")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/my/scorecards/{scores['fixit'].id}", page.text)
        self.assertNotIn(f"/my/scorecards/{scores['prompt'].id}", page.text)
        detail = self.url_open(f"/my/scorecards/{scores['fixit'].id}")
        self.assertEqual(detail.status_code, 200)
        self.assertIn(f"{scores['fixit'].score:.1f}", detail.text)
        self.assertEqual(self.url_open(f"/my/scorecards/{scores['prompt'].id}").status_code, 404)
        self.assertEqual(self.url_open(f"/my/scorecards/{scores['n1'].id}").status_code, 404)

    # ------------------------------------------------------------------
    # 3. A dealer sends back 20 units in one return
    # ------------------------------------------------------------------

    def _post_dealer_return(self, lots, extra=()):
        return self.url_open(
            "/my/rmas/dealer",
            data={
                "serials": "\n".join([*lots.mapped("name"), *extra]),
                "dealer_reason": "customer_unit",
                "reason_id": str(self.reason.id),
                "comment": "Twenty units back from our customers.",
                "csrf_token": http.Request.csrf_token(self),
            },
        )

    def _dealer_rmas(self):
        return self.env["aftersales.rma"].search([("commercial_partner_id", "=", self.dealer.id)])

    def test_3_dealer_returns_twenty_units_credited_for_what_we_delivered(self):
        self.assertEqual((len(self.lots_a), len(self.lots_b)), (12, 10))
        lots = self.lots_a | self.lots_b[:8]
        # the dealer's portal user: a serial never delivered to it, or delivered to another dealer, is refused
        self._login(self.dealer_user)
        response = self._post_dealer_return(lots, [self.never_delivered.name, self.foreign_lot.name])
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_rma_errors", response.text)
        self.assertIn(self.never_delivered.name, response.text)
        self.assertIn(self.foreign_lot.name, response.text)
        self.assertFalse(self._dealer_rmas(), "nothing is kept of a refused request")
        response = self._post_dealer_return(lots)
        rma = self._dealer_rmas()
        self.assertEqual(len(rma), 1)
        self.assertIn(f"/my/rmas/{rma.id}", response.url)
        self.assertRecordValues(rma, [{"state": "draft", "dealer_return": True, "branch_id": self.n1.id}])
        self.assertEqual(rma.line_ids.lot_id, lots)
        self.assertEqual(len(rma.line_ids), 20)

        # the returns agent approves: one receipt per original delivery
        rma.with_user(self.rma_user).action_approve()
        self.assertEqual(rma.state, "approved")
        receipts = rma.sudo().return_picking_ids
        self.assertEqual(receipts.return_id, self.delivery_a | self.delivery_b)
        self.assertEqual(receipts.move_line_ids.lot_id, lots)

        # the parts clerk validates the receipts, then inspects the units
        for receipt in receipts:
            self._validate(receipt.with_user(self.clerk))
        self.assertEqual(set(receipts.mapped("state")), {"done"})
        self.assertEqual(rma.state, "received")
        lines = rma.line_ids.with_user(self.clerk)
        lines.write({"condition": "good", "decision": "stock"})
        lines.action_inspect()
        self.assertTrue(all(rma.line_ids.mapped("decision_applied")))

        # the accountant refunds: each original invoice reversed for exactly the units returned
        rma.with_user(self.accountant)._refund()
        refunds = rma.sudo().refund_ids
        invoice_a, invoice_b = self.invoice_a, self.invoice_b
        self.assertEqual(refunds.reversed_entry_id, invoice_a | invoice_b)
        self.assertEqual(refunds.commercial_partner_id, self.dealer)
        refund_a = refunds.filtered(lambda move: move.reversed_entry_id == invoice_a)
        refund_b = refunds - refund_a
        self.assertRecordValues(refund_a.invoice_line_ids, [{"product_id": self.pump.id, "quantity": 12.0}])
        self.assertRecordValues(refund_b.invoice_line_ids, [{"product_id": self.pump.id, "quantity": 8.0}])
        self.assertAlmostEqual(refund_a.amount_untaxed, 12 * 200.0)
        self.assertAlmostEqual(refund_b.amount_untaxed, 8 * 180.0)
        self.assertLessEqual(refund_a.amount_total, invoice_a.amount_total)
        # never more than invoiced: nothing left to refund, and the units of the first order cannot come twice
        with self.assertRaises(UserError):
            rma.with_user(self.accountant)._refund()
        self._login(self.dealer_user)
        response = self._post_dealer_return(self.lots_a[:1])
        self.assertIn("o_aftersales_rma_errors", response.text)
        self.assertEqual(self._dealer_rmas(), rma)

    # ------------------------------------------------------------------
    # 4. The dealer's monthly stock report in the sell-through report
    # ------------------------------------------------------------------

    def test_4_dealer_stock_report_in_the_sell_through(self):
        month = fields.Date.today().replace(day=1)
        self._login(self.dealer_user)
        response = self.url_open(
            "/my/stock-reports/new", data={"month": str(month), "csrf_token": http.Request.csrf_token(self)}
        )
        self.assertEqual(response.status_code, 200)
        report = self.env["aftersales.dealer.stock.report"].search([("partner_id", "=", self.dealer.id)])
        self.assertEqual(len(report), 1)
        line = report.line_ids.filtered(lambda line: line.product_id == self.pump)
        self.assertEqual(line.received_qty, 22.0, "12 + 10 delivered to the dealer this month")
        response = self.url_open(
            report.access_url,
            data={
                **{f"sold_{other.id}": "0" for other in report.line_ids},
                **{f"on_hand_{other.id}": str(other.received_qty) for other in report.line_ids},
                f"sold_{line.id}": "16",
                f"on_hand_{line.id}": "6",
                "submit": "1",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(report.state, "submitted")
        self.assertEqual(report.submitted_by_id, self.dealer_user)
        self.assertFalse(report.difference_flag)
        self.env.flush_all()
        Report = self.env["aftersales.sell.through.report"].with_user(self.n1_agent)
        self.assertFalse(Report.search([("partner_id", "=", self.dealer.id), ("product_id", "=", self.pump.id)]))
        report.with_user(self.n1_agent).action_validate()
        self.assertEqual(report.state, "validated")
        self.env.flush_all()
        row = Report.search([("partner_id", "=", self.dealer.id), ("product_id", "=", self.pump.id)])
        self.assertEqual(len(row), 1)
        self.assertRecordValues(row, [{"received_qty": 22.0, "sold_qty": 16.0, "on_hand_qty": 6.0}])
        self.assertAlmostEqual(row.sell_through_rate, 100.0 * 16 / 22)

    # ------------------------------------------------------------------
    # 5. A bulletin shows who read it
    # ------------------------------------------------------------------

    def test_5_bulletin_shows_who_read_it(self):
        bulletin = (
            self.env["aftersales.bulletin"]
            .with_user(self.hq_manager)
            .create(
                {
                    "name": "DW drain pump note",
                    "category": "technical",
                    "body": "<p>Replace the drain pump with part DP-2.</p>",
                    "branch_ids": [Command.link(self.north.id)],
                    "dealer_ids": [Command.link(self.dealer.id)],
                }
            )
        )
        bulletin.with_user(self.hq_manager).action_publish()
        north_users = self.north_manager | self.n1_agent | self.techs["ann"].user_id | self.techs["ben"].user_id
        self.assertEqual(bulletin.recipient_ids, north_users | self.dealer_user)
        # a North point's agent marks it read in the backend
        mine = self.env["aftersales.bulletin"].with_user(self.n1_agent).search([("is_read", "=", False)])
        self.assertEqual(mine, bulletin)
        mine.action_mark_read()
        # the dealer's portal user reads it on the portal
        self._login(self.dealer_user)
        response = self.url_open(f"/my/bulletins/{bulletin.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Replace the drain pump", response.text)
        # headquarters reads the log: exactly those two read it, the others did not
        as_hq = bulletin.with_user(self.hq_manager)
        self.assertEqual(as_hq.read_ids.user_id, self.n1_agent | self.dealer_user)
        self.assertEqual(as_hq.unread_recipient_ids, north_users - self.n1_agent)
        self.assertEqual((as_hq.read_count, as_hq.recipient_count), (2, 5))
        # the South sees nothing of it
        self.assertFalse(self.env["aftersales.bulletin"].with_user(self.s1_agent).search([("id", "=", bulletin.id)]))
        with self.assertRaises(AccessError):
            bulletin.with_user(self.s1_agent).read(["name"])
        with self.assertRaises(AccessError):
            bulletin.with_user(self.s1_agent).action_mark_read()

    # ------------------------------------------------------------------
    # 6. A quality review drawn for the month feeds the scorecard
    # ------------------------------------------------------------------

    def test_6_quality_reviews_feed_the_scorecard(self):
        relations = new_test_user(self.env, login="dw_relations", name="Rhea Relations", groups=f"{GROUP}user")
        team = self.env["aftersales.team"].create(
            {"name": "DW Customer Relations", "member_ids": [Command.link(relations.id)]}
        )
        self.company.write({"aftersales_quality_team_id": team.id, "aftersales_quality_method": "call"})
        # headquarters draws one job per branch and per service partner
        wizard = self.env["aftersales.quality.draw"].with_user(self.hq_manager).create({"month": MONTH})
        wizard.sample_size = 1
        action = wizard.action_draw()
        reviews = self.env["aftersales.quality.review"].search(action["domain"])
        self.assertEqual(len(reviews), 5, "N1, N2, S1 (their own jobs), Fix-It and Prompt")
        job_rows = {}
        for index, (visits, row) in enumerate(zip(self.visits, self.JOBS, strict=True), start=1):
            for visit in visits:
                job_rows[visit] = (index, row)
        self.assertEqual(
            sorted(
                (job_rows[review.visit_id][1][0], job_rows[review.visit_id][1][1] in self.partners)
                for review in reviews
            ),
            [("n1", False), ("n2", False), ("n2", True), ("s1", False), ("s1", True)],
        )
        # the customer-relations agent calls the customers and records each score (40 + 10 x the job's number)
        scores = {}
        for review in reviews.with_user(relations):
            self.assertEqual(review.user_id, relations)
            index = job_rows[review.visit_id][0]
            scores[review.visit_id] = 40.0 + 10.0 * index
            review.write({"score": scores[review.visit_id], "findings": f"<p>Call about job {index}.</p>"})
            review.action_done()
        self.assertEqual(set(reviews.mapped("state")), {"done"})
        scorecard = (
            self.env["aftersales.scorecard"]
            .with_user(self.hq_manager)
            .create({"company_id": self.company.id, "period_start": MONTH})
        )
        scorecard.action_compute()

        def expected(matches):
            marks = [score for visit, score in scores.items() if matches(job_rows[visit][1])]
            return sum(marks) / len(marks)

        for subject, kind, matches in (
            (self.n1, "branch", lambda row: row[0] == "n1"),
            (self.n2, "branch", lambda row: row[0] == "n2"),
            (self.north, "branch", lambda row: row[0] in ("n1", "n2")),
            (self.hq, "branch", lambda row: True),
            (self.fixit, "partner", lambda row: row[1] == "fixit"),
            (self.prompt, "partner", lambda row: row[1] == "prompt"),
        ):
            with self.subTest(subject=subject.display_name):
                field = "branch_id" if kind == "branch" else "service_partner_id"
                line = scorecard.line_ids.filtered(
                    lambda line, kind=kind, field=field, subject=subject: line[field] == subject and line.kind == kind
                )
                self.assertAlmostEqual(line.quality_score, expected(matches), places=1)
                self.assertEqual(line.review_count, len([v for v in scores if matches(job_rows[v][1])]))

    # ------------------------------------------------------------------
    # 7. A penalty disputed on the portal and accepted is not billed
    # ------------------------------------------------------------------

    def test_7_penalty_disputed_and_accepted_is_not_billed(self):
        dispatcher = new_test_user(
            self.env,
            login="dw_dispatcher",
            name="Dora Dispatch",
            groups=f"{GROUP}dispatcher,account.group_account_invoice",
        )
        prompt_user = new_test_user(
            self.env,
            login="dw_prompt",
            groups="base.group_portal",
            partner_id=self.env["res.partner"].create({"name": "Pia Prompt", "parent_id": self.prompt.id}).id,
        )
        # the manager sets the agreement: 60 a job, 15 off a job rated below 3.5
        self.env["aftersales.partner.penalty"].search([]).active = False
        self.env["aftersales.partner.rate"].with_user(self.hq_manager).create(
            {"partner_id": self.prompt.id, "amount": 60.0, "currency_id": self.company.currency_id.id}
        )
        self.env["aftersales.partner.penalty"].with_user(self.hq_manager).create(
            {
                "partner_id": self.prompt.id,
                "reason": "low_csat",
                "csat_threshold": 3.5,
                "amount_type": "fixed",
                "amount": 15.0,
            }
        )
        settlement = (
            self.env["aftersales.partner.settlement"]
            .with_user(dispatcher)
            .create({"partner_id": self.prompt.id, "date_from": MONTH, "date_to": date(2021, 3, 31)})
        )
        settlement.action_compute_lines()
        settlement.action_confirm()
        penalty = settlement.line_ids.filtered(lambda line: line.line_type == "penalty")
        self.assertRecordValues(penalty, [{"visit_id": self.visits[5].id, "penalty_reason": "low_csat"}])
        self.assertAlmostEqual(abs(penalty.price_subtotal), 15.0)
        self.assertAlmostEqual(settlement.amount_total, 60.0 - 15.0)
        # the partner disputes it on the portal
        self._login(prompt_user)
        response = self.url_open(
            f"/my/settlements/{settlement.id}/lines/{penalty.id}/dispute",
            data={"reason": "The customer rated the price, not our work.", "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(penalty.dispute_state, "open")
        with self.assertRaises(UserError):
            settlement.with_user(dispatcher).action_create_bill()
        # the dispatcher accepts it in the backend
        action = penalty.with_user(dispatcher).action_answer_dispute()
        form = Form(self.env[action["res_model"]].with_user(dispatcher).with_context(**action["context"]))
        form.decision = "accepted"
        form.answer = "Agreed: the price is ours."
        form.save().action_confirm()
        self.assertEqual(penalty.dispute_state, "accepted")
        settlement.with_user(dispatcher).action_create_bill()
        self.assertAlmostEqual(settlement.move_id.amount_untaxed, 60.0, msg="the waived penalty is not billed")
