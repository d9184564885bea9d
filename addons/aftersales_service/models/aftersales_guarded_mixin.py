from collections import Counter
from contextlib import contextmanager

from odoo import Command, _, api, models
from odoo.exceptions import AccessError
from odoo.tools.misc import clean_context

# Fields that the ORM and the mail features write on any document, locked or not.
_ALWAYS_WRITABLE_PREFIXES = ("message_", "activity_", "website_message_")
_ALWAYS_WRITABLE = frozenset({"write_date", "write_uid", "__last_update", "rating_ids", "has_message"})

# Key of the transaction's cache that holds the open scopes ``{(model, field or None): depth}``.
_SCOPES_KEY = "aftersales_unguarded"


class AftersalesGuardedMixin(models.AbstractModel):
    """Workflow and bookkeeping fields that only the model's own actions change.

    A model declares them in :meth:`_guarded_fields`; a record that must not change any more
    (a done visit, a closed period) says so in :meth:`_locked_records`. A direct ``create`` or
    ``write`` that sets a guarded field to anything but its default, or that changes a locked
    record, is refused with an ``AccessError`` and changes nothing.

    The actions open the way for the fields they own with :meth:`_unguard`, a context manager
    kept in the transaction's cursor: a client can neither send it nor call it (it is private),
    so no context key or RPC call grants the privilege. The superuser (fixtures, data files,
    crons run as root and the uninstall) is not checked.
    """

    _name = "aftersales.guarded.mixin"
    _description = "After-Sales Fields Changed by Actions Only"

    # ------------------------------------------------------------------
    # Declarations, overridden by each model
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        """The fields that the current user may change only through the model's actions.

        Extend with ``super()``: ``return super()._guarded_fields() | {"state"}``. The set may
        depend on the user's groups (e.g. a visit's technician is guarded for technicians).
        """
        return frozenset()

    def _locked_records(self):
        """The records of ``self`` that are locked for the current user: none of their fields
        changes but through an action (see :meth:`_lock_exempt_fields`)."""
        return self.browse()

    @api.model
    def _lock_exempt_fields(self):
        """Fields still writable directly on a locked record (besides chatter and activities)."""
        return frozenset()

    # ------------------------------------------------------------------
    # The scope of an action
    # ------------------------------------------------------------------

    @contextmanager
    def _unguard(self, *field_names):
        """Let the code in the ``with`` block change ``field_names`` of this model (all the
        guarded fields and locked records of the model when none are named).

        Call it in an action, after the action's own checks::

            self._check_can_approve()
            with self._unguard("state", "approved_by_id"):
                self.write({"state": "approved", "approved_by_id": self.env.uid})
        """
        scopes = self.env.cr.cache.setdefault(_SCOPES_KEY, Counter())
        keys = [(self._name, name) for name in field_names] or [(self._name, None)]
        scopes.update(keys)
        try:
            yield
        finally:
            scopes.subtract(keys)
            scopes += Counter()  # drop the scopes that are closed

    def _unguarded_fields(self):
        """The fields of this model opened by the running actions; ``None`` means all."""
        scopes = self.env.cr.cache.get(_SCOPES_KEY)
        if not scopes:
            return frozenset()
        if scopes.get((self._name, None)):
            return None
        return frozenset(name for (model, name), depth in scopes.items() if model == self._name and depth > 0)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _guard_refusal(self, field_names, records=None):
        fields_desc = ", ".join(
            sorted(self._fields[name]._description_string(self.env) for name in field_names if name in self._fields)
        )
        names = ", ".join((records or self).mapped("display_name")[:5])
        return AccessError(
            _(
                "%(fields)s of %(documents)s can only be changed through the actions of the %(model)s "
                "(its buttons and wizards), which check that you may.",
                fields=fields_desc,
                documents=names or self._description,
                model=self._description,
            )
        )

    def _guard_check_write(self, vals):
        if self.env.su or not vals:
            return
        opened = self._unguarded_fields()
        if opened is None:
            return
        guarded = (self._guarded_fields() & set(vals)) - opened
        if guarded:
            changed = [name for name in guarded if self._guard_changes(name, vals[name])]
            if changed:
                raise self._guard_refusal(changed)
        locked = self._locked_records()
        if locked:
            exempt = self._lock_exempt_fields() | opened | _ALWAYS_WRITABLE
            touched = [
                name
                for name in vals
                if name not in exempt
                and not name.startswith(_ALWAYS_WRITABLE_PREFIXES)
                and locked._guard_changes(name, vals[name])
            ]
            if touched:
                raise locked._lock_refusal(touched)

    def _lock_refusal(self, field_names):
        """The error refusing to change ``field_names`` of the locked records ``self``; override it to
        say how the model's documents are corrected."""
        return AccessError(
            _(
                "%(documents)s are locked: %(fields)s can no longer be changed. A dispatcher or a "
                "manager corrects them through the Correct action, which asks why.",
                documents=", ".join(self.mapped("display_name")[:5]),
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in field_names)),
            )
        )

    def _closed_refusal(self, field_names):
        """The refusal of :meth:`_lock_refusal` for documents closed for good, which no action corrects."""
        return AccessError(
            _(
                "%(documents)s are closed: %(fields)s can no longer be changed.",
                documents=", ".join(self.mapped("display_name")[:5]),
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in field_names)),
            )
        )

    def _guard_changes(self, name, value):
        """Whether writing ``value`` to ``name`` changes any record of ``self``."""
        field = self._fields.get(name)
        if field is None or not self:
            return True
        for record in self:
            if field.type in ("one2many", "many2many"):
                old = set(record[name].ids)
                if self._guard_x2many_ids(value, old) != old:
                    return True
                continue
            new = field.convert_to_cache(value, record, validate=False)
            old = field.convert_to_cache(record[name], record, validate=False)
            if (old or False) != (new or False):
                return True
        return False

    @api.model
    def _guard_x2many_ids(self, value, old):
        """The ids that the x2many commands ``value`` leave on a record that holds ``old``, read without
        applying them: converting them to the cache would write the values of their updates into the
        cache of the lines, before the lines check them. A new line counts as a change; the values of an
        updated line are checked by the line's own model."""
        if isinstance(value, models.BaseModel):
            return set(value.ids)
        ids = set(old)
        for command in value or ():
            if not isinstance(command, (list, tuple)):
                ids.add(command)
                continue
            if command[0] == Command.CREATE:
                ids.add(None)
            elif command[0] in (Command.DELETE, Command.UNLINK):
                ids.discard(command[1])
            elif command[0] == Command.LINK:
                ids.add(command[1])
            elif command[0] == Command.CLEAR:
                ids = set()
            elif command[0] == Command.SET:
                ids = set(command[2] or ())
        return ids

    def _guard_check_create(self, vals_list):
        if self.env.su:
            return
        opened = self._unguarded_fields()
        if opened is None:
            return
        guarded = self._guarded_fields() - opened
        if not guarded:
            return
        # the defaults of the fields themselves: a default_* key in the context grants nothing
        plain = self.with_env(self.env(context=clean_context(self.env.context)))
        # a default_* key of a guarded field is checked as if it were given
        from_context = {
            name: self.env.context[f"default_{name}"] for name in guarded if f"default_{name}" in self.env.context
        }
        wrong = set()
        for vals in vals_list:
            for name in guarded.intersection(set(vals) | set(from_context)):
                value = vals[name] if name in vals else from_context[name]
                if not value:
                    continue
                default = plain.default_get([name]).get(name)
                if value != default:
                    wrong.add(name)
        if wrong:
            raise self._guard_refusal(wrong, records=self.browse())

    @api.model_create_multi
    def create(self, vals_list):
        self._guard_check_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._guard_check_write(vals)
        return super().write(vals)
