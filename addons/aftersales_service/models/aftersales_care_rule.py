import calendar
from datetime import date, datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

CARE_KINDS = [
    ("purchase_anniversary", "Purchase Anniversary"),
    ("installation_anniversary", "Installation Anniversary"),
]

# how many anniversaries back the daily run looks for
MAX_YEARS = 30


class AftersalesCareRule(models.Model):
    _name = "aftersales.care.rule"
    _description = "Customer Care Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    kind = fields.Selection(
        CARE_KINDS,
        required=True,
        default="purchase_anniversary",
        help="Purchase anniversary: the day each serial number was delivered to the customer. Installation "
        "anniversary: the day of the unit's confirmed installation card.",
    )
    days_offset = fields.Integer(
        help="Days after the anniversary the e-mail is sent; a negative number sends it before.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        required=True,
        domain="[('model', '=', 'aftersales.care.log')]",
        help="Rendered on the care log of each unit: object.partner_id, object.lot_id, object.product_id, "
        "object.unit_date and object.years are at hand.",
    )
    log_count = fields.Integer(string="E-mails", compute="_compute_log_count")

    @api.constrains("days_offset")
    def _check_days_offset(self):
        for rule in self:
            if abs(rule.days_offset) > 180:
                raise ValidationError(
                    self.env._("The offset of care rule %(rule)s must stay within 180 days.", rule=rule.name)
                )

    def _compute_log_count(self):
        counts = dict(
            self.env["aftersales.care.log"]._read_group([("rule_id", "in", self.ids)], ["rule_id"], ["__count"])
        )
        for rule in self:
            rule.log_count = counts.get(rule, 0)

    def action_view_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_care_log_action")
        action["domain"] = [("rule_id", "=", self.id)]
        return action

    def action_run(self):
        """Send today's e-mails of these rules now (the daily job does the same)."""
        return self._send_care_mails()

    @api.model
    def _cron_send_care_mails(self):
        return self.search([])._send_care_mails()

    def _send_care_mails(self, today=None):
        """E-mail the customers whose units have their anniversary today (shifted by each rule's offset),
        at most once a year per unit and rule. Without ``today``, the day is today in the time zone of
        each rule's company."""
        Log = self.env["aftersales.care.log"]
        logs = Log.browse()
        for rule in self:
            day = today or datetime.now(rule._tz()).date()
            anniversary = day - timedelta(days=rule.days_offset)
            units = rule._units(anniversary)
            if not units:
                continue
            done = set(
                Log.search(
                    [("rule_id", "=", rule.id), ("year", "=", anniversary.year), ("lot_id", "in", list(units))]
                ).lot_id.ids
            )
            vals_list = [
                rule._prepare_care_log_vals(lot_id, partner, unit_date, anniversary)
                for lot_id, (partner, unit_date) in units.items()
                if lot_id not in done
            ]
            with Log._unguard():
                logs |= Log.create(vals_list)
        logs._send()
        return logs

    def _prepare_care_log_vals(self, lot_id, partner, unit_date, anniversary):
        self.ensure_one()
        return {
            "rule_id": self.id,
            "lot_id": lot_id,
            "partner_id": partner.id,
            "unit_date": unit_date,
            "year": anniversary.year,
            "years": anniversary.year - unit_date.year,
        }

    def _tz(self):
        """The time zone the days of the rule are decided in: its company's, else UTC."""
        self.ensure_one()
        tz = self.company_id.partner_id.tz
        return pytz.timezone(tz) if tz in pytz.all_timezones_set else pytz.utc

    def _local_date(self, moment):
        """The day of the UTC datetime ``moment`` in the company's time zone."""
        return pytz.utc.localize(moment).astimezone(self._tz()).date()

    def _units(self, anniversary):
        """{lot id: (customer, date)} of the units whose purchase or installation fell on the day and
        month of ``anniversary`` in one of the years before (days in the company's time zone), and that
        are still with the customer."""
        self.ensure_one()
        days = _anniversary_days(anniversary)
        if self.kind == "installation_anniversary":
            units = self._installed_units(days)
        else:
            units = self._delivered_units(days)
        returned = self._returned_lot_ids(units)
        return {lot_id: unit for lot_id, unit in units.items() if lot_id not in returned}

    def _returned_lot_ids(self, lot_ids):
        """The ids among ``lot_ids`` of the units that came back: their last done move from or to a
        customer left the customer's location (a return). Moves inside the company after the return
        (receipt in two steps, internal transfers, scraps) do not count."""
        if not lot_ids:
            return set()
        # the rules are run by their managers or the daily job; the units were found the same way
        move_lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("state", "=", "done"),
                    ("lot_id", "in", list(lot_ids)),
                    "|",
                    ("location_id.usage", "=", "customer"),
                    ("location_dest_id.usage", "=", "customer"),
                ],
                order="date desc, id desc",
            )
        )
        returned = set()
        seen = set()
        for move_line in move_lines:
            if move_line.lot_id.id in seen:
                continue
            seen.add(move_line.lot_id.id)
            if move_line.location_id.usage == "customer" and move_line.location_dest_id.usage != "customer":
                returned.add(move_line.lot_id.id)
        return returned

    def _delivered_units(self, days):
        domain = [
            ("state", "=", "done"),
            ("lot_id", "!=", False),
            # one e-mail per unit: serial numbers only (a lot goes to many customers)
            ("product_id.tracking", "=", "serial"),
            ("location_dest_id.usage", "=", "customer"),
            ("company_id", "=", self.company_id.id),
            *_days_domain("date", days, self._tz()),
        ]
        units = {}
        for move_line in self.env["stock.move.line"].sudo().search(domain, order="date, id"):
            partner = move_line.picking_id.partner_id or move_line.move_id.partner_id
            if partner:
                units[move_line.lot_id.id] = (partner, self._local_date(move_line.date))
        return units

    def _installed_units(self, days):
        domain = [
            ("state", "=", "confirmed"),
            ("lot_id", "!=", False),
            ("lot_id.product_id.tracking", "=", "serial"),
            ("company_id", "=", self.company_id.id),
            *_days_domain("installed_date", days, self._tz()),
        ]
        units = {}
        for card in self.env["aftersales.installation.card"].sudo().search(domain, order="installed_date, id"):
            partner = card.visit_id.ticket_id.partner_id or card.partner_id
            if partner:
                units[card.lot_id.id] = (partner, self._local_date(card.installed_date))
        return units


def _anniversary_days(anniversary):
    """The days of the years before ``anniversary`` that have it as their anniversary: the 29th of
    February has its anniversary on the 28th in the other years."""
    days = []
    for years in range(1, MAX_YEARS + 1):
        year = anniversary.year - years
        if anniversary.month == 2 and anniversary.day == 29 and not calendar.isleap(year):
            continue
        days.append(date(year, anniversary.month, anniversary.day))
        if (anniversary.month, anniversary.day) == (2, 28) and not calendar.isleap(anniversary.year):
            if calendar.isleap(year):
                days.append(date(year, 2, 29))
    return days


def _days_domain(field, days, tz=pytz.utc):
    """A domain matching ``field`` (a datetime in UTC) on any of ``days`` of the time zone ``tz``,
    one range per day."""

    def utc_start(day):
        local = tz.localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    domain = []
    for day in days:
        domain = [
            *(["|"] if domain else []),
            "&",
            (field, ">=", utc_start(day)),
            (field, "<", utc_start(day + timedelta(days=1))),
            *domain,
        ]
    return domain
