from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

DURATION_UNITS = [("day", "Days"), ("month", "Months"), ("year", "Years")]
START_TRIGGERS = [
    ("delivery", "Delivery"),
    ("invoice", "Invoice"),
    ("installation", "Installation Done"),
]


class AftersalesWarrantyPolicy(models.Model):
    _name = "aftersales.warranty.policy"
    _description = "Warranty Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Leave empty to share the policy between companies.")
    duration = fields.Integer(required=True, default=1, tracking=True)
    duration_unit = fields.Selection(DURATION_UNITS, required=True, default="year", tracking=True)
    start_trigger = fields.Selection(
        START_TRIGGERS,
        string="Starts at",
        required=True,
        default="delivery",
        help="What starts the clock: the delivery to the customer, the posting of the invoice, or the "
        "installation visit being done.",
    )
    grace_days = fields.Integer(
        help="Days after the end during which claims are still accepted as covered.",
        tracking=True,
    )
    covers_parts = fields.Boolean(string="Parts", default=True, tracking=True)
    covers_labour = fields.Boolean(string="Labour", default=True, tracking=True)
    covers_travel = fields.Boolean(string="Travel", default=False, tracking=True)
    conditions = fields.Html(translate=True, help="What the warranty does not cover, and how to claim.")
    excluded_visit_type_ids = fields.Many2many(
        "aftersales.visit.type",
        string="Excluded Visit Types",
        help="Visits of these types are not covered by the warranty (e.g. maintenance): they are billed.",
    )
    excluded_categ_ids = fields.Many2many(
        "product.category",
        string="Consumables",
        help="Fees and parts of these product categories (and their sub-categories) are billed, even on a "
        "covered repair.",
    )
    excludes_misuse = fields.Boolean(
        default=True,
        help="A visit where the technician found misuse is not covered by the warranty: it is billed.",
    )
    warranty_count = fields.Integer(
        string="Running Warranties",
        compute="_compute_warranty_count",
        help="Warranties of this policy waiting for their start or active.",
    )
    product_tmpl_count = fields.Integer(string="Products", compute="_compute_product_tmpl_count")

    @api.constrains("duration", "grace_days")
    def _check_duration(self):
        for policy in self:
            if policy.duration <= 0:
                raise ValidationError(
                    _("The duration of warranty policy %(policy)s must be positive.", policy=policy.name)
                )
            if policy.grace_days < 0:
                raise ValidationError(
                    _("The grace days of warranty policy %(policy)s cannot be negative.", policy=policy.name)
                )

    def _compute_product_tmpl_count(self):
        counts = dict(
            self.env["product.template"]._read_group(
                [("aftersales_warranty_policy_id", "in", self.ids)], ["aftersales_warranty_policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.product_tmpl_count = counts.get(policy, 0)

    def _compute_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]
            .sudo()
            ._read_group(
                [("policy_id", "in", self.ids), ("state", "in", ("draft", "active"))], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.warranty_count = counts.get(policy, 0)

    def _duration_delta(self, extra_months=0):
        self.ensure_one()
        delta = relativedelta(**{f"{self.duration_unit}s": self.duration})
        return delta + relativedelta(months=extra_months)

    def _end_date(self, start, extra_months=0):
        """The last day covered by a warranty of this policy that starts on ``start``."""
        self.ensure_one()
        return start + self._duration_delta(extra_months) - relativedelta(days=1)

    def _prepare_terms_vals(self):
        """The terms a warranty of this policy keeps from the day it is registered (extension point)."""
        self.ensure_one()
        return {
            "duration": self.duration,
            "duration_unit": self.duration_unit,
            "grace_days": self.grace_days,
            "conditions": self.conditions,
            "excluded_visit_type_ids": self.excluded_visit_type_ids,
            "excluded_categ_ids": self.excluded_categ_ids,
            "excludes_misuse": self.excludes_misuse,
        }

    def _terms_summary(self, warranty=None):
        """The terms in one line, for the audit log (of ``warranty`` when given, else of the policy)."""
        terms = warranty or self
        units = dict(self._fields["duration_unit"]._description_selection(self.env))
        return _(
            "%(duration)s %(unit)s, %(grace)s grace days, parts %(parts)s, labour %(labour)s, travel %(travel)s, "
            "excluded: %(excluded)s",
            duration=terms.duration,
            unit=units.get(terms.duration_unit, ""),
            grace=terms.grace_days,
            parts=_("yes") if terms.covers_parts else _("no"),
            labour=_("yes") if terms.covers_labour else _("no"),
            travel=_("yes") if terms.covers_travel else _("no"),
            excluded=", ".join(
                terms.excluded_visit_type_ids.mapped("name")
                + terms.excluded_categ_ids.mapped("name")
                + ([_("misuse")] if terms.excludes_misuse else [])
            )
            or _("nothing"),
        )

    def _check_apply_rights(self):
        self.check_access("write")
        if not self.env.su and not self.env.user.has_group("aftersales_service.aftersales_service_group_manager"):
            raise AccessError(_("Only after-sales managers can apply a policy to the warranties already sold."))

    def action_view_warranties(self):
        self.ensure_one()
        action = self.env["aftersales.warranty"]._action_for(
            [("policy_id", "=", self.id)], _("Warranties of %(policy)s", policy=self.display_name)
        )
        action["context"] = {"search_default_filter_running": 1}
        return action

    def action_open_apply_to_warranties(self):
        """Open the window that says how many warranties change and asks why (managers)."""
        self.ensure_one()
        self._check_apply_rights()
        return {
            "type": "ir.actions.act_window",
            "name": _("Apply to Existing Warranties"),
            "res_model": "aftersales.warranty.policy.apply",
            "view_mode": "form",
            "target": "new",
            "context": {"default_policy_id": self.id},
        }

    def action_apply_to_warranties(self, reason):
        """Give the running warranties of this policy its current terms, for ``reason`` (managers, audited).

        Warranties keep the terms they were sold with; this is the only way to change them for the
        units already registered. Each warranty changed is written in the audit log with its terms
        before and after, and the policy's chatter says how many changed. Returns the warranties.
        """
        self.ensure_one()
        self._check_apply_rights()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the new terms apply to the warranties already sold."))
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search([("policy_id", "=", self.id), ("state", "in", ("draft", "active"))])
        )
        if not warranties:
            raise UserError(_("No running warranty of policy %(policy)s to change.", policy=self.display_name))
        before = {warranty.id: self._terms_summary(warranty) for warranty in warranties}
        warranties._apply_policy_terms()
        warranties._expire_ended()
        after = self._terms_summary()
        self.env["aftersales.audit.log"]._audit("warranty_terms_applied", warranties, reason, old=before, new=after)
        self.message_post(
            body=_(
                "Terms applied to %(count)s running warranties by %(user)s: %(reason)s",
                count=len(warranties),
                user=self.env.user.name,
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return warranties
