from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

# The sensitive actions written down. Other addons add theirs with ``selection_add``.
AUDIT_ACTIONS = [
    ("assignment_forced", "Forced Assignment"),
    ("ticket_reopened", "Ticket Reopened"),
    ("goodwill", "Goodwill Line"),
    ("commission_period_reopened", "Closed Commission Period Reopened"),
    ("visit_corrected", "Done Visit Corrected"),
    ("quotation_waived", "Visit Started Without Its Quotation"),
    ("settlement_dispute_accepted", "Statement Line Dispute Accepted"),
    # the actions of an addon that was uninstalled fall back to this one, their entries stay
    ("other", "Other Action"),
]


class AftersalesAuditLog(models.Model):
    _name = "aftersales.audit.log"
    _description = "After-Sales Audit Log"
    _order = "date desc, id desc"
    _rec_name = "res_name"

    date = fields.Datetime(required=True, readonly=True, index=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="restrict")
    action = fields.Selection(AUDIT_ACTIONS, required=True, readonly=True, index=True)
    res_model = fields.Char(string="Document Model", required=True, readonly=True, index=True)
    res_model_name = fields.Char(
        string="Document Type", compute="_compute_res_model_name", help="The name of the kind of document."
    )
    res_id = fields.Many2oneReference(string="Document ID", model_field="res_model", required=True, readonly=True)
    res_name = fields.Char(
        string="Document", readonly=True, index="trigram", help="The document's name when the action was taken."
    )
    old_value = fields.Char(readonly=True, help="The value before the action, where it applies.")
    new_value = fields.Char(readonly=True, help="The value after the action, where it applies.")
    reason = fields.Text(readonly=True, help="Why the user took this action.")

    @api.depends("res_model")
    def _compute_res_model_name(self):
        ir_models = self.env["ir.model"].sudo().search([("model", "in", list(set(self.mapped("res_model"))))])
        names = {model.model: model.name for model in ir_models}
        for entry in self:
            entry.res_model_name = names.get(entry.res_model, entry.res_model)

    # ------------------------------------------------------------------
    # CRUD: append only
    # ------------------------------------------------------------------

    def _uninstalling(self):
        """Only the uninstall of an addon, run as superuser, may change or remove entries
        (e.g. to map the actions of that addon to "Other Action")."""
        return self.env.su and self.env.context.get(MODULE_UNINSTALL_FLAG)

    def write(self, vals):
        if not self._uninstalling():
            raise UserError(_("Audit entries cannot be changed: they record what happened."))
        return super().write(vals)

    def unlink(self):
        if not self._uninstalling():
            raise UserError(_("Audit entries cannot be deleted: they record what happened."))
        return super().unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_document(self):
        """Open the document of the entry, within the user's own rights."""
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record:
            raise UserError(_("The document of this entry no longer exists."))
        record.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _audit(self, action, records, reason, old=None, new=None, require_reason=True):
        """Write down that the current user took ``action`` on ``records``, and why.

        ``reason`` is required unless ``require_reason`` is false; ``old`` and ``new`` are the
        values before and after the action (text, or a dict by record id). Call it after the
        action was allowed by the user's own rights: the entries are written as superuser
        because nobody, managers included, may create, change or delete them by hand.
        Returns the new entries.
        """
        return self._audit_many(
            [
                {
                    "action": action,
                    "record": record,
                    "reason": reason,
                    "old": _audit_value(old, record),
                    "new": _audit_value(new, record),
                    "require_reason": require_reason,
                }
                for record in records
            ]
        )

    @api.model
    def _audit_many(self, entries):
        """Write down several actions at once, in one ``create``.

        ``entries`` is a list of dicts with the keys ``action``, ``record``, ``reason`` and
        optionally ``old``, ``new`` (text) and ``require_reason`` (true by default).
        Returns the new entries.
        """
        labels = dict(self._fields["action"]._description_selection(self.env))
        missing = {}
        vals_list = []
        for entry in entries:
            record = entry["record"]
            reason = (entry.get("reason") or "").strip()
            if entry.get("require_reason", True) and not reason:
                missing.setdefault(entry["action"], []).append(record.display_name)
            company = record["company_id"] if "company_id" in record._fields else False
            vals_list.append(
                {
                    "user_id": self.env.uid,
                    "company_id": (company or self.env.company).id,
                    "action": entry["action"],
                    "res_model": record._name,
                    "res_id": record.id,
                    "res_name": record.display_name,
                    "old_value": _audit_value(entry.get("old"), record),
                    "new_value": _audit_value(entry.get("new"), record),
                    "reason": reason or False,
                }
            )
        for action, names in missing.items():
            raise UserError(
                _(
                    "Say why: a reason is required for %(action)s on %(documents)s.",
                    action=labels.get(action, action),
                    documents=", ".join(dict.fromkeys(names)),
                )
            )
        if not vals_list:
            return self.browse()
        # sudo: entries are written only through this helper, after the caller's own access checks
        return self.sudo().create(vals_list)


def _audit_value(value, record):
    if isinstance(value, dict):
        value = value.get(record.id)
    if value is None or value is False:
        return False
    return str(value)
