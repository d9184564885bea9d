"""The workshop job: a visit at the service centre on a unit the customer left at the counter.

It reuses what visits have (fees with their coverage, the quotation, parts, checklist, commissions,
follow-ups); its parts are consumed by the carry-in's repair order instead of a delivery, and the
field dispatch never plans it on a route.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    carry_in_ids = fields.One2many("aftersales.carry.in", "visit_id", string="Carry-in Repairs")
    carry_in_id = fields.Many2one(
        "aftersales.carry.in",
        string="Unit at the Service Centre",
        compute="_compute_carry_in_id",
        help="The carry-in repair this workshop job works on.",
    )
    workshop = fields.Boolean(
        string="Workshop Job",
        compute="_compute_workshop",
        store=True,
        precompute=True,
        index=True,
        help="A job at the service centre: the company's workshop visit type, or the job of a carry-in repair. "
        "The field dispatch does not plan it on the technicians' routes.",
    )

    @api.depends("carry_in_ids")
    def _compute_carry_in_id(self):
        for visit in self:
            visit.carry_in_id = visit.carry_in_ids[:1]

    @api.depends("visit_type_id", "company_id.aftersales_workshop_visit_type_id", "carry_in_ids")
    def _compute_workshop(self):
        for visit in self:
            workshop_type = visit.company_id.aftersales_workshop_visit_type_id
            visit.workshop = bool(visit.carry_in_ids or (workshop_type and visit.visit_type_id == workshop_type))

    @api.model
    def _guarded_fields(self):
        # computed from the visit type and the carry-in repair: a job is not taken off the workshop by hand
        return super()._guarded_fields() | {"workshop"}

    def _compute_map_url(self):
        # the unit is at the service centre: nobody drives to the customer's address for a workshop job
        workshop = self.filtered("workshop")
        workshop.map_url = False
        return super(AftersalesVisit, self - workshop)._compute_map_url()

    def _creation_message(self):
        if self.workshop:
            return _("Workshop job created")
        return super()._creation_message()

    # ------------------------------------------------------------------
    # Field dispatch: not for the workshop
    # ------------------------------------------------------------------

    def _plannable(self):
        return super()._plannable().filtered(lambda visit: not visit.workshop)

    @api.model
    def _dispatch_engine(self, technicians, first, last, exclude=None):
        # the workshop technicians stay at the service centre: never candidates on the road
        technicians = technicians.filtered(lambda technician: not technician.workshop)
        return super()._dispatch_engine(technicians, first, last, exclude=exclude)

    def _check_assignment(self, forcing=None):
        # a workshop job has no address to drive to nor zone: the carry-in's assignment checks skill and load
        return super(AftersalesVisit, self.filtered(lambda visit: not visit.workshop))._check_assignment(
            forcing=forcing
        )

    def _needs_time(self):
        # the unit waits at the service centre: the customer has no time to choose for the workshop job
        return not self.workshop and super()._needs_time()

    @api.model
    def _board_unassigned_domain(self, start, end, branch):
        return super()._board_unassigned_domain(start, end, branch) + [("workshop", "=", False)]

    # ------------------------------------------------------------------
    # Actions: the job drives its repair order
    # ------------------------------------------------------------------

    def action_on_my_way(self):
        workshop = self.filtered("workshop")
        if workshop:
            raise UserError(
                _(
                    "%(visit)s is a job at the service centre: the customer is not waiting for anyone to come.",
                    visit=workshop[0].name,
                )
            )
        return super().action_on_my_way()

    def action_start(self):
        result = super().action_start()
        # sudo: the technician has no rights on repair orders; his job starts the repair
        repairs = self.carry_in_ids.sudo().repair_id.filtered(lambda ro: ro.state == "confirmed")
        repairs.action_repair_start()
        return result

    def _after_done(self):
        result = super()._after_done()
        self.filtered(lambda visit: visit.carry_in_ids.repair_id)._finish_repair()
        return result

    def action_cancel(self):
        # sudo: the job's cancellation is checked by super; its repair order goes with it
        repairs = self.carry_in_ids.sudo().repair_id.filtered(lambda ro: ro.state not in ("done", "cancel"))
        result = super().action_cancel()
        repairs.action_repair_cancel()
        return result

    def action_view_aftersales_carry_in(self):
        self.ensure_one()
        return self.carry_in_id._get_records_action(name=_("Unit at the Service Centre"))

    # ------------------------------------------------------------------
    # Parts: from the repair order's moves
    # ------------------------------------------------------------------

    def _check_parts_available(self):
        """The parts of a workshop job are reserved by its repair order's moves for the parts clerk;
        the others are checked in their locations as usual."""
        workshop = self.filtered(lambda visit: visit.carry_in_ids.repair_id)
        result = super(AftersalesVisit, self - workshop)._check_parts_available()
        for visit in workshop:
            # sudo: the technician finishing his job reads the reservation of its repair order
            repair = visit.carry_in_ids.sudo().repair_id
            if repair.state not in ("confirmed", "under_repair"):
                # an order not confirmed reserves nothing yet, and the job does not finish it
                continue
            moves = repair.move_ids.filtered(lambda move: move.repair_line_type == "add" and move.state != "cancel")
            moves.filtered(lambda move: move.state not in ("assigned", "done"))._action_assign()
            short = moves.filtered(
                lambda move: (
                    float_compare(move.quantity, move.product_uom_qty, precision_rounding=move.product_uom.rounding) < 0
                )
            )
            if short:
                raise UserError(
                    _(
                        "The parts of repair order %(repair)s are not all in stock: %(parts)s. The parts clerk serves "
                        "them before the job is done.",
                        repair=repair.name,
                        parts=", ".join(short.product_id.mapped("display_name")),
                    )
                )
        return result

    def _finish_repair(self):
        """The job is done: its parts are billed on the fee order by the visit's flow, consumed by the
        repair order's moves, and the repair order is done (the unit stays at the centre, the
        customer's)."""
        for visit in self:
            carry_in = visit.carry_in_ids[:1]
            # sudo: the technician has no rights on repair orders nor sale orders; the job drives them
            repair = carry_in.sudo().repair_id
            for part in visit.part_ids.sudo().filtered(lambda part: not part.removed and part.move_id):
                sale_line = part.visit_line_id._live_sale_lines()[:1]
                if sale_line and part.move_id.sale_line_id != sale_line:
                    part.move_id.sale_line_id = sale_line
            if repair.state in ("confirmed", "under_repair"):
                repair.action_repair_done()
            repair.message_post(
                body=_("Repaired: workshop job %(visit)s is done.", visit=visit._get_html_link()),
                subtype_xmlid="mail.mt_note",
            )
