import ast

from odoo import _, api, fields, models
from odoo.tools import SQL

CARE_LOG_STATES = [
    ("sent", "Sent"),
    ("no_email", "No E-mail Address"),
    ("opted_out", "Opted Out"),
]


class AftersalesCareLog(models.Model):
    _name = "aftersales.care.log"
    _inherit = ["aftersales.guarded.mixin"]
    _description = "Customer Care E-mail"
    _order = "id desc"
    _check_company_auto = True

    rule_id = fields.Many2one("aftersales.care.rule", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="rule_id.company_id", store=True, index=True, precompute=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    lot_id = fields.Many2one(
        "stock.lot", string="Serial Number", index=True, readonly=True, help="Empty for birthdays and yearly dates."
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    unit_date = fields.Date(
        string="Date",
        required=True,
        readonly=True,
        help="When the unit was delivered or installed; for birthdays and yearly dates, the day celebrated.",
    )
    year = fields.Integer(required=True, readonly=True, help="The year of the anniversary the e-mail was sent for.")
    years = fields.Integer(string="Years Since", readonly=True)
    state = fields.Selection(CARE_LOG_STATES, string="Status", readonly=True)
    unsubscribe_url = fields.Char(
        compute="_compute_unsubscribe_url", help="The link in the e-mail that stops the care e-mails."
    )

    _sql_constraints = [
        (
            "rule_lot_year_uniq",
            "unique (rule_id, lot_id, year)",
            "A care e-mail goes to each unit once a year per rule.",
        ),
    ]

    def init(self):
        # birthdays and yearly dates have no unit: once a year per contact and rule
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS aftersales_care_log_rule_partner_year_uniq
                       ON %s (rule_id, partner_id, year) WHERE lot_id IS NULL""",
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _guarded_fields(self):
        # the log is what the care e-mails did: written by the sending only
        return super()._guarded_fields() | {"rule_id", "partner_id", "lot_id", "unit_date", "year", "years", "state"}

    @api.depends("rule_id", "lot_id", "year")
    def _compute_display_name(self):
        for log in self:
            log.display_name = _(
                "%(rule)s: %(serial)s (%(year)s)",
                rule=log.rule_id.name,
                serial=log.lot_id.name or log.partner_id.name,
                year=log.year,
            )

    def _compute_unsubscribe_url(self):
        for log in self:
            log.unsubscribe_url = log.partner_id._aftersales_care_unsubscribe_url() if log.partner_id else False

    def _send(self):
        """Send the care e-mails, one batch per template, each with its unsubscribe link. Contacts who
        opted out of the care e-mails and customers without e-mail are only logged: every kind of care
        e-mail goes through here."""
        opted_out = self.filtered(lambda log: log.partner_id.aftersales_care_opt_out)
        no_email = (self - opted_out).filtered(lambda log: not log.partner_id.email)
        to_send = self - opted_out - no_email
        with self._unguard("state"):
            opted_out.state = "opted_out"
            no_email.state = "no_email"
            for template, logs in to_send.grouped(lambda log: log.rule_id.mail_template_id).items():
                layout = "aftersales_service.mail_notification_care"
                mails = template.send_mail_batch(logs.ids, email_layout_xmlid=layout)
                logs._set_unsubscribe_headers(mails)
            to_send.state = "sent"

    def _set_unsubscribe_headers(self, mails):
        """The unsubscribe link in the headers as well, for the mail clients' own button: one click
        (RFC 8058) posts to the confirmation of the link, which opts the contact out."""
        url_of = {log.id: log.unsubscribe_url for log in self if log.unsubscribe_url}
        for mail in mails:
            url = url_of.get(mail.res_id) if mail.model == self._name else None
            if url:
                headers = {
                    **(ast.literal_eval(mail.headers) if mail.headers else {}),
                    "List-Unsubscribe": f"<{url}/confirm>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
                mail.headers = repr(headers)
