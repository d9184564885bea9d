from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

REQUEST_STATES = [
    ("draft", "Draft"),
    ("requested", "Requested"),
    ("done", "Received"),
    ("cancel", "Cancelled"),
]


class AftersalesPartsRequest(models.Model):
    _name = "aftersales.parts.request"
    _description = "Parts Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    technician_id = fields.Many2one(
        "aftersales.technician",
        index=True,
        check_company=True,
        tracking=True,
        compute="_compute_technician_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    visit_id = fields.Many2one("aftersales.visit", index="btree_not_null", check_company=True, tracking=True)
    branch_id = fields.Many2one(
        "aftersales.branch",
        compute="_compute_branch_id",
        store=True,
        index="btree_not_null",
        help="The technician's branch, or for a service partner's request, the branch of its job.",
    )
    ticket_id = fields.Many2one(
        "aftersales.ticket",
        index="btree_not_null",
        check_company=True,
        compute="_compute_ticket_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    service_partner_id = fields.Many2one(
        related="visit_id.service_partner_id", store=True, index="btree_not_null", string="Service Partner"
    )
    location_dest_id = fields.Many2one(
        "stock.location",
        string="Van",
        compute="_compute_location_dest_id",
        help="Where the parts go: the technician's van, or the service partner's consignment location.",
    )
    line_ids = fields.One2many("aftersales.parts.request.line", "request_id", string="Parts", copy=True)
    picking_id = fields.Many2one("stock.picking", string="Transfer", readonly=True, copy=False, index="btree_not_null")
    picking_state = fields.Selection(related="picking_id.state", string="Transfer Status")
    state = fields.Selection(
        REQUEST_STATES, compute="_compute_state", store=True, index=True, tracking=True, default="draft"
    )
    cancelled = fields.Boolean(copy=False, readonly=True)

    @api.depends("visit_id")
    def _compute_technician_id(self):
        for request in self:
            if request.visit_id.technician_id:
                request.technician_id = request.visit_id.technician_id

    @api.depends("technician_id.branch_id", "visit_id.branch_id")
    def _compute_branch_id(self):
        for request in self:
            request.branch_id = request.technician_id.branch_id or request.visit_id.branch_id

    @api.depends("technician_id.van_location_id", "service_partner_id.aftersales_partner_location_id")
    def _compute_location_dest_id(self):
        for request in self:
            request.location_dest_id = (
                request.technician_id.van_location_id
                if request.technician_id
                else request.service_partner_id.aftersales_partner_location_id
            )

    @api.constrains("technician_id", "visit_id")
    def _check_recipient(self):
        for request in self:
            if not request.technician_id and not request.service_partner_id:
                raise ValidationError(
                    _("Say which technician or service partner parts request %(request)s is for.", request=request.name)
                )

    @api.depends("visit_id")
    def _compute_ticket_id(self):
        for request in self:
            if request.visit_id:
                request.ticket_id = request.visit_id.ticket_id

    @api.depends("picking_id.state", "cancelled")
    def _compute_state(self):
        for request in self:
            if request.cancelled or request.picking_state == "cancel":
                request.state = "cancel"
            elif request.picking_state == "done":
                request.state = "done"
            elif request.picking_id:
                request.state = "requested"
            else:
                request.state = "draft"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.parts.request") or _("New")
        return super().create(vals_list)

    @api.model
    def _guarded_fields(self):
        """The transfer and the status follow the actions (request, cancel) and the transfer's validation."""
        return super()._guarded_fields() | {"picking_id", "cancelled", "state", "branch_id"}

    def _locked_records(self):
        """A request sent to the warehouse is what its transfer carries: it no longer changes."""
        return super()._locked_records() | self.filtered(lambda request: request.state != "draft")

    def _lock_refusal(self, field_names):
        return AccessError(
            _(
                "Parts requests %(requests)s are sent to the warehouse: %(fields)s can no longer be changed. "
                "Cancel the request and ask for the parts again.",
                requests=", ".join(self.mapped("display_name")[:5]),
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in field_names)),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_requested(self):
        if self.filtered("picking_id"):
            raise UserError(_("Cancel parts requests rather than deleting them once they are requested."))

    def action_request(self):
        """Ask the warehouse for the parts: an internal transfer from its stock to the van."""
        self.check_access("write")
        for request in self:
            if request.state != "draft":
                raise UserError(_("Parts request %(request)s is already sent.", request=request.name))
            user = self.env.user
            if (
                request.service_partner_id
                and not self.env.su
                and not user.has_group("aftersales_service.aftersales_service_group_dispatcher")
                and not user.has_group("aftersales_parts.aftersales_parts_group_clerk")
            ):
                raise AccessError(
                    _(
                        "A dispatcher or a parts clerk sends the parts request %(request)s of service partner "
                        "%(partner)s.",
                        request=request.name,
                        partner=request.service_partner_id.display_name,
                    )
                )
            van = request.location_dest_id
            if not van and not request.technician_id:
                raise UserError(
                    _(
                        "%(partner)s has no consignment location: set it on the service partner first.",
                        partner=request.service_partner_id.display_name,
                    )
                )
            if not van:
                raise UserError(
                    _(
                        "%(technician)s has no van location: create it on the technician first.",
                        technician=request.technician_id.name,
                    )
                )
            if not request.line_ids:
                raise UserError(_("Add the parts to request on %(request)s.", request=request.name))
            # a van sits in a warehouse; a consignment location outside any is filled by the branch's warehouse
            warehouse = van.sudo().warehouse_id or request.company_id._aftersales_warehouse(request.branch_id).sudo()
            picking = (
                self.env["stock.picking"]
                .sudo()
                .create(
                    {
                        "picking_type_id": warehouse.int_type_id.id,
                        "location_id": warehouse.lot_stock_id.id,
                        "location_dest_id": van.id,
                        "origin": request.name,
                        "company_id": request.company_id.id,
                        "aftersales_visit_id": request.visit_id.id,
                        "move_ids": [
                            Command.create(
                                {
                                    "name": line.product_id.display_name,
                                    "product_id": line.product_id.id,
                                    "product_uom_qty": line.quantity,
                                    "product_uom": line.product_id.uom_id.id,
                                    "location_id": warehouse.lot_stock_id.id,
                                    "location_dest_id": van.id,
                                    "company_id": request.company_id.id,
                                }
                            )
                            for line in request.line_ids
                        ],
                    }
                )
            )
            picking.action_confirm()
            picking.action_assign()
            with request._unguard("picking_id"):
                request.picking_id = picking
            request.message_post(
                body=_("Parts asked to the warehouse by %(picking)s.", picking=picking._get_html_link()),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_cancel(self):
        self.check_access("write")
        for request in self:
            if request.state == "done":
                raise UserError(
                    _("The parts of %(request)s are in the van: return them instead.", request=request.name)
                )
            if request.picking_id:
                request.picking_id.sudo().action_cancel()
            with request._unguard("cancelled"):
                request.cancelled = True
        return True

    def _ask_approval(self):
        """A request of a service partner waits in draft: the dispatcher who offered the job is asked to
        send it, else the leader of the ticket's team, else the branch's manager, else an after-sales
        manager of the company. With nobody to ask, the chatter says so and nothing is scheduled."""
        for request in self:
            asked = _(
                "Asked by %(partner)s on the portal: send it to reserve the parts.",
                partner=request.service_partner_id.display_name,
            )
            responsible = request._responsible()
            if not responsible:
                asked = _(
                    "%(asked)s Nobody can be asked to: the job has no dispatcher, its team no leader, its branch "
                    "no manager and the company no after-sales manager.",
                    asked=asked,
                )
            request.message_post(body=asked, subtype_xmlid="mail.mt_note")
            if responsible:
                request.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=responsible.id,
                    summary=_("Send the parts asked by %(partner)s", partner=request.service_partner_id.display_name),
                )

    def _responsible(self):
        """Who sends the request: the dispatcher who offered the job, else the leader of the ticket's
        team, else the manager of the request's branch, else an after-sales manager of the company."""
        self.ensure_one()
        request = self.sudo()  # who dispatches, leads or manages, not what they see
        return request.company_id._aftersales_responsible_user(
            assignee=request.visit_id.partner_dispatcher_id, team=request.ticket_id.team_id, branch=request.branch_id
        )

    def _check_draft(self):
        sent = self.filtered(lambda request: request.state != "draft")
        if sent:
            raise UserError(
                _(
                    "Parts requests %(requests)s are sent: request other parts separately.",
                    requests=", ".join(sent.mapped("name")),
                )
            )

    def action_view_picking(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": self.picking_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
