# Recall and service campaigns: every delivered unit of a product or batch gets a ticket (and a visit),
# and its owner an e-mail saying what to do.
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression

CAMPAIGN_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
# the units launched per call: the first batch at once, the others by the scheduled action
LAUNCH_BATCH = 200
LAUNCH_BATCH_PARAM = "aftersales_warranty.campaign_launch_batch"
MANAGER_GROUP = "aftersales_service.aftersales_service_group_manager"


class AftersalesCampaign(models.Model):
    _name = "aftersales.campaign"
    _description = "Recall or Service Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "id desc"
    _rec_names_search = ["reference", "name"]
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    reference = fields.Char(required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New"))
    kind = fields.Selection(
        [("recall", "Recall"), ("service", "Service Campaign")],
        required=True,
        default="recall",
        tracking=True,
        help="A recall fixes a safety or quality defect; a service campaign brings an improvement or a check.",
    )
    state = fields.Selection(CAMPAIGN_STATES, required=True, default="draft", readonly=True, tracking=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    batch_alert_id = fields.Many2one(
        "aftersales.batch.alert",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The batch failure alert this campaign answers.",
    )

    # The units concerned
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        check_company=True,
        domain="[('tracking', '=', 'serial')]",
        tracking=True,
    )
    unit_selection = fields.Selection(
        [("criteria", "Delivered Units Matching the Criteria"), ("manual", "Serial Numbers Chosen by Hand")],
        string="Choose Units",
        required=True,
        default="criteria",
    )
    batch = fields.Char(
        string="Manufacturing Batch",
        tracking=True,
        help="Only the units of this batch; leave empty for all batches.",
    )
    delivery_date_from = fields.Date(string="Delivered from")
    delivery_date_to = fields.Date(string="Delivered until")
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Serial Numbers",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
        help="The units chosen by hand; only those still with a customer are taken.",
    )

    # What happens to each unit
    customer_note = fields.Html(
        string="Message to the Owners",
        translate=True,
        help="What is wrong and what the owner should do; shown in the e-mail and on the customer portal, "
        "in the owner's language.",
    )
    unit_action = fields.Selection(
        [("ticket", "Open a Ticket"), ("visit", "Open a Ticket and Plan a Visit")],
        string="Action per Unit",
        required=True,
        default="ticket",
    )
    ticket_type_id = fields.Many2one("aftersales.ticket.type")
    visit_type_id = fields.Many2one("aftersales.visit.type")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail to the Owners",
        domain="[('model', '=', 'aftersales.ticket')]",
        default=lambda self: self.env.ref("aftersales_warranty.mail_template_campaign_owner", raise_if_not_found=False),
        help="Sent to the owner of each unit with an e-mail address, on its ticket; leave empty to e-mail nobody.",
    )
    note = fields.Html(string="Internal Notes")

    # Progress
    line_ids = fields.One2many("aftersales.campaign.line", "campaign_id", string="Units")
    line_count = fields.Integer(string="Units Count", compute="_compute_progress")
    todo_count = fields.Integer(string="To Do", compute="_compute_progress")
    notified_count = fields.Integer(string="Notified", compute="_compute_progress")
    done_count = fields.Integer(string="Done", compute="_compute_progress")
    refused_count = fields.Integer(string="Refused", compute="_compute_progress")
    unreachable_count = fields.Integer(string="Unreachable", compute="_compute_progress")
    progress = fields.Float(
        compute="_compute_progress",
        help="The share of the units settled: fixed, or refused by their owner.",
    )
    ticket_count = fields.Integer(string="Tickets", compute="_compute_progress")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("line_ids.state", "line_ids.ticket_id")
    def _compute_progress(self):
        counts = {}
        tickets = {}
        if self.ids:
            for campaign, state, count in self.env["aftersales.campaign.line"]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id", "state"], ["__count"]
            ):
                counts[campaign.id, state] = count
            tickets = {
                campaign.id: count
                for campaign, count in self.env["aftersales.campaign.line"]._read_group(
                    [("campaign_id", "in", self.ids), ("ticket_id", "!=", False)], ["campaign_id"], ["__count"]
                )
            }
        for campaign in self:
            key = campaign.id
            campaign.todo_count = counts.get((key, "to_do"), 0)
            campaign.notified_count = counts.get((key, "notified"), 0)
            campaign.done_count = counts.get((key, "done"), 0)
            campaign.refused_count = counts.get((key, "refused"), 0)
            campaign.unreachable_count = counts.get((key, "unreachable"), 0)
            campaign.line_count = sum(count for (cid, _state), count in counts.items() if cid == key)
            campaign.ticket_count = tickets.get(key, 0)
            settled = campaign.done_count + campaign.refused_count
            campaign.progress = 100.0 * settled / campaign.line_count if campaign.line_count else 0.0

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("unit_action", "visit_type_id")
    def _check_visit_type(self):
        for campaign in self:
            if campaign.unit_action == "visit" and not campaign.visit_type_id:
                raise ValidationError(
                    _("Campaign %(campaign)s plans a visit per unit: choose its visit type.", campaign=campaign.name)
                )

    @api.constrains("delivery_date_from", "delivery_date_to")
    def _check_delivery_dates(self):
        for campaign in self:
            if (
                campaign.delivery_date_from
                and campaign.delivery_date_to
                and campaign.delivery_date_from > campaign.delivery_date_to
            ):
                raise ValidationError(
                    _("The deliveries of campaign %(campaign)s must end after they start.", campaign=campaign.name)
                )

    @api.constrains("product_id")
    def _check_product_serial(self):
        for campaign in self:
            if campaign.product_id.tracking != "serial":
                raise ValidationError(
                    _(
                        "Campaigns follow units by serial number: %(product)s is not tracked by serial number.",
                        product=campaign.product_id.display_name,
                    )
                )

    @api.constrains("product_id", "lot_ids")
    def _check_lot_product(self):
        for campaign in self:
            wrong = campaign.lot_ids.filtered(lambda lot, c=campaign: lot.product_id != c.product_id)
            if wrong:
                raise ValidationError(
                    _(
                        "Serial numbers %(serials)s are not units of %(product)s.",
                        serials=", ".join(wrong.mapped("name")),
                        product=campaign.product_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD and guards
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"state", "reference", "batch_alert_id"}

    def _locked_records(self):
        return self.filtered(lambda campaign: campaign.state != "draft")

    @api.model
    def _lock_exempt_fields(self):
        return frozenset({"name", "user_id", "customer_note", "mail_template_id", "note", "lot_ids", "line_ids"})

    def _lock_refusal(self, field_names):
        return UserError(
            _(
                "Campaigns %(campaigns)s are launched: %(fields)s can no longer be changed. Cancel the campaign and "
                "start a new one instead.",
                campaigns=", ".join(self.mapped("display_name")[:5]),
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in field_names)),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._guard_check_create(vals_list)
        for vals in vals_list:
            if not vals.get("reference") or vals["reference"] == _("New"):
                company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
                vals["reference"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "aftersales.campaign"
                ) or _("New")
        with self._unguard("reference"):
            return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_launched(self):
        launched = self.filtered(lambda campaign: campaign.state != "draft")
        if launched:
            raise UserError(
                _(
                    "Cancel campaigns rather than deleting them, so their history stays: %(campaigns)s",
                    campaigns=", ".join(launched.mapped("display_name")),
                )
            )

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for campaign in self:
            if campaign.reference and campaign.reference != _("New"):
                campaign.display_name = f"{campaign.reference} - {campaign.name or ''}"
            else:
                campaign.display_name = campaign.name or ""

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_manager(self, action):
        """Only after-sales managers run a campaign's actions; the ACL on writing says the same."""
        self.check_access("write")
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only after-sales managers may %(action)s a campaign.", action=action))

    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda campaign: campaign.state not in allowed)
        if wrong:
            raise UserError(
                _(
                    "%(action)s is not possible for campaigns %(campaigns)s in their current state.",
                    action=action,
                    campaigns=", ".join(wrong.mapped("display_name")),
                )
            )

    def action_compute_units(self):
        """Fill in one line per unit still with a customer, with its current owner and address.

        Units already listed stay as they are; in a draft campaign the units that no longer match
        are dropped and the owners read again."""
        self._check_manager(_("compute the units of"))
        self._check_state(("draft", "running"), _("Computing the units"))
        Line = self.env["aftersales.campaign.line"]
        for campaign in self:
            lots = campaign._units_at_customers()
            existing = campaign.line_ids
            with Line._unguard():
                if campaign.state == "draft":
                    existing.filtered(lambda line, lots=lots: line.lot_id not in lots).unlink()
                    existing = existing.exists()
                    existing._refresh_owners()
                new_lots = lots - existing.lot_id
                owners = new_lots._aftersales_owners()
                Line.create([campaign._prepare_line_vals(lot, owners.get(lot.id)) for lot in new_lots])
            campaign._message_log(
                body=_(
                    "Units computed: %(count)s units, %(new)s new.",
                    count=len(campaign.line_ids),
                    new=len(new_lots),
                )
            )
        return True

    def action_launch(self):
        """Open a ticket (and a visit) for every unit and e-mail its owner: the first units at once, the
        others by the scheduled action."""
        self._check_manager(_("launch"))
        self._check_state(("draft",), _("Launching"))
        empty = self.filtered(lambda campaign: not campaign.line_ids)
        if empty:
            raise UserError(
                _(
                    "Compute the units of campaigns %(campaigns)s before launching them.",
                    campaigns=", ".join(empty.mapped("display_name")),
                )
            )
        with self._unguard("state"):
            self.write({"state": "running"})
        for campaign in self:
            campaign._message_log(body=_("Campaign launched for %(count)s units.", count=len(campaign.line_ids)))
        remaining = self._launch_lines(limit=self._launch_batch_size())
        if remaining:
            self.env.ref("aftersales_warranty.ir_cron_aftersales_campaign_launch").sudo()._trigger()
        return True

    def action_done(self):
        self._check_manager(_("close"))
        self._check_state(("running",), _("Closing"))
        with self._unguard("state"):
            self.write({"state": "done"})
        return True

    def action_cancel(self):
        """Stop the campaign: no more tickets or e-mails; those already opened stay with their agents."""
        self._check_manager(_("cancel"))
        self._check_state(("draft", "running"), _("Cancelling"))
        with self._unguard("state"):
            self.write({"state": "cancel"})
        return True

    def action_reset_draft(self):
        self._check_manager(_("reset"))
        self._check_state(("cancel",), _("Resetting to draft"))
        launched = self.filtered(lambda campaign: campaign.line_ids.ticket_id)
        if launched:
            raise UserError(
                _(
                    "Campaigns %(campaigns)s already opened tickets: start a new campaign instead.",
                    campaigns=", ".join(launched.mapped("display_name")),
                )
            )
        with self._unguard("state"):
            self.write({"state": "draft"})
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_warranty.aftersales_campaign_line_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"search_default_groupby_state": 1}
        return action

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"create": False}
        action["name"] = _("Tickets of %(campaign)s", campaign=self.display_name)
        return action

    def _notice_html(self):
        """The warning shown on a ticket or a serial number whose unit these campaigns still wait for."""
        if not self:
            return False
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        items = Markup().join(
            Markup("<li><strong>%s</strong>: %s</li>") % (kinds[campaign.kind], campaign.display_name)
            for campaign in self
        )
        return Markup("<p>%s</p><ul class='mb-0'>%s</ul>") % (
            _("This unit is part of a running campaign that is not done for it yet:"),
            items,
        )

    # ------------------------------------------------------------------
    # Selecting the units
    # ------------------------------------------------------------------

    def _unit_domain(self):
        """The done moves of the campaign's units to and from customers."""
        self.ensure_one()
        domain = [
            ("state", "=", "done"),
            ("company_id", "=", self.company_id.id),
            ("product_id", "=", self.product_id.id),
            ("lot_id", "!=", False),
            "|",
            ("location_dest_id.usage", "=", "customer"),
            ("location_id.usage", "=", "customer"),
        ]
        if self.unit_selection == "manual":
            return expression.AND([domain, [("lot_id", "in", self.lot_ids.ids)]])
        if self.batch:
            domain = expression.AND([domain, [("lot_id.aftersales_batch", "=", self.batch)]])
        return domain

    def _units_at_customers(self):
        """The serial numbers of the campaign still with a customer: their last done move went to a
        customer (a unit returned since is not concerned). The delivery dates filter on that move."""
        self.ensure_one()
        if self.unit_selection == "manual" and not self.lot_ids:
            return self.env["stock.lot"]
        # sudo: a manager reads the deliveries of the campaign's company without stock rights; checked above
        move_lines = (
            self.env["stock.move.line"]
            .sudo()
            .search_fetch(self._unit_domain(), ["lot_id", "date", "location_dest_id"], order="date, id")
        )
        last = {}
        for move_line in move_lines:
            last[move_line.lot_id.id] = move_line
        lot_ids = []
        for lot_id, move_line in last.items():
            if move_line.location_dest_id.usage != "customer":
                continue
            day = fields.Date.to_date(fields.Date.context_today(self, move_line.date))
            if self.unit_selection == "criteria" and (
                (self.delivery_date_from and day < self.delivery_date_from)
                or (self.delivery_date_to and day > self.delivery_date_to)
            ):
                continue
            lot_ids.append(lot_id)
        return self.env["stock.lot"].browse(lot_ids)

    def _prepare_line_vals(self, lot, owner_address):
        self.ensure_one()
        owner, address = owner_address or (self.env["res.partner"], self.env["res.partner"])
        return {
            "campaign_id": self.id,
            "lot_id": lot.id,
            "partner_id": owner.id,
            "address_id": address.id,
        }

    # ------------------------------------------------------------------
    # Launching
    # ------------------------------------------------------------------

    @api.model
    def _launch_batch_size(self):
        """How many units one call launches (system parameter ``aftersales_warranty.campaign_launch_batch``)."""
        value = self.env["ir.config_parameter"].sudo().get_param(LAUNCH_BATCH_PARAM)
        try:
            return max(int(value), 1) if value else LAUNCH_BATCH
        except ValueError:
            return LAUNCH_BATCH

    def _launch_lines(self, limit=LAUNCH_BATCH):
        """Open the tickets and visits of the next ``limit`` units of the running campaigns ``self`` and
        e-mail their owners; return how many units are left. A unit with a ticket is never done twice."""
        Line = self.env["aftersales.campaign.line"]
        domain = [("campaign_id", "in", self.ids), ("campaign_id.state", "=", "running"), ("ticket_id", "=", False)]
        lines = Line.search(domain, limit=limit, order="campaign_id, id")
        if not lines:
            return 0
        lines._launch()
        return Line.search_count(domain)

    @api.model
    def _cron_launch(self):
        """Open the tickets of the running campaigns a batch per call, until every unit has one."""
        campaigns = self.search([("state", "=", "running")])
        waiting = self.env["aftersales.campaign.line"].search_count(
            [("campaign_id", "in", campaigns.ids), ("ticket_id", "=", False)]
        )
        remaining = campaigns._launch_lines(limit=self._launch_batch_size())
        self.env["ir.cron"]._notify_progress(done=waiting - remaining, remaining=remaining)

    def _prepare_ticket_vals(self, line):
        """The ticket of one unit of the campaign."""
        self.ensure_one()
        return {
            "name": _("%(campaign)s: %(serial)s", campaign=self.name, serial=line.lot_id.name),
            "company_id": self.company_id.id,
            "partner_id": line.partner_id.id,
            "product_id": line.lot_id.product_id.id,
            "lot_id": line.lot_id.id,
            "ticket_type_id": self.ticket_type_id.id,
            "channel": "campaign",
            "priority": "2" if self.kind == "recall" else "1",
            "description": self.customer_note,
            "campaign_id": self.id,
        }

    def _prepare_visit_vals(self, line, ticket):
        self.ensure_one()
        return {
            "ticket_id": ticket.id,
            "visit_type_id": self.visit_type_id.id,
            "partner_id": (line.address_id or line.partner_id).id,
        }

    def _notify_owners(self, tickets):
        """E-mail the owners of ``tickets`` with the campaign's template, in their language, and say so on
        each ticket; the replies come back to the tickets."""
        self.ensure_one()
        template = self.mail_template_id
        if not template or not tickets:
            return
        template.send_mail_batch(tickets.ids)
        tickets._message_log_batch(
            bodies={
                ticket.id: Markup("<p>%s</p>")
                % _(
                    "Campaign %(campaign)s: %(owner)s was e-mailed.",
                    campaign=self.display_name,
                    owner=ticket.partner_id.display_name,
                )
                for ticket in tickets
            }
        )
