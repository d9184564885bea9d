"""Revisits: a ticket is revisited when a new ticket on its serial number is reported soon after it
closed (the unit was not fixed the first time); the flag and the visit counts the KPIs read are kept in
SQL."""

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, table_exists

# the fields that decide whether a ticket, or an earlier one on its serial number, was revisited
REVISIT_FIELDS = {"lot_id", "closed_date", "request_date", "company_id", "stage_id"}


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    revisited = fields.Boolean(
        readonly=True,
        copy=False,
        help="A new ticket on the same serial number was reported within the company's revisit window "
        "after this one closed: the unit was not fixed the first time.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"revisited"}

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._refresh_revisits(tickets.lot_id.ids)
        return tickets

    def write(self, vals):
        # the tickets on the serial numbers before and after the change may be revisited or not
        revisits = bool(REVISIT_FIELDS.intersection(vals))
        revisit_lot_ids = set(self.lot_id.ids) if revisits else set()
        result = super().write(vals)
        if revisits:
            self._refresh_revisits(list(revisit_lot_ids.union(self.lot_id.ids)))
        return result

    def _auto_init(self):
        # the KPI columns of tickets from before they existed are filled in SQL, once
        cr = self.env.cr
        fill = table_exists(cr, self._table) and not column_exists(cr, self._table, "visit_done_count")
        if fill:
            create_column(cr, self._table, "visit_active_count", "int4")
            create_column(cr, self._table, "visit_done_count", "int4")
            create_column(cr, self._table, "revisited", "bool")
        result = super()._auto_init()
        if fill:
            self.pool.post_init(self._fill_kpi_columns)
        return result

    @api.model
    def _fill_kpi_columns(self, ticket_ids=None):
        """Set the KPI columns (visits not cancelled, visits done, revisited) of the tickets
        ``ticket_ids`` (all when None) from their visits and the later tickets on their serial
        numbers, in SQL: used when the columns are created and after rows written in SQL."""
        where = SQL("TRUE") if ticket_ids is None else SQL("t.id = ANY(%s)", list(ticket_ids))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE aftersales_ticket t
                      SET visit_active_count = counted.active_count,
                          visit_done_count = counted.done_count
                     FROM (SELECT t.id,
                                  COUNT(visit.id) FILTER (WHERE visit.state != 'cancel') AS active_count,
                                  COUNT(visit.id) FILTER (WHERE visit.state = 'done') AS done_count
                             FROM aftersales_ticket t
                        LEFT JOIN aftersales_visit visit ON visit.ticket_id = t.id
                            WHERE %s
                         GROUP BY t.id) counted
                    WHERE counted.id = t.id
                      AND (t.visit_active_count IS DISTINCT FROM counted.active_count
                           OR t.visit_done_count IS DISTINCT FROM counted.done_count)""",
                where,
            )
        )
        self._update_revisited(where)
        self.env.invalidate_all()

    @api.model
    def _refresh_revisits(self, lot_ids):
        """Set the revisited flag of every ticket on the serial numbers ``lot_ids``."""
        if not lot_ids:
            return
        Ticket = self.env["aftersales.ticket"]
        Ticket.flush_model(["lot_id", "closed_date", "request_date", "company_id"])
        self.env["res.company"].flush_model(["aftersales_revisit_days"])
        self._update_revisited(SQL("t.lot_id = ANY(%s)", list(lot_ids)))
        Ticket.invalidate_model(["revisited"])

    @api.model
    def _update_revisited(self, where):
        # a ticket is revisited when another one on its serial number was reported after its
        # closing and within its company's revisit window (archived ones too: they were reported)
        self.env.cr.execute(
            SQL(
                """UPDATE aftersales_ticket t
                      SET revisited = flagged.revisited
                     FROM (SELECT t.id,
                                  (t.lot_id IS NOT NULL AND t.closed_date IS NOT NULL AND EXISTS (
                                      SELECT 1 FROM aftersales_ticket again
                                       WHERE again.lot_id = t.lot_id
                                         AND again.id != t.id
                                         AND again.request_date > t.closed_date
                                         AND again.request_date <= t.closed_date
                                             + make_interval(days => COALESCE(c.aftersales_revisit_days, 0))
                                  )) AS revisited
                             FROM aftersales_ticket t
                             JOIN res_company c ON c.id = t.company_id
                            WHERE %s) flagged
                    WHERE flagged.id = t.id AND t.revisited IS DISTINCT FROM flagged.revisited""",
                where,
            )
        )
        self.env["aftersales.ticket.kpi"].invalidate_model()
