from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .aftersales_partner_penalty import PENALTY_REASONS

DISPUTE_STATES = [
    ("open", "Disputed"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
]

# The fields of a penalty line that only the settlement's actions set (a dispatcher edits the job lines of a
# draft statement; the amount of a penalty comes from its rule and changes by a dispute only).
PENALTY_LINE_FIELDS = frozenset({"price_unit", "quantity", "line_type", "visit_id"})

# What a dispute carries over when a draft statement's lines are computed again.
DISPUTE_FIELDS = (
    "dispute_state",
    "dispute_reason",
    "dispute_date",
    "dispute_user_id",
    "dispute_answer",
    "dispute_answer_date",
    "dispute_answer_user_id",
)


class AftersalesPartnerSettlementLineDispute(models.Model):
    _inherit = "aftersales.partner.settlement.line"  # pylint: disable=consider-merging-classes-inherited

    line_type = fields.Selection(selection_add=[("penalty", "Penalty")], ondelete={"penalty": "cascade"})
    penalty_id = fields.Many2one(
        "aftersales.partner.penalty", string="Penalty Rule", index="btree_not_null", ondelete="restrict"
    )
    penalty_reason = fields.Selection(PENALTY_REASONS, string="Penalty")
    penalty_amount = fields.Monetary(help="The amount the rule deducts, before a dispute waived it.")
    penalty_waived = fields.Boolean(string="Waived", help="The partner's dispute of this penalty was accepted.")
    dispute_state = fields.Selection(DISPUTE_STATES, string="Dispute", index="btree_not_null", copy=False)
    dispute_reason = fields.Text(string="Partner's Reason", copy=False)
    dispute_date = fields.Datetime(string="Disputed on", copy=False)
    dispute_user_id = fields.Many2one("res.users", string="Disputed by", copy=False)
    dispute_answer = fields.Text(string="Our Answer", copy=False)
    dispute_answer_date = fields.Datetime(string="Answered on", copy=False)
    dispute_answer_user_id = fields.Many2one("res.users", string="Answered by", copy=False)

    def init(self):
        result = super().init()
        # the database itself refuses two live penalties of the same reason for a job
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS aftersales_partner_settlement_line_penalty_once
                ON aftersales_partner_settlement_line (visit_id, penalty_reason)
             WHERE line_type = 'penalty' AND state != 'cancel'
            """
        )
        return result

    @api.constrains("line_type", "penalty_id", "price_unit")
    def _check_penalty(self):
        for line in self:
            if line.line_type == "penalty" and (not line.penalty_id or not line.penalty_reason):
                raise ValidationError(_("A penalty line comes from a penalty rule: %(line)s has none.", line=line.name))
            if line.line_type == "penalty" and line.price_unit > 0:
                raise ValidationError(_("A penalty is deducted: %(line)s cannot add to the statement.", line=line.name))
            if line.line_type != "penalty" and line.penalty_id:
                raise ValidationError(_("Only penalty lines have a penalty rule: %(line)s.", line=line.name))

    @api.model
    def _guarded_fields(self):
        """The penalty and the dispute change by the settlement's actions and the dispute's actions only."""
        return super()._guarded_fields() | {
            "penalty_id",
            "penalty_reason",
            "penalty_amount",
            "penalty_waived",
            *DISPUTE_FIELDS,
        }

    def write(self, vals):
        self._check_penalty_write(vals)
        return super().write(vals)

    def _check_penalty_write(self, vals):
        """The amount of a penalty line, and a line turned into a penalty, are guarded like the penalty itself."""
        if self.env.su:
            return
        opened = self._unguarded_fields()
        if opened is None:
            return
        penalties = self.filtered(lambda line: line.line_type == "penalty")
        names = (PENALTY_LINE_FIELDS & set(vals)) - opened if penalties else set()
        changed = [name for name in names if penalties._guard_changes(name, vals[name])]
        if vals.get("line_type") == "penalty" and "line_type" not in opened and self - penalties:
            changed.append("line_type")
        if changed:
            raise (penalties or self)._guard_refusal(set(changed))

    # ------------------------------------------------------------------
    # Disputes
    # ------------------------------------------------------------------

    def _check_disputable(self):
        """The partner disputes a line of a confirmed statement not billed yet, once."""
        for line in self:
            if line.settlement_id.state == "billed":
                raise UserError(
                    _(
                        "Statement %(settlement)s is billed: its lines can no longer be disputed. Write to us about "
                        "it instead.",
                        settlement=line.settlement_id.name,
                    )
                )
            if line.settlement_id.state != "confirmed":
                raise UserError(
                    _("Statement %(settlement)s cannot be disputed now.", settlement=line.settlement_id.name)
                )
            if line.dispute_state:
                raise UserError(
                    _(
                        "The line %(line)s is already disputed (%(state)s).",
                        line=line.name,
                        state=dict(self._fields["dispute_state"]._description_selection(self.env))[line.dispute_state],
                    )
                )

    def _partner_dispute(self, reason):
        """The service partner's portal user disputes these lines of its statement.

        Called by the portal after it checked that the user may read the statement; the user must belong to
        the statement's partner. Posts the dispute on the statement and asks a dispatcher to answer it."""
        user = self.env.user
        if any(line.partner_id.commercial_partner_id != user.commercial_partner_id for line in self):
            raise AccessError(_("You can only dispute the lines of your own statements."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why you dispute this line."))
        self._check_disputable()
        now = fields.Datetime.now()
        lines = self.sudo()
        # the statement is confirmed and its lines locked: the dispute opens them
        with lines._unguard():
            lines.write(
                {
                    "dispute_state": "open",
                    "dispute_reason": reason,
                    "dispute_date": now,
                    "dispute_user_id": user.id,
                    "dispute_answer": False,
                    "dispute_answer_date": False,
                    "dispute_answer_user_id": False,
                }
            )
        for settlement in lines.settlement_id:
            settlement._after_dispute(lines.filtered(lambda line, s=settlement: line.settlement_id == s), reason)
        return True

    def _check_can_answer(self):
        if not self.env.su and not self.env.user.has_group("aftersales_service.aftersales_service_group_dispatcher"):
            raise AccessError(_("Only dispatchers and managers answer the disputes of the service partners."))
        self.check_access("write")
        for line in self:
            if line.dispute_state != "open":
                raise UserError(_("The line %(line)s has no open dispute to answer.", line=line.name))
            if line.settlement_id.state != "confirmed":
                raise UserError(
                    _(
                        "Statement %(settlement)s is no longer confirmed: its disputes cannot be answered.",
                        settlement=line.settlement_id.name,
                    )
                )

    def _answer_dispute(self, decision, answer, price_unit=None):
        """Accept or reject the partner's dispute of this line, with an answer the partner reads.

        Accepting waives a penalty; on a job or a part line it sets the amount to ``price_unit`` (the corrected
        price). An accepted dispute is written in the audit log."""
        self.ensure_one()
        self._check_can_answer()
        answer = (answer or "").strip()
        if not answer:
            raise UserError(_("Write the answer the partner reads."))
        if decision not in ("accepted", "rejected"):
            raise UserError(_("Accept or reject the dispute."))
        vals = {
            "dispute_state": decision,
            "dispute_answer": answer,
            "dispute_answer_date": fields.Datetime.now(),
            "dispute_answer_user_id": self.env.uid,
        }
        old_amount = self.price_subtotal
        if decision == "accepted":
            if self.line_type == "penalty":
                vals.update({"price_unit": 0.0, "penalty_waived": True})
            elif price_unit is not None:
                if price_unit < 0:
                    raise UserError(_("The corrected price of %(line)s cannot be negative.", line=self.name))
                vals["price_unit"] = price_unit
        # the statement is confirmed and its lines locked: the answer opens this line's fields only
        with self._unguard():
            self.write(vals)
        if decision == "accepted":
            self.env["aftersales.audit.log"]._audit(
                "settlement_dispute_accepted",
                self,
                answer,
                old=self.currency_id.format(old_amount),
                new=self.currency_id.format(self.price_subtotal),
            )
        self.settlement_id._after_dispute_answer(self)
        return True

    def action_answer_dispute(self):
        """The window where a dispatcher accepts or rejects the partner's dispute of this line."""
        self.ensure_one()
        self._check_can_answer()
        return {
            "type": "ir.actions.act_window",
            "name": _("Answer the Dispute"),
            "res_model": "aftersales.partner.settlement.line.answer",
            "view_mode": "form",
            "target": "new",
            "context": {"default_line_id": self.id},
        }
