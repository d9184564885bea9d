from odoo import fields, models


class AftersalesBulletinRead(models.Model):
    """A recipient read a bulletin: written by the bulletin's Mark as Read action (backend) and by its
    portal page, never directly (no role may create or change these lines)."""

    _name = "aftersales.bulletin.read"
    _description = "Bulletin Read by a Recipient"
    _order = "read_on desc, id desc"
    _rec_name = "bulletin_id"

    bulletin_id = fields.Many2one("aftersales.bulletin", required=True, index=True, ondelete="cascade", readonly=True)
    user_id = fields.Many2one("res.users", string="Reader", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True)
    read_on = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    company_id = fields.Many2one(related="bulletin_id.company_id", store=True, index=True)
    category = fields.Selection(related="bulletin_id.category", store=True)
    planned_date = fields.Date(related="bulletin_id.planned_date", store=True, string="Publishing Date")
    reader_commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, string="Reader's Company"
    )

    _sql_constraints = [
        (
            "bulletin_user_uniq",
            "unique (bulletin_id, user_id)",
            "The user's reading of this bulletin is already recorded.",
        ),
    ]
