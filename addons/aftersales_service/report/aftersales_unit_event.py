from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, drop_view_if_exists

# the rank of each kind in a unit's life, to order events recorded at the same moment
EVENT_KINDS = [
    ("sale", "Sold"),
    ("delivery", "Delivered"),
    ("return", "Returned by the Customer"),
    ("ticket_open", "Ticket Opened"),
    ("visit_planned", "Visit Planned"),
    ("visit_done", "Visit Done"),
    ("ticket_close", "Ticket Closed"),
]
# lot ids go into the row id modulo this, the source code into the lowest bits
LOT_SPAN = 1048576
CODE_SPAN = 64


class AftersalesUnitEvent(models.Model):
    """One event in the life of a serial number, read from the documents that made it.

    The view is the UNION ALL of one SELECT per source, given by
    ``_event_queries``: each addon adds its own sources by overriding it.
    Odoo calls ``init`` again when an addon extending this model is installed or
    updated, which recreates the view with every source.
    """

    _name = "aftersales.unit.event"
    _description = "Unit History Event"
    _auto = False
    _order = "date, sequence, id"
    _rec_name = "name"
    # what the sources read, written to the database before the view is searched
    _depends = {
        "stock.move.line": [
            "lot_id",
            "state",
            "date",
            "move_id",
            "picking_id",
            "location_id",
            "location_dest_id",
            "company_id",
        ],
        "stock.move": ["sale_line_id", "reference", "partner_id"],
        "stock.picking": ["name", "partner_id", "picking_type_id"],
        "stock.picking.type": ["warehouse_id"],
        "stock.warehouse": ["aftersales_branch_id"],
        "stock.lot": ["product_id"],
        "sale.order.line": ["order_id"],
        "sale.order": ["date_order", "state", "name", "partner_id", "company_id", "warehouse_id"],
        "aftersales.ticket": [
            "lot_id",
            "request_date",
            "closed_date",
            "is_closed",
            "active",
            "reference",
            "name",
            "partner_id",
            "company_id",
            "branch_id",
        ],
        "aftersales.visit": [
            "ticket_id",
            "scheduled_start",
            "scheduled_end",
            "check_out",
            "state",
            "name",
            "partner_id",
            "company_id",
            "branch_id",
        ],
    }

    date = fields.Datetime(readonly=True)
    sequence = fields.Integer(readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    kind = fields.Selection(EVENT_KINDS, string="Event", readonly=True)
    name = fields.Char(string="Document", readonly=True)
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document ID", model_field="res_model", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    branch_id = fields.Many2one("aftersales.branch", readonly=True)

    @api.model
    def _event_queries(self):
        """The sources of the history, as a list of ``(code, kind, query)``.

        ``code`` is a number below 64 unique to the source (service 1-19,
        warranty 20-39, parts 40-59); ``kind`` a key of the ``kind`` selection;
        ``query`` a SELECT of, in this order: ``src_id`` (the id of the source
        row), ``date``, ``lot_id``, ``name``, ``res_model``, ``res_id``,
        ``partner_id``, ``company_id``.
        """
        return [
            (
                1,
                "sale",
                SQL(
                    """
                    SELECT MIN(sml.id), so.date_order, sml.lot_id, so.name, 'sale.order', so.id,
                           so.partner_id, so.company_id
                      FROM stock_move_line sml
                      JOIN stock_move sm ON sm.id = sml.move_id
                      JOIN sale_order_line sol ON sol.id = sm.sale_line_id
                      JOIN sale_order so ON so.id = sol.order_id
                     WHERE sml.lot_id IS NOT NULL AND sml.state = 'done' AND so.state = 'sale'
                     GROUP BY so.id, sml.lot_id
                    """
                ),
            ),
            (
                2,
                "delivery",
                SQL(
                    """
                    SELECT sml.id, sml.date, sml.lot_id, COALESCE(sp.name, sm.reference), %(picking)s,
                           COALESCE(sp.id, 0), COALESCE(sp.partner_id, sm.partner_id), sml.company_id
                      FROM stock_move_line sml
                      JOIN stock_move sm ON sm.id = sml.move_id
                      LEFT JOIN stock_picking sp ON sp.id = sml.picking_id
                      JOIN stock_location dest ON dest.id = sml.location_dest_id
                      JOIN stock_location src ON src.id = sml.location_id
                     WHERE sml.lot_id IS NOT NULL AND sml.state = 'done'
                       AND dest.usage = 'customer' AND src.usage != 'customer' AND %(where)s
                    """,
                    picking="stock.picking",
                    where=self._event_delivery_where(),
                ),
            ),
            (
                3,
                "return",
                SQL(
                    """
                    SELECT sml.id, sml.date, sml.lot_id, COALESCE(sp.name, sm.reference), %(picking)s,
                           COALESCE(sp.id, 0), COALESCE(sp.partner_id, sm.partner_id), sml.company_id
                      FROM stock_move_line sml
                      JOIN stock_move sm ON sm.id = sml.move_id
                      LEFT JOIN stock_picking sp ON sp.id = sml.picking_id
                      JOIN stock_location dest ON dest.id = sml.location_dest_id
                      JOIN stock_location src ON src.id = sml.location_id
                     WHERE sml.lot_id IS NOT NULL AND sml.state = 'done'
                       AND src.usage = 'customer' AND dest.usage != 'customer' AND %(where)s
                    """,
                    picking="stock.picking",
                    where=self._event_return_where(),
                ),
            ),
            (
                4,
                "ticket_open",
                SQL(
                    """
                    SELECT t.id, t.request_date, t.lot_id, t.reference || ' - ' || t.name, %(ticket)s, t.id,
                           t.partner_id, t.company_id
                      FROM aftersales_ticket t
                     WHERE t.lot_id IS NOT NULL AND t.active
                    """,
                    ticket="aftersales.ticket",
                ),
            ),
            (
                5,
                "ticket_close",
                SQL(
                    """
                    SELECT t.id, t.closed_date, t.lot_id, t.reference || ' - ' || t.name, %(ticket)s, t.id,
                           t.partner_id, t.company_id
                      FROM aftersales_ticket t
                     WHERE t.lot_id IS NOT NULL AND t.active AND t.is_closed AND t.closed_date IS NOT NULL
                    """,
                    ticket="aftersales.ticket",
                ),
            ),
            (
                6,
                "visit_planned",
                SQL(
                    """
                    SELECT v.id, v.scheduled_start, t.lot_id, v.name, %(visit)s, v.id, v.partner_id, v.company_id
                      FROM aftersales_visit v
                      JOIN aftersales_ticket t ON t.id = v.ticket_id
                     WHERE t.lot_id IS NOT NULL AND v.scheduled_start IS NOT NULL AND v.state != 'cancel'
                    """,
                    visit="aftersales.visit",
                ),
            ),
            (
                7,
                "visit_done",
                SQL(
                    """
                    SELECT v.id, COALESCE(v.check_out, v.scheduled_end), t.lot_id, v.name, %(visit)s, v.id,
                           v.partner_id, v.company_id
                      FROM aftersales_visit v
                      JOIN aftersales_ticket t ON t.id = v.ticket_id
                     WHERE t.lot_id IS NOT NULL AND v.state = 'done'
                    """,
                    visit="aftersales.visit",
                ),
            ),
        ]

    @api.model
    def _event_branches(self):
        """How the branch of an event's document is read: ``{res_model: SELECT of the branch of the
        document whose id is src.res_id}``; documents of other models are in no branch."""
        return {
            "aftersales.ticket": SQL("SELECT branch_id FROM aftersales_ticket WHERE id = src.res_id"),
            "aftersales.visit": SQL("SELECT branch_id FROM aftersales_visit WHERE id = src.res_id"),
            "stock.picking": SQL(
                """
                SELECT wh.aftersales_branch_id
                  FROM stock_picking sp
                  JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
                  JOIN stock_warehouse wh ON wh.id = spt.warehouse_id
                 WHERE sp.id = src.res_id
                """
            ),
            "sale.order": SQL(
                """
                SELECT wh.aftersales_branch_id
                  FROM sale_order so
                  JOIN stock_warehouse wh ON wh.id = so.warehouse_id
                 WHERE so.id = src.res_id
                """
            ),
        }

    @api.model
    def _event_branch(self):
        cases = [SQL("WHEN %s THEN (%s)", res_model, query) for res_model, query in self._event_branches().items()]
        return SQL("CASE src.res_model %s ELSE NULL END", SQL(" ").join(cases))

    @api.model
    def _event_delivery_where(self):
        """Which deliveries to customers count as plain deliveries (others may be told by other sources)."""
        return SQL("TRUE")

    @api.model
    def _event_return_where(self):
        """Which receipts from customers count as plain returns (others may be told by other sources)."""
        return SQL("TRUE")

    @api.model
    def _query(self):
        ranks = {kind: rank for rank, kind in enumerate(self._fields["kind"].get_values(self.env), start=1)}
        selects = []
        codes = set()
        branch = self._event_branch()
        for code, kind, query in self._event_queries():
            if code in codes or not 0 < code < CODE_SPAN:
                raise UserError(_("Unit history source %(code)s is used twice or out of range.", code=code))
            codes.add(code)
            selects.append(
                SQL(
                    """
                    SELECT (src.src_id::bigint * %(lot_span)s + mod(src.lot_id, %(lot_span)s)) * %(code_span)s
                           + %(code)s AS id,
                           src.date AS date, %(rank)s AS sequence, src.lot_id AS lot_id,
                           lot.product_id AS product_id, %(kind)s AS kind, src.name::varchar AS name,
                           src.res_model::varchar AS res_model, src.res_id AS res_id,
                           src.partner_id AS partner_id, src.company_id AS company_id,
                           %(branch)s AS branch_id
                      FROM (%(query)s) AS src (src_id, date, lot_id, name, res_model, res_id, partner_id, company_id)
                      JOIN stock_lot lot ON lot.id = src.lot_id
                     WHERE src.date IS NOT NULL
                    """,
                    lot_span=LOT_SPAN,
                    code_span=CODE_SPAN,
                    code=code,
                    rank=ranks[kind],
                    kind=kind,
                    query=query,
                    branch=branch,
                )
            )
        return SQL(" UNION ALL ").join(selects)

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def action_open_document(self):
        """Open the document the event comes from, if the user may read it."""
        self.ensure_one()
        if not self.res_model or not self.res_id:
            raise UserError(_("This event has no document to open."))
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record:
            raise UserError(_("The document of this event no longer exists."))
        record.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "views": [(False, "form")],
            "target": "current",
        }
