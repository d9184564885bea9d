"""Every role tries to write every guarded field of every After-Sales document directly.

The documents are those of the database the suite runs on (the demo data and what earlier
tests committed); each role tries first a record it can read, else any record of the model.
"""

import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

ROLES = {
    "technician": "aftersales_service.aftersales_service_group_technician",
    "agent": "aftersales_service.aftersales_service_group_user",
    "dispatcher": "aftersales_service.aftersales_service_group_dispatcher",
    "manager": "aftersales_service.aftersales_service_group_manager",
    "accountant": "aftersales_service.aftersales_service_group_accountant",
    "parts clerk": "aftersales_parts.aftersales_parts_group_clerk",
    "portal": "base.group_portal",
}
MODULES = ("aftersales_service", "aftersales_warranty", "aftersales_parts")


class _Changed(Exception):
    """Rolls back a write that went through, once it is noted."""


def other_value(env, record, field):
    """A value of ``field`` other than the one ``record`` has, or ``None`` when there is none."""
    old = record[field.name]
    kind = field.type
    if kind == "selection":
        values = [value for value, _label in field._description_selection(env)]
        return next((value for value in values if value != old), None)
    if kind == "many2one":
        other = env[field.comodel_name].with_context(active_test=False).search([("id", "!=", old.id)], limit=1)
        return other.id or None
    if kind == "many2many":
        other = env[field.comodel_name].search([("id", "not in", old.ids)], limit=1)
        return [Command.link(other.id)] if other else None
    if kind == "boolean":
        return not old
    if kind in ("integer", "float", "monetary"):
        return (old or 0) + 7
    if kind == "date":
        return (old or fields.Date.today()) + datetime.timedelta(days=400)
    if kind == "datetime":
        return (old or fields.Datetime.now()) + datetime.timedelta(days=400)
    if kind in ("char", "text", "html"):
        return f"{old or ''} changed by hand"
    return None


def snapshot(record, field):
    value = record[field.name]
    return value.ids if field.relational else value


@tagged("post_install", "-at_install")
class TestWriteMatrix(TransactionCase):
    """No role changes a guarded field or a locked document by a direct write."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(
                cls.env, login=f"as_matrix_{role.replace(' ', '_')}", name=f"Matrix {role}", groups=group
            )
            for role, group in ROLES.items()
        }

    def _guarded_models(self):
        names = self.env["aftersales.guarded.mixin"]._inherit_children
        return sorted(name for name in names if not self.env[name]._abstract and not self.env[name]._transient)

    def test_every_document_with_a_status_guards_it(self):
        """A stored status of its own is changed by actions only, whoever writes."""
        guarded = set(self._guarded_models())
        missing = []
        for name in self.env.registry:
            model = self.env[name]
            field = model._fields.get("state")
            if model._abstract or model._transient or not field or not field.store or field.compute or field.related:
                continue
            if model._original_module not in MODULES:
                continue
            for role, user in self.users.items():
                if name not in guarded or "state" not in model.with_user(user)._guarded_fields():
                    missing.append(f"{name} ({role})")
        self.assertFalse(missing, "These documents let their status be written directly: %s" % ", ".join(missing))

    def test_no_role_writes_a_guarded_field(self):
        tried = refused = 0
        failures = []
        for name in self._guarded_models():
            anyone = self.env[name].with_context(active_test=False).search([], limit=1, order="id desc")
            for role, user in self.users.items():
                model = self.env[name].with_user(user)
                try:
                    readable = model.with_context(active_test=False).search([], limit=1, order="id desc")
                except AccessError:
                    readable = model.browse()
                record = (readable or anyone).sudo()
                if not record:
                    continue
                for field_name in sorted(model._guarded_fields()):
                    field = record._fields[field_name]
                    if not field.store and not field.inverse:
                        continue
                    value = other_value(self.env, record, field)
                    if value is None:
                        continue
                    before = snapshot(record, field)
                    tried += 1
                    try:
                        with self.env.cr.savepoint():
                            record.with_user(user).write({field_name: value})
                            self.env.flush_all()
                            raise _Changed()
                    except ValidationError as error:
                        failures.append(f"{name}.{field_name} by the {role}: only a constraint refused it ({error})")
                    except (AccessError, UserError):
                        refused += 1
                    except _Changed:
                        failures.append(f"{name}.{field_name} by the {role}: written")
                    record.invalidate_recordset()
                    self.assertEqual(snapshot(record, field), before, f"{name}.{field_name} changed")
        self.assertFalse(failures, "Direct writes that went through:\n%s" % "\n".join(failures))
        self.assertGreater(tried, 50, "The matrix tried too few writes to mean anything")
        self.assertEqual(refused, tried, "\n".join(failures))

    def test_no_role_changes_a_locked_document(self):
        tried = refused = 0
        failures = []
        for name in self._guarded_models():
            candidates = self.env[name].with_context(active_test=False).search([], limit=200, order="id desc")
            for role, user in self.users.items():
                model = self.env[name].with_user(user)
                locked = candidates.with_user(user)._filtered_access("read")._locked_records()[:1]
                if not locked:
                    continue
                exempt = model._lock_exempt_fields()
                texts = [
                    field
                    for field in model._fields.values()
                    if field.type in ("char", "text", "html")
                    and field.store
                    and not field.compute
                    and not field.related
                    and field.name not in exempt
                    and not field.name.startswith(("message_", "activity_"))
                ]
                for field in texts[:2]:
                    record = locked.sudo()
                    before = record[field.name]
                    tried += 1
                    try:
                        with self.env.cr.savepoint():
                            record.with_user(user).write({field.name: f"{before or ''} changed by hand"})
                            self.env.flush_all()
                            raise _Changed()
                    except (AccessError, UserError):
                        refused += 1
                    except _Changed:
                        failures.append(f"{name}.{field.name} of locked {record.display_name} by the {role}: written")
                    record.invalidate_recordset()
                    self.assertEqual(record[field.name], before)
        self.assertFalse(failures, "Locked documents changed:\n%s" % "\n".join(failures))
        self.assertTrue(tried, "No locked document was tried")
        self.assertEqual(refused, tried, "\n".join(failures))

    def test_no_role_writes_a_guarded_field_through_its_parent(self):
        """A line's guarded field written through its document's one2many is refused like a direct write,
        and nothing computed from it moves."""
        tried = refused = 0
        failures = []
        for name in self._guarded_models():
            Model = self.env[name]
            for o2m in Model._fields.values():
                if o2m.type != "one2many":
                    continue
                Line = self.env[o2m.comodel_name]
                if not hasattr(Line, "_guarded_fields"):
                    continue
                parent = Model.with_context(active_test=False).search([(o2m.name, "!=", False)], limit=1)
                line = parent[o2m.name][:1]
                if not line:
                    continue
                stored = [f for f in line._fields.values() if f.store and f.type not in ("one2many", "many2many")]
                for field_name in sorted(Line._guarded_fields())[:4]:
                    field = line._fields[field_name]
                    value = other_value(self.env, line, field)
                    if value is None or not field.store:
                        continue
                    before = {f.name: snapshot(line, f) for f in stored}
                    for role in ("agent", "manager", "parts clerk"):
                        tried += 1
                        try:
                            with self.env.cr.savepoint():
                                parent.with_user(self.users[role]).write(
                                    {o2m.name: [Command.update(line.id, {field_name: value})]}
                                )
                                self.env.flush_all()
                                raise _Changed()
                        except (AccessError, UserError, ValidationError):
                            refused += 1
                        except _Changed:
                            failures.append(f"{name}.{o2m.name}.{field_name} by the {role}: written")
                        self.env.invalidate_all()
                        after = {f.name: snapshot(line, f) for f in stored}
                        self.assertEqual(after, before, f"{o2m.comodel_name} {line.id} moved after {field_name}")
        self.assertFalse(failures, "Writes through a document that went through:\n%s" % "\n".join(failures))
        self.assertTrue(tried, "No line was tried through its document")
        self.assertEqual(refused, tried, "\n".join(failures))
