from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    _inherit = "res.users"

    aftersales_branch_ids = fields.Many2many(
        "aftersales.branch",
        "aftersales_branch_res_users_rel",
        "user_id",
        "branch_id",
        string="After-Sales Branches",
        help="The user sees only the tickets, visits, returns and transfers of these branches and of the "
        "branches below them; without a branch, the user works for headquarters and sees those of every branch.",
    )

    @api.constrains("aftersales_branch_ids", "company_ids")
    def _check_aftersales_branch_companies(self):
        for user in self:
            foreign = user.aftersales_branch_ids.filtered(
                lambda branch, companies=user.company_ids: branch.company_id not in companies
            )
            if foreign:
                raise ValidationError(
                    _(
                        "%(user)s cannot work in branches %(branches)s: add their companies to the user first.",
                        user=user.name,
                        branches=", ".join(foreign.mapped("display_name")),
                    )
                )

    def _get_invalidation_fields(self):
        # the record rules read the user's branches: they are cached until these change
        return super()._get_invalidation_fields() | {"aftersales_branch_ids"}

    def _aftersales_branches(self):
        """The branches the user is restricted to, archived ones included: the user's own branches and
        every branch below them; empty for headquarters (users in no branch or in a headquarters branch),
        who are not restricted.

        Read as superuser: the record rules of every user, portal users included, need
        them, and users may always know their own restriction."""
        self.ensure_one()
        if self._aftersales_is_headquarters():
            return self.env["aftersales.branch"]
        return self.sudo().with_context(active_test=False).aftersales_branch_ids._subtree()

    def _aftersales_is_headquarters(self):
        """Whether the user works for headquarters: in no branch, or in a branch of type headquarters."""
        self.ensure_one()
        own = self.sudo().with_context(active_test=False).aftersales_branch_ids
        return not own or "headquarters" in own.mapped("branch_type")

    def _aftersales_default_branch(self, company):
        """The branch a record created by the user in ``company`` falls in by default: the user's own
        branch there, not one below it."""
        self.ensure_one()
        branch_id = self._aftersales_default_branch_id(company.id)
        return self.env["aftersales.branch"].sudo().with_context(active_test=False).browse(branch_id)

    @tools.ormcache("self.id", "company_id")
    def _aftersales_default_branch_id(self, company_id):
        """Cached: every record created reads it. The cache is cleared when the user's branches
        change (``_get_invalidation_fields``) or a branch's users, company or place in the tree do."""
        own = self.sudo().with_context(active_test=False).aftersales_branch_ids
        return own.filtered(lambda branch: branch.company_id.id == company_id)[:1].id
