"""Values sent by a client (a form's onchange): only the records the user may read count."""

from odoo import Command


def _readable_ids(comodel, ids):
    ids = [rid for rid in ids if isinstance(rid, int)]
    return set(comodel.browse(ids)._filtered_access("read").ids) if ids else set()


def drop_unreadable(model, values):
    """A copy of ``values`` (field name: value, as the web client sends them to ``onchange``) without
    the records of relational fields that the current user may not read: a many2one becomes empty,
    x2many commands on them are left out, values of lines are cleaned the same way.

    The computes and related fields of the form read their sources as superuser or follow them;
    given only readable records, they return nothing of the others.
    """
    clean = {}
    for name, value in values.items():
        field = model._fields.get(name)
        if not field or not field.relational or not value:
            clean[name] = value
            continue
        comodel = model.env[field.comodel_name]
        if field.type == "many2one":
            if isinstance(value, dict):
                # the values of a parent record (the form of a line)
                record_id = value.get("id")
                if isinstance(record_id, int) and not _readable_ids(comodel, [record_id]):
                    clean[name] = False
                else:
                    clean[name] = drop_unreadable(comodel, value)
            elif isinstance(value, int):
                clean[name] = value if _readable_ids(comodel, [value]) else False
            else:
                clean[name] = value
            continue
        commands = []
        for command in value if isinstance(value, list | tuple) else []:
            if not isinstance(command, list | tuple) or not command:
                continue
            code = command[0]
            if code == Command.SET:
                commands.append((code, 0, sorted(_readable_ids(comodel, command[2] or []))))
            elif code in (Command.CREATE, Command.UPDATE):
                record_id = command[1]
                if code == Command.UPDATE and isinstance(record_id, int) and not _readable_ids(comodel, [record_id]):
                    continue
                commands.append((code, record_id, drop_unreadable(comodel, command[2] or {})))
            elif code == Command.LINK:
                if _readable_ids(comodel, [command[1]]):
                    commands.append(tuple(command))
            else:
                commands.append(tuple(command))
        clean[name] = commands
    return clean
