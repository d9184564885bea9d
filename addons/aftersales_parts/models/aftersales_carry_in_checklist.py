from odoo import _, api, models
from odoo.exceptions import UserError


class AftersalesCarryIn(models.Model):  # pylint: disable=consider-merging-classes-inherited
    """The checks of a unit: the intake check at the counter and the final inspection before it is
    ready, copied from the checks of its product category and of the parent categories."""

    _inherit = "aftersales.carry.in"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        carry_ins = super().create(vals_list)
        # checks given with the carry-in (an import, the demo) are kept with their answers
        carry_ins.filtered(lambda ci: not ci.step_ids)._copy_checks()
        return carry_ins

    def write(self, vals):
        result = super().write(vals)
        if "product_id" in vals:
            # a unit changed at the counter gets the checks of its new category, unless some are answered
            self.filtered(lambda ci: ci.state == "draft" and not ci.step_ids.filtered("answered_on"))._copy_checks()
        return result

    # ------------------------------------------------------------------
    # Checks of the unit
    # ------------------------------------------------------------------

    def _category_checks(self):
        """The active checks of the unit's category and its parents, the parents' first."""
        self.ensure_one()
        categ = self.product_id.categ_id
        if not categ:
            return self.env["aftersales.carry.in.check"]
        categ_ids = [int(categ_id) for categ_id in (categ.parent_path or "").split("/") if categ_id] or categ.ids
        checks = self.env["aftersales.carry.in.check"].search([("categ_id", "in", categ_ids)])
        depth = {categ_id: index for index, categ_id in enumerate(categ_ids)}
        return checks.sorted(lambda check: (check.phase, depth[check.categ_id.id], check.sequence, check.id))

    def _prepare_step_vals(self, check, sequence):
        """The values of the step of ``self`` copied from ``check`` (in the customer's language), at
        ``sequence`` in the unit's checks."""
        self.ensure_one()
        return {
            "carry_in_id": self.id,
            "check_id": check.id,
            "phase": check.phase,
            "sequence": sequence,
            "name": check.name,
            "required": check.required,
            "answer_kind": check.answer_kind,
        }

    def _copy_checks(self):
        """Give each carry-in of ``self`` the checks of its unit, in place of those it had."""
        Step = self.env["aftersales.carry.in.step"]
        # sudo: the unanswered checks of a unit at the counter are replaced, the write on the carry-in was checked
        self.sudo().step_ids.unlink()
        vals_list = []
        for carry_in in self:
            lang = carry_in.partner_id.lang or self.env.lang
            for sequence, check in enumerate(carry_in._category_checks().with_context(lang=lang), start=1):
                vals_list.append(carry_in._prepare_step_vals(check, sequence))
        with Step._unguard():
            Step.create(vals_list)

    def _missing_checks(self, phase):
        return self.step_ids.filtered(lambda step: step.phase == phase and step.required and not step.answered_on)

    def _check_intake_done(self):
        """Refuse to receive a unit whose required intake checks are not answered."""
        for carry_in in self:
            missing = carry_in._missing_checks("intake")
            if missing:
                raise UserError(
                    _(
                        "Answer the required intake checks of %(carry_in)s before receiving the unit: %(checks)s.",
                        carry_in=carry_in.name,
                        checks=", ".join(missing.mapped("name")),
                    )
                )

    def _check_inspection_done(self):
        """Refuse to mark ready a unit whose required final inspection checks are not answered."""
        for carry_in in self:
            missing = carry_in._missing_checks("inspection")
            if missing:
                raise UserError(
                    _(
                        "Answer the required checks of the final inspection of %(carry_in)s before the unit is "
                        "ready: %(checks)s.",
                        carry_in=carry_in.name,
                        checks=", ".join(missing.mapped("name")),
                    )
                )
