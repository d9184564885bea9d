from odoo import api, fields, models
from odoo.tools import SQL


class AftersalesUnitEvent(models.Model):
    _inherit = "aftersales.unit.event"
    _depends = {
        "aftersales.warranty": ["lot_id", "move_id", "name", "partner_id", "company_id"],
        "aftersales.warranty.extension": ["state", "lot_id", "warranty_id", "sale_order_id", "company_id"],
        "aftersales.contract": ["state", "start_date", "lot_ids", "name", "partner_id", "company_id"],
        "mail.message": ["date", "model", "res_id"],
        "mail.tracking.value": [
            "field_id",
            "mail_message_id",
            "old_value_integer",
            "new_value_integer",
            "old_value_char",
            "new_value_char",
        ],
    }

    kind = fields.Selection(
        selection_add=[
            ("delivery",),
            ("warranty_start", "Warranty Registered"),
            ("warranty_extend", "Warranty Extended"),
            ("warranty_transfer", "Warranty Transferred"),
            ("warranty_void", "Warranty Voided"),
            ("contract_start", "Under Contract"),
            ("return",),
        ],
        ondelete={
            "warranty_start": "cascade",
            "warranty_extend": "cascade",
            "warranty_transfer": "cascade",
            "warranty_void": "cascade",
            "contract_start": "cascade",
        },
    )

    @api.model
    def _event_queries(self):
        queries = super()._event_queries()
        warranty = "aftersales.warranty"
        tracked = SQL(
            """
            FROM mail_tracking_value tv
            JOIN mail_message m ON m.id = tv.mail_message_id AND m.model = %(warranty)s
            JOIN ir_model_fields f ON f.id = tv.field_id
            JOIN aftersales_warranty w ON w.id = m.res_id
            """,
            warranty=warranty,
        )
        queries += [
            (
                20,
                "warranty_start",
                SQL(
                    """
                    SELECT w.id, COALESCE(sm.date, w.create_date), w.lot_id, w.name, %(warranty)s, w.id,
                           w.partner_id, w.company_id
                      FROM aftersales_warranty w
                      LEFT JOIN stock_move sm ON sm.id = w.move_id
                     WHERE w.lot_id IS NOT NULL
                    """,
                    warranty=warranty,
                ),
            ),
            (
                21,
                "warranty_extend",
                SQL(
                    """
                    SELECT e.id, COALESCE(so.date_order, e.create_date), e.lot_id, w.name, %(warranty)s, w.id,
                           w.partner_id, e.company_id
                      FROM aftersales_warranty_extension e
                      JOIN aftersales_warranty w ON w.id = e.warranty_id
                      LEFT JOIN sale_order so ON so.id = e.sale_order_id
                     WHERE e.state = 'active'
                    """,
                    warranty=warranty,
                ),
            ),
            (
                22,
                "warranty_transfer",
                SQL(
                    """
                    SELECT tv.id, m.date, w.lot_id, w.name || ': ' || tv.old_value_char || ' > ' || tv.new_value_char,
                           %(warranty)s, w.id, NULLIF(tv.new_value_integer, 0), w.company_id
                      %(tracked)s
                     WHERE f.model = %(warranty)s AND f.name = 'partner_id'
                       AND COALESCE(tv.old_value_integer, 0) != 0 AND w.lot_id IS NOT NULL
                    """,
                    warranty=warranty,
                    tracked=tracked,
                ),
            ),
            (
                23,
                "warranty_void",
                SQL(
                    """
                    SELECT tv.id, m.date, w.lot_id, w.name || ': ' || tv.new_value_char, %(warranty)s, w.id,
                           w.partner_id, w.company_id
                      %(tracked)s
                     WHERE f.model = %(warranty)s AND f.name = 'void_reason'
                       AND COALESCE(tv.new_value_char, '') != '' AND w.lot_id IS NOT NULL
                    """,
                    warranty=warranty,
                    tracked=tracked,
                ),
            ),
            (
                24,
                "contract_start",
                SQL(
                    """
                    SELECT c.id, c.start_date + c.create_date::time, rel.lot_id, c.name, %(contract)s, c.id,
                           c.partner_id, c.company_id
                      FROM aftersales_contract c
                      JOIN aftersales_contract_stock_lot_rel rel ON rel.contract_id = c.id
                     WHERE c.state NOT IN ('draft', 'cancel')
                    """,
                    contract="aftersales.contract",
                ),
            ),
        ]
        return queries
