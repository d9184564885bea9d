from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..tools.periods import company_day
from .aftersales_partner_settlement_line_dispute import DISPUTE_FIELDS

# How far back, before a statement's period, a settled job is looked at again for a penalty that shows only
# later: a re-work visit, a customer who rates the ticket after the statement.
PENALTY_LOOKBACK_DAYS = 90


class AftersalesPartnerSettlementPenalty(models.Model):
    _inherit = "aftersales.partner.settlement"  # pylint: disable=consider-merging-classes-inherited

    penalty_total = fields.Monetary(
        string="Penalties",
        compute="_compute_penalty_totals",
        store=True,
        help="The penalties deducted from the statement (a negative amount).",
    )
    dispute_open_count = fields.Integer(
        string="Open Disputes",
        compute="_compute_penalty_totals",
        store=True,
        help="Lines the partner disputes and nobody answered yet: the statement is billed once they are answered.",
    )

    @api.depends("line_ids.price_subtotal", "line_ids.line_type", "line_ids.dispute_state")
    def _compute_penalty_totals(self):
        for settlement in self:
            settlement.penalty_total = sum(
                settlement.line_ids.filtered(lambda line: line.line_type == "penalty").mapped("price_subtotal")
            )
            settlement.dispute_open_count = len(settlement.line_ids.filtered(lambda line: line.dispute_state == "open"))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_compute_lines(self):
        """The jobs and parts (see ``super``), then one penalty line per job and reason; the disputes of the
        lines computed again are kept."""
        disputes = {settlement: settlement._dispute_carry_over() for settlement in self}
        result = super().action_compute_lines()
        Line = self.env["aftersales.partner.settlement.line"]
        for settlement in self:
            # read in sudo like the jobs (the access was checked by super): branch rules must not hide them
            vals_list = settlement.sudo()._prepare_penalty_lines_vals()
            with Line._unguard():
                if vals_list:
                    settlement.line_ids = [Command.create(vals) for vals in vals_list]
                settlement._dispute_restore(disputes[settlement])
        return result

    def action_create_bill(self):
        """Refuse to bill a statement with open disputes, or whose penalties exceed what it pays."""
        disputed = self.filtered("dispute_open_count")
        if disputed:
            raise UserError(
                _(
                    "The partner disputes lines of %(settlements)s: answer the disputes (accept or reject them) "
                    "before billing.",
                    settlements=", ".join(disputed.mapped("name")),
                )
            )
        negative = self.filtered(
            lambda settlement: settlement.currency_id.compare_amounts(settlement.amount_total, 0) < 0
        )
        if negative:
            raise UserError(
                _(
                    "The penalties of %(settlements)s exceed what they pay: a bill is never below zero. Reset them "
                    "to draft and update their lines (the penalties are then capped at the statement's total).",
                    settlements=", ".join(negative.mapped("name")),
                )
            )
        return super().action_create_bill()

    def action_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_partner_settlement_line_dispute_action"
        )
        action["domain"] = [("settlement_id", "=", self.id), ("dispute_state", "!=", False)]
        return action

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _check_lines_editable(self):
        # the actions that own the lines of a confirmed statement (a dispute, its answer) open them all
        if self.env["aftersales.partner.settlement.line"]._unguarded_fields() is None:
            return
        return super()._check_lines_editable()

    def _prepare_bill_vals(self):
        """A waived penalty is not on the bill: the bill's total is the statement's."""
        vals = super()._prepare_bill_vals()
        waived = self.line_ids.filtered(lambda line: line.line_type == "penalty" and line.penalty_waived)
        if waived:
            vals["invoice_line_ids"] = [
                command
                for command in vals["invoice_line_ids"]
                if command[2].get("aftersales_settlement_line_id") not in waived.ids
            ]
        return vals

    @api.model
    def _penalty_lookback_days(self):
        return PENALTY_LOOKBACK_DAYS

    def _penalty_job_lines(self):
        """The job lines whose jobs may be penalised on this statement: its own, and the jobs of the partner
        settled on earlier live statements of the last days (a re-work or a rating shows after them)."""
        self.ensure_one()
        start, __ = self._period_bounds()
        earlier = self.env["aftersales.partner.settlement.line"].search(
            [
                ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("line_type", "=", "job"),
                ("state", "in", ("confirmed", "billed")),
                ("settlement_id", "!=", self.id),
                ("visit_id.check_out", ">=", start - timedelta(days=self._penalty_lookback_days())),
                ("visit_id.check_out", "<", start),
            ]
        )
        return (earlier | self.line_ids.filtered(lambda line: line.line_type == "job")).sorted(
            lambda line: (line.visit_id.check_out, line.visit_id.id)
        )

    def _prepare_penalty_lines_vals(self):
        """One penalty line per job and reason, by the partner's penalty rules; a job penalised for a reason on
        a live statement is not penalised again. The penalties never take the statement below zero: the last
        ones are capped at what is left."""
        self.ensure_one()
        rules = self.env["aftersales.partner.penalty"]._rules_for(self.partner_id, self.company_id)
        if not rules:
            return []
        job_lines = self._penalty_job_lines()
        visits = job_lines.visit_id
        done = {
            (line.visit_id.id, line.penalty_reason)
            for line in self.env["aftersales.partner.settlement.line"].search(
                [
                    ("visit_id", "in", visits.ids),
                    ("line_type", "=", "penalty"),
                    ("state", "!=", "cancel"),
                    ("settlement_id", "!=", self.id),
                ]
            )
        }
        revisits = {}
        for rule in rules.filtered(lambda rule: rule.reason == "rework"):
            revisits[rule] = visits._find_revisits(dict.fromkeys(visits, rule.rework_days))
        vals_list = []
        remaining = sum(self.line_ids.mapped("price_subtotal"))
        for job_line in job_lines:
            visit = job_line.visit_id
            for rule in rules:
                if (visit.id, rule.reason) in done:
                    continue
                detail = self._penalty_detail(rule, visit, revisits.get(rule, {}))
                if not detail:
                    continue
                amount = rule._amount_for(
                    job_line.price_subtotal, self.currency_id, company_day(self.company_id, visit.check_out)
                )
                if self.currency_id.compare_amounts(amount, 0) <= 0:
                    continue
                done.add((visit.id, rule.reason))
                taken = min(amount, max(remaining, 0.0))
                if self.currency_id.compare_amounts(taken, 0) <= 0:
                    continue
                remaining -= taken
                vals_list.append(self._prepare_penalty_line_vals(visit, rule, detail, amount, taken))
        return vals_list

    def _penalty_detail(self, rule, visit, revisits):
        """Why ``rule`` penalises ``visit``, for the statement's reader; ``None`` when it does not."""
        if rule.reason == "late":
            hours = rule._late_delay_hours(visit)
            if hours <= rule.late_hours:
                return None
            if rule.late_basis == "arrival":
                return _("arrived %(hours)s h after the agreed time", hours=round(hours, 1))
            return _("done %(hours)s h after the SLA deadline", hours=round(hours, 1))
        if rule.reason == "rework":
            revisit = revisits.get(visit)
            return _("re-work visit %(visit)s", visit=revisit.name) if revisit else None
        if rule.reason == "low_csat":
            score = visit.ticket_id.csat_score
            if score and score < rule.csat_threshold:
                return _("rated %(score)s, below %(threshold)s", score=score, threshold=rule.csat_threshold)
        return None

    def _prepare_penalty_line_vals(self, visit, rule, detail, amount, taken):
        self.ensure_one()
        reasons = dict(rule._fields["reason"]._description_selection(self.env))
        name = _(
            "%(visit)s: %(reason)s penalty, %(detail)s",
            visit=visit.name,
            reason=reasons[rule.reason],
            detail=detail,
        )
        if self.currency_id.compare_amounts(taken, amount) < 0:
            name = _("%(name)s (capped at the statement's total)", name=name)
        return {
            "line_type": "penalty",
            "visit_id": visit.id,
            "penalty_id": rule.id,
            "penalty_reason": rule.reason,
            "penalty_amount": amount,
            "name": name,
            "quantity": 1.0,
            "price_unit": -taken,
            "sequence": 100,
        }

    @api.model
    def _dispute_key(self, line):
        return (line.line_type, line.visit_id.id, line.penalty_reason or line.name)

    def _dispute_carry_over(self):
        """The disputes of the lines, and what they changed, before the lines are computed again."""
        self.ensure_one()
        carry = {}
        for line in self.line_ids.filtered("dispute_state"):
            vals = {name: line[name] for name in DISPUTE_FIELDS}
            vals["dispute_user_id"] = line.dispute_user_id.id
            vals["dispute_answer_user_id"] = line.dispute_answer_user_id.id
            if line.dispute_state == "accepted":
                if line.line_type == "penalty":
                    vals.update({"penalty_waived": True, "price_unit": 0.0})
                else:
                    vals["price_unit"] = line.price_unit
            carry[self._dispute_key(line)] = vals
        return carry

    def _dispute_restore(self, carry):
        """Put the disputes back on the lines computed again (called in the lines' unguarded scope)."""
        self.ensure_one()
        if not carry:
            return
        for line in self.line_ids:
            vals = carry.get(self._dispute_key(line))
            if vals:
                line.write(vals)

    def _after_dispute(self, lines, reason):
        """The partner disputed ``lines``: a note on the statement and a to-do for the dispatcher."""
        self.ensure_one()
        user = self.env.user
        self.message_post(
            body=_(
                "%(user)s disputes %(lines)s: %(reason)s",
                user=user.partner_id.display_name,
                lines=", ".join(lines.mapped("name")),
                reason=reason,
            ),
            author_id=user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        responsible = self.company_id._aftersales_responsible_user(assignee=self.create_uid)
        if responsible:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=responsible.id,
                summary=_("Answer the dispute of %(partner)s", partner=self.partner_id.display_name),
                note=_("%(lines)s: %(reason)s", lines=", ".join(lines.mapped("name")), reason=reason),
            )

    def _after_dispute_answer(self, line):
        """Tell the partner the answer; the to-do is done when no dispute is left open."""
        self.ensure_one()
        recipients = self.partner_id.commercial_partner_id | line.dispute_user_id.partner_id
        self.message_post_with_source(
            "aftersales_service.partner_settlement_dispute_answer",
            render_values={"line": line},
            subject=_("Your dispute on statement %(settlement)s", settlement=self.name),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipients.ids,
        )
        if not self.dispute_open_count:
            self.sudo().activity_feedback(
                ["mail.mail_activity_data_todo"], feedback=_("The disputes of the statement are answered.")
            )
