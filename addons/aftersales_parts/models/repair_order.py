from odoo import _, api, fields, models
from odoo.exceptions import UserError


class RepairOrder(models.Model):
    _name = "repair.order"
    _inherit = ["repair.order", "aftersales.guarded.mixin"]

    aftersales_rma_line_id = fields.Many2one(
        "aftersales.rma.line",
        string="Returned Unit",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The return line whose received unit this order repairs; the unit goes back to the customer "
        "once repaired.",
    )
    aftersales_rma_id = fields.Many2one(
        related="aftersales_rma_line_id.rma_id", store=True, index="btree_not_null", string="Return Authorization"
    )
    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket",
        string="After-Sales Ticket",
        index="btree_not_null",
        check_company=True,
        copy=False,
        help="The service ticket the returned unit came with.",
    )
    aftersales_carry_in_id = fields.Many2one(
        "aftersales.carry.in",
        string="Carry-in Repair",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The stay at the service centre of the customer's unit this order repairs; its workshop job "
        "starts and finishes the repair.",
    )

    @api.model
    def _guarded_fields(self):
        # the return line decides where the repaired unit goes back: set by the return's inspection only
        # the carry-in repair drives the order: linked by the approval of its estimate only
        return super()._guarded_fields() | {"aftersales_rma_line_id", "aftersales_carry_in_id"}

    def action_repair_done(self):
        result = super().action_repair_done()
        for repair in self.filtered(lambda ro: ro.state == "done" and ro.aftersales_rma_line_id):
            line = repair.aftersales_rma_line_id.sudo()
            if line.out_picking_ids.filtered(lambda p: p.state != "cancel"):
                continue
            picking = line._send_back()
            line.rma_id.message_post(
                body=_(
                    "%(product)s was repaired by %(repair)s and goes back to the customer with %(picking)s.",
                    product=line.product_id.display_name,
                    repair=repair._get_html_link(),
                    picking=picking._get_html_link(),
                )
            )
        return result

    def action_create_sale_order(self):
        carry_in_repairs = self.filtered("aftersales_carry_in_id")
        if carry_in_repairs:
            repair = carry_in_repairs[0]
            raise UserError(
                _(
                    "Repair order %(repair)s is billed through the estimate of %(carry_in)s: it gets no quotation "
                    "of its own.",
                    repair=repair.name,
                    carry_in=repair.aftersales_carry_in_id.name,
                )
            )
        return super().action_create_sale_order()

    def action_view_aftersales_carry_in(self):
        self.ensure_one()
        return self.aftersales_carry_in_id._get_records_action()

    def action_view_aftersales_rma(self):
        self.ensure_one()
        return self.aftersales_rma_id._action_form()
