import calendar
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# the care e-mails of one rule created and sent by one run of the daily job; the job runs again for the rest
CARE_BATCH_SIZE = 500

MONTHS = [
    ("1", "January"),
    ("2", "February"),
    ("3", "March"),
    ("4", "April"),
    ("5", "May"),
    ("6", "June"),
    ("7", "July"),
    ("8", "August"),
    ("9", "September"),
    ("10", "October"),
    ("11", "November"),
    ("12", "December"),
]


class AftersalesCareRule(models.Model):
    _inherit = "aftersales.care.rule"  # pylint: disable=consider-merging-classes-inherited

    kind = fields.Selection(
        selection_add=[("birthday", "Birthday"), ("yearly_date", "Yearly Date")],
        ondelete={"birthday": "cascade", "yearly_date": "cascade"},
        help="Purchase anniversary: the day each serial number was delivered to the customer. Installation "
        "anniversary: the day of the unit's confirmed installation card. Birthday: the birthday of each "
        "contact. Yearly date: a day of the year (New Year) or the dates listed for each year (festivals of "
        "the lunar calendar such as the Spring Festival), for every customer.",
    )
    yearly_month = fields.Selection(MONTHS, string="Every Year On", help="The month of a fixed yearly date.")
    yearly_day = fields.Integer(string="Day", help="The day of the month of a fixed yearly date.")
    date_ids = fields.One2many(
        "aftersales.care.date",
        "rule_id",
        string="Dates",
        help="The dates of the festival, one a year, when it moves with the lunar calendar.",
    )

    @api.constrains("kind", "yearly_month", "yearly_day")
    def _check_yearly_date(self):
        for rule in self.filtered(lambda r: r.kind == "yearly_date" and (r.yearly_month or r.yearly_day)):
            month = int(rule.yearly_month or 0)
            # the 29th of February is allowed: it is sent on the 28th in the other years
            if not month or not 1 <= rule.yearly_day <= calendar.monthrange(2024, month)[1]:
                raise ValidationError(
                    self.env._("The yearly date of care rule %(rule)s is not a day of the year.", rule=rule.name)
                )

    def _send_care_mails(self, today=None):
        """The rules of birthdays and yearly dates greet contacts, not units: at most once a year per
        contact and rule. The others are sent as before."""
        contact_rules = self.filtered(lambda rule: rule.kind in ("birthday", "yearly_date"))
        logs = super(AftersalesCareRule, self - contact_rules)._send_care_mails(today=today)
        Log = self.env["aftersales.care.log"]
        new_logs = Log.browse()
        remaining = 0
        for rule in contact_rules:
            day = today or datetime.now(rule._tz()).date()
            target = day - timedelta(days=rule.days_offset)
            partner_ids = rule._care_partner_ids(target)
            if not partner_ids:
                continue
            done = set(
                Log.search(
                    [
                        ("rule_id", "=", rule.id),
                        ("year", "=", target.year),
                        ("lot_id", "=", False),
                        ("partner_id", "in", partner_ids),
                    ]
                ).partner_id.ids
            )
            todo = [partner_id for partner_id in partner_ids if partner_id not in done]
            remaining += max(len(todo) - CARE_BATCH_SIZE, 0)
            partners = self.env["res.partner"].browse(todo[:CARE_BATCH_SIZE])
            with Log._unguard():
                new_logs |= Log.create([rule._prepare_contact_care_log_vals(partner, target) for partner in partners])
        new_logs._send()
        if remaining:
            self.env["ir.cron"]._notify_progress(done=len(new_logs), remaining=remaining)
        return logs | new_logs

    def _prepare_contact_care_log_vals(self, partner, target):
        self.ensure_one()
        birthday = partner.aftersales_birthday if self.kind == "birthday" else False
        return {
            "rule_id": self.id,
            "partner_id": partner.id,
            "unit_date": target,
            "year": target.year,
            "years": target.year - birthday.year if birthday else 0,
        }

    def _care_partner_ids(self, target):
        """The ids of the contacts the rule greets on ``target``, in a stable order."""
        self.ensure_one()
        if self.kind == "birthday":
            return self._birthday_partner_ids(target)
        if self._is_yearly_date(target):
            return self._customer_ids()
        return []

    def _is_yearly_date(self, target):
        self.ensure_one()
        if target in self.date_ids.mapped("date"):
            return True
        if not self.yearly_month:
            return False
        month, day = int(self.yearly_month), self.yearly_day
        if (month, day) == (2, 29) and not calendar.isleap(target.year):
            day = 28
        return (target.month, target.day) == (month, day)

    def _contact_condition_sql(self):
        """The contacts of the rule's company: active contacts of no company or of this one; a company is
        greeted through its people, unless it has none."""
        return SQL(
            """partner.active AND (partner.company_id IS NULL OR partner.company_id = %s)
               AND (NOT partner.is_company OR NOT EXISTS (
                    SELECT 1 FROM res_partner person
                     WHERE person.parent_id = partner.id AND person.active AND person.type = 'contact'))""",
            self.company_id.id,
        )

    def _birthday_partner_ids(self, target):
        """Contacts born on the day and month of ``target``; those born on the 29th of February are
        greeted on the 28th in the other years."""
        self.ensure_one()
        days = [(target.month, target.day)]
        if (target.month, target.day) == (2, 28) and not calendar.isleap(target.year):
            days.append((2, 29))
        self.env["res.partner"].flush_model(
            ["aftersales_birthday", "active", "is_company", "company_id", "parent_id", "type"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT partner.id
                  FROM res_partner partner
                 WHERE %(contacts)s
                   AND partner.aftersales_birthday IS NOT NULL
                   AND (EXTRACT(MONTH FROM partner.aftersales_birthday), EXTRACT(DAY FROM partner.aftersales_birthday))
                       IN %(days)s
                 ORDER BY partner.id
                """,
                contacts=self._contact_condition_sql(),
                days=tuple(days),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _customer_ids(self):
        """The customers of the company: the contacts of the partners it sold or invoiced to, and those who
        opened a service ticket."""
        self.ensure_one()
        self.env["res.partner"].flush_model(
            ["customer_rank", "commercial_partner_id", "active", "is_company", "company_id", "parent_id", "type"]
        )
        self.env["sale.order"].flush_model(["partner_id", "company_id", "state"])
        self.env["aftersales.ticket"].flush_model(["partner_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT partner.id
                  FROM res_partner partner
                  JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
                 WHERE %(contacts)s
                   AND (
                        commercial.customer_rank > 0
                        OR EXISTS (
                            SELECT 1 FROM sale_order sale
                              JOIN res_partner buyer ON buyer.id = sale.partner_id
                             WHERE buyer.commercial_partner_id = commercial.id
                               AND sale.company_id = %(company)s AND sale.state = 'sale'
                        )
                        OR EXISTS (
                            SELECT 1 FROM aftersales_ticket ticket
                             WHERE ticket.partner_id = partner.id AND ticket.company_id = %(company)s
                        )
                   )
                 ORDER BY partner.id
                """,
                contacts=self._contact_condition_sql(),
                company=self.company_id.id,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
