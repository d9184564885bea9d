import functools
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models

from .aftersales_warranty import COVERAGE_FIELDS, GIVEN_COMPUTED_FIELDS
from .aftersales_warranty_policy import DURATION_UNITS

# the terms a warranty keeps from its policy, as they were when the unit was registered
TERMS_FIELDS = frozenset(
    {
        "duration",
        "duration_unit",
        "grace_days",
        "conditions",
        "excluded_visit_type_ids",
        "excluded_categ_ids",
        "excludes_misuse",
    }
)
# the end a manager set by hand, kept under the extensions sold later
MANUAL_END_FIELDS = frozenset({"manual_end_date", "manual_end_months"})


@functools.lru_cache(maxsize=256)
def _end_date(start, duration, unit, extra_months):
    """The last day covered from ``start`` for ``duration`` ``unit`` plus ``extra_months``.

    Kept for the warranties computed together, which mostly share their start and terms (the
    units of a delivery).
    """
    delta = relativedelta(**{f"{unit}s": duration}) + relativedelta(months=extra_months)
    return start + delta - relativedelta(days=1)


class AftersalesWarranty(models.Model):
    _inherit = "aftersales.warranty"  # pylint: disable=consider-merging-classes-inherited

    # the terms: written by the policy's actions only (guarded); not readonly, so that a delivery
    # registering many units gives them in its create values (``_prepare_policy_vals``)
    duration = fields.Integer(
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
        help="The duration of the policy when the unit was registered: a later change of the policy "
        "does not shorten or lengthen what was sold.",
    )
    duration_unit = fields.Selection(
        DURATION_UNITS, compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    grace_days = fields.Integer(
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
        help="Days after the end during which claims are still accepted as covered.",
    )
    conditions = fields.Html(compute="_compute_terms", store=True, readonly=False, precompute=True, sanitize=True)
    excluded_visit_type_ids = fields.Many2many(
        "aftersales.visit.type",
        "aftersales_warranty_excluded_visit_type_rel",
        "warranty_id",
        "visit_type_id",
        string="Excluded Visit Types",
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
        help="Visits of these types are not covered by this warranty (e.g. maintenance).",
    )
    excluded_categ_ids = fields.Many2many(
        "product.category",
        "aftersales_warranty_excluded_categ_rel",
        "warranty_id",
        "categ_id",
        string="Consumables",
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
        help="Fees and parts of these product categories (and their sub-categories) are not covered.",
    )
    excludes_misuse = fields.Boolean(
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
        help="Visits where the technician found misuse are not covered by this warranty.",
    )
    manual_end_date = fields.Date(
        string="End Set by Hand",
        readonly=True,
        copy=False,
        tracking=True,
        help="The end a manager set by hand; extended warranties sold later add their months on top of it.",
    )
    manual_end_months = fields.Integer(
        readonly=True,
        copy=False,
        help="The months of extensions the end set by hand already included.",
    )

    @api.depends("policy_id")
    def _compute_terms(self):
        """The terms of the policy, copied when the warranty is registered (or given another policy).

        Only the warranty's own policy field triggers this: editing the policy leaves the warranties
        already sold as they were (see the policy's "Apply to Existing Warranties").
        """
        for warranty in self:
            for name, value in warranty.policy_id._prepare_terms_vals().items():
                warranty[name] = value

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | TERMS_FIELDS | MANUAL_END_FIELDS

    @api.model
    def _prepare_policy_vals(self, policy):
        """What a new warranty of ``policy`` takes from it, as create values: its terms and what it covers.

        The values ``_compute_terms`` and ``_compute_coverage`` give a warranty without extensions.
        A delivery that registers many units of a policy passes them to ``create``, so that they are
        worked out once for the policy instead of once per unit.
        """
        vals = dict(
            policy._prepare_terms_vals(), **self._coverage_vals(policy, self.env["aftersales.warranty.extension"])
        )
        return {name: self._fields[name].convert_to_write(value, self) for name, value in vals.items()}

    @api.model
    def _prepare_computed_vals_list(self, vals_list):
        """The values that the computes of ``GIVEN_COMPUTED_FIELDS`` give new warranties of create values
        ``vals_list`` (their terms included, see ``_prepare_policy_vals``), but ``lot_name``: the caller
        gives the serial's name with ``lot_id``.

        A delivery that registers many units gives them in its create values, so that each warranty
        is inserted with them instead of being written again once they are computed. They are the
        computes' own values, on new records in memory, one per move of the delivery: the records share
        their prefetch, so that each compute runs once for them all.
        """
        warranties = self.browse().concat(*(self.new(vals) for vals in vals_list))
        names = [name for name in GIVEN_COMPUTED_FIELDS if name != "lot_name"]
        return [
            {name: warranty._fields[name].convert_to_write(warranty[name], warranty) for name in names}
            for warranty in warranties
        ]

    def _terms_end_date(self, start, extra_months=0):
        """The last day covered by the warranty's own terms when it starts on ``start``."""
        self.ensure_one()
        return _end_date(start, self.duration, self.duration_unit, extra_months)

    # ------------------------------------------------------------------
    # Exclusions
    # ------------------------------------------------------------------

    def _exclusion_reason(self, line):
        """Why this warranty does not cover the visit line ``line`` (False when it may).

        Checked line by line, whatever the line's kind: the type of the visit, misuse found by
        the technician, and consumables (the category of the line's product).
        """
        self.ensure_one()
        visit = line.visit_id
        if visit.visit_type_id and visit.visit_type_id in self.excluded_visit_type_ids:
            return _("Not covered: %(visit_type)s visit", visit_type=visit.visit_type_id.name)
        if self.excludes_misuse and visit.misuse:
            return _("Not covered: misuse")
        category = line.product_id.categ_id
        if category and self.excluded_categ_ids:
            excluded = self.excluded_categ_ids.filtered(
                lambda categ: category.parent_path.startswith(categ.parent_path)
            )[:1]
            if excluded:
                return _("Not covered: consumable (%(category)s)", category=excluded.name)
        return False

    # ------------------------------------------------------------------
    # Terms applied again
    # ------------------------------------------------------------------

    def _apply_policy_terms(self):
        """Give these warranties the current terms of their policy (the policy's audited action).

        What is covered is the policy's, widened by the extensions sold; warranties that end up with
        the same values are written at once.
        """
        batches = defaultdict(lambda: self.browse())
        for warranty in self:
            extensions = warranty.extension_ids.filtered(lambda e: e.state == "active")
            covers = self._coverage_vals(warranty.policy_id, extensions)
            batches[(warranty.policy_id, tuple(sorted(covers.items())))] |= warranty
        for (policy, covers), warranties in batches.items():
            vals = dict(policy._prepare_terms_vals(), **dict(covers))
            with warranties._unguard(*TERMS_FIELDS, *COVERAGE_FIELDS):
                warranties.write(vals)
