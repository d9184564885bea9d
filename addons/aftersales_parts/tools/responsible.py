"""Who receives the follow-up work (activities, validation requests) of a document.

A generic helper: it belongs in ``aftersales_service`` (beside ``tools/xlsx_export.py``) once
the other addons use it too.
"""

from odoo import SUPERUSER_ID

MANAGER_GROUP = "aftersales_service.aftersales_service_group_manager"


def is_real_user(user, company):
    """Whether ``user`` is a person who can act on the documents of ``company``: an active
    internal user of that company, neither OdooBot (the superuser) nor the public user."""
    user = user.sudo()  # the user's own flags only: whoever asks may not read other users' companies
    return bool(
        user
        and len(user) == 1
        and user.id != SUPERUSER_ID
        and user.active
        and not user.share
        and (not company or company in user.company_ids)
    )


def responsible_user(env, company, candidates):
    """The first real user of ``candidates`` (in order: the assignee or responsible, the team leader,
    the branch manager), else the company's first after-sales manager, else an empty recordset."""
    for user in candidates:
        for one in user or ():
            if is_real_user(one, company):
                return one.with_env(env)
    group = env.ref(MANAGER_GROUP, raise_if_not_found=False)
    if group:
        for manager in group.sudo().users.sorted("id"):
            if is_real_user(manager, company):
                return manager.with_env(env)
    return env["res.users"]
