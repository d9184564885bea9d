"""Helpers of the addons' migration scripts (``migrations/<version>/pre-migration.py``)."""

import logging

from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)


def rename_fields(cr, module, model, names):
    """Rename the fields ``names`` (``{old: new}``) that ``module`` defines on ``model``, keeping
    their data, before the module's new code is loaded: the column with its index and foreign key,
    the field's ``ir.model.fields`` record (its translations, tracking values and defaults follow)
    with its XML id and the XML ids of its selection values, the users' saved filters and export
    lists, the model's views and the ``object.<field>`` placeholders of its e-mail templates.

    Idempotent: a field already renamed is left as it is.
    """
    table = model.replace(".", "_")
    for old, new in names.items():
        if sql.column_exists(cr, table, old) and not sql.column_exists(cr, table, new):
            sql.rename_column(cr, table, old, new)
            _rename_index(cr, table, old, new)
            _rename_foreign_key(cr, table, old, new)
        cr.execute(
            SQL(
                """UPDATE ir_model_fields SET name = %(new)s
                    WHERE model = %(model)s AND name = %(old)s
                      AND NOT EXISTS (SELECT 1 FROM ir_model_fields WHERE model = %(model)s AND name = %(new)s)""",
                model=model,
                old=old,
                new=new,
            )
        )
        cr.execute(
            SQL(
                """UPDATE ir_model_data SET name = %(new)s
                    WHERE module = %(module)s AND model = 'ir.model.fields' AND name = %(old)s""",
                module=module,
                old=f"field_{table}__{old}",
                new=f"field_{table}__{new}",
            )
        )
        cr.execute(
            SQL(
                """UPDATE ir_model_data SET name = %(new)s || substr(name, length(%(old)s) + 1)
                    WHERE module = %(module)s AND model = 'ir.model.fields.selection'
                      AND starts_with(name, %(old)s)""",
                module=module,
                old=f"selection__{table}__{old}__",
                new=f"selection__{table}__{new}__",
            )
        )
        _rename_in_user_data(cr, model, old, new)
        _logger.info("%s: field %s renamed to %s", model, old, new)


def _rename_index(cr, table, old, new):
    old_index, new_index = sql.make_index_name(table, old), sql.make_index_name(table, new)
    if sql.index_exists(cr, old_index) and not sql.index_exists(cr, new_index):
        cr.execute(SQL("ALTER INDEX %s RENAME TO %s", SQL.identifier(old_index), SQL.identifier(new_index)))


def _rename_foreign_key(cr, table, old, new):
    old_key, new_key = sql.make_identifier(f"{table}_{old}_fkey"), sql.make_identifier(f"{table}_{new}_fkey")
    if sql.constraint_definition(cr, table, old_key) and not sql.constraint_definition(cr, table, new_key):
        cr.execute(
            SQL(
                "ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
                SQL.identifier(table),
                SQL.identifier(old_key),
                SQL.identifier(new_key),
            )
        )
        cr.execute(SQL("UPDATE ir_model_constraint SET name = %s WHERE name = %s AND type = 'f'", new_key, old_key))


def _rename_in_user_data(cr, model, old, new):
    """The field's name where it is saved in the database: the views of the model (the module's
    are loaded again from its files, but the views of the addons loaded after it are validated
    with them before), the users' filters (domain, grouping, order), export lists and the e-mail
    templates of the model."""
    cr.execute(
        SQL(
            """UPDATE ir_ui_view SET arch_db = regexp_replace(arch_db::text, %(word)s, %(new)s, 'g')::jsonb
                WHERE model = %(model)s AND arch_db::text ~ %(word)s""",
            word=rf"\m{old}\M",
            new=new,
            model=model,
        )
    )
    quoted = rf"""(['"]){old}(['".:\s])"""
    cr.execute(
        SQL(
            """UPDATE ir_filters
                  SET domain = regexp_replace(domain, %(quoted)s, %(repl)s, 'g'),
                      context = regexp_replace(context, %(quoted)s, %(repl)s, 'g'),
                      sort = regexp_replace(sort, %(quoted)s, %(repl)s, 'g')
                WHERE model_id = %(model)s""",
            quoted=quoted,
            repl=rf"\1{new}\2",
            model=model,
        )
    )
    cr.execute(
        SQL(
            """UPDATE ir_exports_line line
                  SET name = %(new)s || substr(line.name, length(%(old)s) + 1)
                 FROM ir_exports export
                WHERE export.id = line.export_id AND export.resource = %(model)s
                  AND (line.name = %(old)s OR starts_with(line.name, %(old)s || '/'))""",
            old=old,
            new=new,
            model=model,
        )
    )
    placeholder = rf"\mobject\.{old}\M"
    cr.execute(
        SQL(
            """UPDATE mail_template
                  SET subject = regexp_replace(subject::text, %(placeholder)s, %(repl)s, 'g')::jsonb,
                      body_html = regexp_replace(body_html::text, %(placeholder)s, %(repl)s, 'g')::jsonb
                WHERE model = %(model)s""",
            placeholder=placeholder,
            repl=f"object.{new}",
            model=model,
        )
    )
