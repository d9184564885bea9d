from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

BULLETIN_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("published", "Published"),
    ("archived", "Archived"),
]

BULLETIN_CATEGORIES = [
    ("technical", "Technical Note"),
    ("campaign", "Campaign"),
    ("price", "Price Change"),
    ("other", "Other"),
]

BULLETIN_AUDIENCES = [
    ("selected", "Chosen Branches and Partners"),
    ("network", "The Whole Network"),
]


class AftersalesBulletin(models.Model):
    """A bulletin that headquarters publishes to the network: branches (their users and those of the
    branches below them), service partners and dealers (their portal users), or the whole network.

    Publishing computes the recipients once and notifies them; each recipient's reading is recorded in
    ``aftersales.bulletin.read``."""

    _name = "aftersales.bulletin"
    _description = "Network Bulletin"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "planned_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    category = fields.Selection(BULLETIN_CATEGORIES, required=True, default="technical", tracking=True)
    body = fields.Html(sanitize_style=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "aftersales_bulletin_ir_attachment_rel",
        "bulletin_id",
        "attachment_id",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    author_id = fields.Many2one("res.users", default=lambda self: self.env.user, domain="[('share', '=', False)]")
    planned_date = fields.Date(
        string="Publishing Date",
        index=True,
        tracking=True,
        help="The day a scheduled bulletin is published (by the daily job), and the month of the publishing plan.",
    )
    end_date = fields.Date(
        string="Expires On",
        tracking=True,
        help="The day after which a published bulletin is archived: its recipients no longer see it.",
    )
    published_date = fields.Datetime(string="Published On", readonly=True, copy=False)
    state = fields.Selection(
        BULLETIN_STATES, required=True, default="draft", readonly=True, copy=False, index=True, tracking=True
    )
    audience = fields.Selection(BULLETIN_AUDIENCES, required=True, default="selected", tracking=True)
    branch_ids = fields.Many2many(
        "aftersales.branch",
        string="Branches",
        check_company=True,
        help="Their users and the users of the branches below them receive the bulletin.",
    )
    service_partner_ids = fields.Many2many(
        "res.partner",
        "aftersales_bulletin_service_partner_rel",
        "bulletin_id",
        "partner_id",
        string="Service Partners",
        domain="[('aftersales_service_partner', '=', True), ('is_company', '=', True)]",
        help="The portal users of these service companies receive the bulletin.",
    )
    dealer_ids = fields.Many2many(
        "res.partner",
        "aftersales_bulletin_dealer_rel",
        "bulletin_id",
        "partner_id",
        string="Dealers",
        domain="[('aftersales_dealer', '=', True), ('is_company', '=', True)]",
        help="The portal users of these dealers receive the bulletin.",
    )
    recipient_ids = fields.Many2many(
        "res.users",
        "aftersales_bulletin_res_users_rel",
        "bulletin_id",
        "user_id",
        string="Recipients",
        readonly=True,
        copy=False,
        help="The users the bulletin was published to, computed once when it was published.",
    )
    read_ids = fields.One2many("aftersales.bulletin.read", "bulletin_id", string="Read Log", readonly=True)
    unread_recipient_ids = fields.Many2many(
        "res.users", string="Not Read By", compute="_compute_read_stats", compute_sudo=True
    )
    recipient_count = fields.Integer(compute="_compute_read_stats", compute_sudo=True)
    read_count = fields.Integer(compute="_compute_read_stats", compute_sudo=True)
    is_read = fields.Boolean(
        string="Read", compute="_compute_is_read", search="_search_is_read", help="Whether you have read it."
    )
    is_recipient = fields.Boolean(compute="_compute_is_read")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("recipient_ids", "read_ids.user_id")
    def _compute_read_stats(self):
        for bulletin in self:
            readers = bulletin.read_ids.user_id
            bulletin.unread_recipient_ids = bulletin.recipient_ids - readers
            bulletin.recipient_count = len(bulletin.recipient_ids)
            bulletin.read_count = len(readers)

    @api.depends_context("uid")
    @api.depends("read_ids.user_id", "recipient_ids", "state")
    def _compute_is_read(self):
        user = self.env.user
        reads = (
            self.env["aftersales.bulletin.read"]
            .sudo()
            .search([("bulletin_id", "in", self.ids), ("user_id", "=", user.id)])
        )
        read_bulletins = set(reads.bulletin_id.ids)
        for bulletin in self:
            bulletin.is_read = bulletin.id in read_bulletins
            bulletin.is_recipient = bulletin._is_recipient(user)

    def _search_is_read(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search bulletins read or not read with Read is set / is not set."))
        positive = (operator == "=") == value
        reads = [("user_id", "=", self.env.uid)]
        return [("read_ids", "any" if positive else "not any", reads)]

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"state", "recipient_ids", "read_ids", "published_date"}

    def _locked_records(self):
        # once published, a bulletin is a record of what was said to whom
        return self.filtered(lambda bulletin: bulletin.state in ("published", "archived"))

    def _lock_refusal(self, field_names):
        return AccessError(
            _(
                "%(documents)s are published: %(fields)s can no longer be changed. Publish a new bulletin "
                "that corrects them.",
                documents=", ".join(self.mapped("display_name")[:5]),
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in field_names)),
            )
        )

    @api.model
    def _is_publisher(self, user=None):
        """Headquarters publishes: after-sales managers in no branch or in a headquarters branch."""
        user = user or self.env.user
        return (
            user.has_group("aftersales_service.aftersales_service_group_manager") and user._aftersales_is_headquarters()
        )

    @api.model
    def _check_publisher(self):
        if self.env.su:
            return
        if not self._is_publisher():
            raise AccessError(
                _(
                    "Only headquarters publishes bulletins: after-sales managers who work in no branch or in "
                    "the headquarters branch. "
                    "%(user)s cannot prepare or publish them.",
                    user=self.env.user.name,
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_publisher()
        return super().create(vals_list)

    def write(self, vals):
        self._check_publisher()
        return super().write(vals)

    @api.constrains("attachment_ids")
    def _check_attachments(self):
        """A bulletin hands out bulletins' files only (uploaded on it, or on the bulletin it was duplicated from):
        its recipients download them with a token and receive them by e-mail, so another document's attachment
        linked to it would leak to the network."""
        for bulletin in self:
            # sudo: the attachments linked, whoever may read them
            foreign = bulletin.sudo().attachment_ids.filtered(lambda attachment: attachment.res_model != self._name)
            if foreign:
                raise ValidationError(
                    _(
                        "Bulletin %(bulletin)s can only carry files uploaded on it, not %(files)s: upload them again.",
                        bulletin=bulletin.name,
                        files=", ".join(foreign.mapped("name")[:5]),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_published(self):
        if any(bulletin.state != "draft" for bulletin in self):
            raise UserError(_("Only draft bulletins are deleted; archive the others."))

    def _compute_access_url(self):
        for bulletin in self:
            bulletin.access_url = f"/my/bulletins/{bulletin.id}"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_audience(self):
        for bulletin in self:
            if bulletin.audience == "selected" and not (
                bulletin.branch_ids or bulletin.service_partner_ids or bulletin.dealer_ids
            ):
                raise UserError(
                    _(
                        "Choose who receives bulletin %(bulletin)s: branches, service partners, dealers, or "
                        "the whole network.",
                        bulletin=bulletin.name,
                    )
                )

    def action_schedule(self):
        self._check_publisher()
        for bulletin in self:
            if bulletin.state != "draft":
                raise UserError(_("Only draft bulletins are scheduled: %(bulletin)s is not.", bulletin=bulletin.name))
            if not bulletin.planned_date:
                raise UserError(_("Give bulletin %(bulletin)s a publishing date first.", bulletin=bulletin.name))
        self._check_audience()
        with self._unguard("state"):
            self.write({"state": "scheduled"})

    def action_reset_draft(self):
        self._check_publisher()
        if any(bulletin.state != "scheduled" for bulletin in self):
            raise UserError(_("Only scheduled bulletins go back to draft; published ones are archived."))
        with self._unguard("state"):
            self.write({"state": "draft"})

    def action_publish(self):
        """Compute the recipients once, publish and notify them."""
        self._check_publisher()
        for bulletin in self:
            if bulletin.state not in ("draft", "scheduled"):
                raise UserError(_("Bulletin %(bulletin)s is already published.", bulletin=bulletin.name))
        self._check_audience()
        now = fields.Datetime.now()
        for bulletin in self:
            recipients = bulletin._compute_recipients()
            if not recipients:
                raise UserError(
                    _(
                        "Nobody would receive bulletin %(bulletin)s: its branches have no users and its "
                        "partners no portal users.",
                        bulletin=bulletin.name,
                    )
                )
            vals = bulletin._prepare_publish_vals(recipients, now)
            with bulletin._unguard("state", "recipient_ids", "published_date"):
                bulletin.write(vals)
            bulletin._notify_recipients()
        return True

    def action_set_archived(self):
        self._check_publisher()
        if any(bulletin.state != "published" for bulletin in self):
            raise UserError(_("Only published bulletins are archived."))
        with self._unguard("state"):
            self.write({"state": "archived"})

    def action_mark_read(self):
        """Record that the current user read these bulletins (once). Only their recipients can."""
        user = self.env.user
        for bulletin in self:
            if bulletin.state != "published" or not bulletin._is_recipient(user):
                raise AccessError(
                    _(
                        "Bulletin %(bulletin)s is not addressed to you: your reading is not recorded.",
                        bulletin=bulletin.name,
                    )
                )
        Read = self.env["aftersales.bulletin.read"].sudo()
        done = set(Read.search([("bulletin_id", "in", self.ids), ("user_id", "=", user.id)]).bulletin_id.ids)
        now = fields.Datetime.now()
        Read.create(
            [
                {"bulletin_id": bulletin.id, "user_id": user.id, "partner_id": user.partner_id.id, "read_on": now}
                for bulletin in self
                if bulletin.id not in done
            ]
        )
        self.invalidate_recordset(["read_ids", "is_read"])
        return True

    def action_view_read_log(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_bulletin_read_action")
        action["domain"] = [("bulletin_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Recipients
    # ------------------------------------------------------------------

    def _is_recipient(self, user):
        """Whether the published bulletin is addressed to ``user``: computed at publishing, or the user is
        a portal user of a service partner or dealer it is addressed to (joined since)."""
        self.ensure_one()
        bulletin = self.sudo()
        if user in bulletin.recipient_ids:
            return True
        if not user.share:
            return False
        company = user.commercial_partner_id
        return company in (bulletin.service_partner_ids | bulletin.dealer_ids)

    def _compute_recipients(self):
        """The users the bulletin goes to, in a few queries whatever their number."""
        self.ensure_one()
        Users = self.env["res.users"].sudo()
        company = self.company_id
        if self.audience == "network":
            branches = self.env["aftersales.branch"].sudo().search([("company_id", "=", company.id)])
            internal = Users.search(
                [
                    ("share", "=", False),
                    ("company_ids", "in", company.id),
                    ("groups_id", "in", self.env.ref("aftersales_service.aftersales_service_group_technician").id),
                ]
            )
            partners_domain = [
                "|",
                ("partner_id.commercial_partner_id.aftersales_service_partner", "=", True),
                ("partner_id.commercial_partner_id.aftersales_dealer", "=", True),
            ]
        else:
            branches = self.sudo().branch_ids._subtree()
            internal = Users.browse()
            companies = self.sudo().service_partner_ids | self.sudo().dealer_ids
            partners_domain = [("partner_id.commercial_partner_id", "in", companies.ids)] if companies else None
        internal |= branches.user_ids | branches.technician_ids.user_id
        portal = Users.browse()
        if partners_domain:
            portal = Users.search(
                [
                    ("share", "=", True),
                    ("groups_id", "in", self.env.ref("base.group_portal").id),
                    "|",
                    ("partner_id.company_id", "=", False),
                    ("partner_id.company_id", "=", company.id),
                    *partners_domain,
                ]
            )
        return (internal | portal).filtered("active")

    def _prepare_publish_vals(self, recipients, now):
        return {"state": "published", "recipient_ids": [(6, 0, recipients.ids)], "published_date": now}

    def _notify_recipients(self):
        """One notification for all the recipients: Odoo mail sends one e-mail to each recipient's partner."""
        self.ensure_one()
        partners = self.sudo().recipient_ids.partner_id
        self.sudo().message_notify(
            partner_ids=partners.ids,
            subject=_("Bulletin: %(title)s", title=self.name),
            body=self.body or self.name,
            attachment_ids=self.sudo().attachment_ids.ids,
            author_id=self.author_id.partner_id.id or None,
            model_description=_("Bulletin"),
            mail_auto_delete=True,
        )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_publish_scheduled(self):
        """Publish the scheduled bulletins whose day has come; archive the published ones that expired."""
        today = fields.Date.context_today(self)
        due = self.search([("state", "=", "scheduled"), ("planned_date", "<=", today)])
        for bulletin in due:
            try:
                with self.env.cr.savepoint():
                    bulletin.action_publish()
            except UserError as error:
                bulletin.message_post(body=_("Not published: %(error)s", error=error.args[0]))
        expired = self.search([("state", "=", "published"), ("end_date", "!=", False), ("end_date", "<", today)])
        if expired:
            expired.action_set_archived()
