"""The end of a stay at the service centre: the final inspection, the ready notice, the hand-over
and the units nobody collects."""

from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"


class AftersalesCarryIn(models.Model):
    _inherit = "aftersales.carry.in"  # pylint: disable=consider-merging-classes-inherited

    part_warranty_ids = fields.One2many(
        "aftersales.part.warranty", "carry_in_id", string="Repair Warranties", readonly=True
    )
    amount_to_pay = fields.Monetary(
        compute="_compute_amount_to_pay",
        currency_field="fee_currency_id",
        help="What the customer pays at the pick-up: the fees of the workshop job, taxes included, covered "
        "lines at zero.",
    )
    fee_currency_id = fields.Many2one("res.currency", compute="_compute_amount_to_pay")

    def _compute_amount_to_pay(self):
        for carry_in in self:
            lines = carry_in._fee_sale_lines()
            carry_in.fee_currency_id = lines.currency_id[:1] or carry_in.company_id.currency_id
            carry_in.amount_to_pay = sum(lines.filtered(lambda line: line.state != "cancel").mapped("price_total"))

    # ------------------------------------------------------------------
    # Final inspection and ready
    # ------------------------------------------------------------------

    def _check_workshop_done(self):
        """Refuse the units whose workshop job or repair order is still open."""
        for carry_in in self:
            # sudo: the repair order's status, whoever marks the unit ready
            repair = carry_in.sudo().repair_id
            if carry_in.visit_id.state != "done" or (repair and repair.state not in ("done", "cancel")):
                raise UserError(
                    _(
                        "The workshop job of %(carry_in)s is not done: finish it (and its repair order) before "
                        "the unit is ready.",
                        carry_in=carry_in.name,
                    )
                )

    def _check_can_mark_ready(self):
        if not self.env.user.has_group(TECHNICIAN_GROUP):
            raise AccessError(_("Only the workshop technicians and the counter agents mark units ready."))
        self.check_access("write")
        self._check_stage(("in_repair",), _("Marking ready"))
        self._check_workshop_done()
        self._check_inspection_done()

    def action_mark_ready(self):
        """The workshop job is done and the final inspection passed: the customer may collect the unit."""
        self._check_can_mark_ready()
        self._set_ready()
        return True

    def _set_ready(self):
        self._set_stage("ready", ready_date=fields.Datetime.now())
        self._notify_ready()

    def _mark_ready_after_workshop(self):
        """Once their workshop job is done, the units without required final inspection checks are ready
        at once; the others wait for the inspection."""
        ready = self.filtered(
            lambda ci: (
                ci.state == "in_repair"
                and ci.visit_id.state == "done"
                and ci.sudo().repair_id.state in (False, "done", "cancel")
                and not ci.inspection_step_ids.filtered("required")
            )
        )
        ready._set_ready()
        return ready

    def _notify_ready(self):
        """E-mail the customers that their unit is ready to be collected (or goes back unrepaired), with
        the link to it on the portal; the e-mail is kept in the chatter."""
        result = super()._notify_ready()
        template = self.env.ref("aftersales_parts.mail_template_carry_in_ready", raise_if_not_found=False)
        if not template:
            return result
        # sudo: the action that called this was allowed; telling its customer follows from it
        carry_ins = self.sudo().filtered(lambda ci: ci.company_id.aftersales_notify_carry_in_ready)
        unreachable = carry_ins.filtered(lambda ci: not ci.partner_id.email)
        unreachable._message_log_batch(
            {
                carry_in.id: escape(
                    self.env._(
                        "%(customer)s has no e-mail address: they were not told that their unit is ready.",
                        customer=carry_in.partner_id.display_name,
                    )
                )
                for carry_in in unreachable
            }
        )
        for carry_in in carry_ins - unreachable:
            candidates = (carry_in.user_id.partner_id, carry_in.company_id.partner_id, self.env.user.partner_id)
            sender = next((partner for partner in candidates if partner.email), None)
            if not sender:
                carry_in._message_log(
                    body=escape(
                        self.env._(
                            "Nobody could tell %(customer)s that their unit is ready: neither you, the counter "
                            "agent nor the company has an e-mail address to write from.",
                            customer=carry_in.partner_id.display_name,
                        )
                    )
                )
                continue
            carry_in.message_post_with_source(
                template,
                email_layout_xmlid="mail.mail_notification_light",
                subtype_xmlid="mail.mt_comment",
                author_id=sender.id,
                email_from=sender.email_formatted,
            )
        return result

    def _portal_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/my/repairs/{self.id}"

    # ------------------------------------------------------------------
    # Hand-over
    # ------------------------------------------------------------------

    def _check_can_hand_over(self):
        self._check_counter_agent(_("Handing over"))
        self._check_stage(("ready",), _("Handing over"))
        unsigned = self.filtered(lambda ci: not ci.handover_signature)
        if unsigned:
            raise UserError(
                _(
                    "The customer must sign the hand-over of %(carry_in)s before taking the unit.",
                    carry_in=unsigned[0].name,
                )
            )

    def action_hand_over(self):
        """The customer collects the unit: it leaves by a delivery, the fees are invoiced, the repair
        warranty of the replaced parts starts and the follow-up and survey follow."""
        self._check_can_hand_over()
        now = fields.Datetime.now()
        for carry_in in self:
            # sudo: the agent hands over; the delivery, the invoice and the warranties are the consequences
            carry_in_sudo = carry_in.sudo()
            delivery = carry_in_sudo._create_delivery_picking()
            invoices = carry_in_sudo._invoice_fees()
            carry_in_sudo._start_part_warranties(fields.Date.context_today(carry_in))
            if invoices:
                carry_in.message_post(
                    body=Markup("%s %s")
                    % (
                        _("Fees invoiced, the invoice waits in Accounting to be posted:"),
                        Markup(", ").join(invoice._get_html_link() for invoice in invoices),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            carry_in_sudo.activity_unlink(["aftersales_parts.mail_activity_carry_in_not_collected"])
            carry_in._set_stage(
                "collected",
                collected_date=now,
                collected_by_id=self.env.user.id,
                delivery_picking_id=delivery.id,
                not_collected=False,
            )
        self._after_hand_over()
        return True

    def _after_hand_over(self):
        """The follow-up call and the satisfaction survey of the workshop jobs start at the pick-up, as
        those of the visits start when they are done."""
        visits = self.visit_id.filtered(lambda visit: visit.state == "done")
        # sudo: the follow-up call is planned for the ticket's agent, whoever hands over
        self.env["aftersales.followup"].sudo()._plan_for_visits(visits)
        for visit in visits.filtered("ticket_id"):
            visit.ticket_id._send_csat_survey("visit_done", visit=visit)

    def _create_delivery_picking(self):
        """Create and validate the delivery of the unit to its customer; the move line names the serial
        and the owner, so no other unit and nothing of ours leaves."""
        self.ensure_one()
        customers = self.env.ref("stock.stock_location_customers")
        picking = self._move_unit(self.warehouse_id.out_type_id, self.location_id, customers, self.lot_id)
        if not picking:
            raise UserError(
                _(
                    "The unit of %(carry_in)s is not in %(location)s: it cannot be handed over. Check its "
                    "reception %(picking)s.",
                    carry_in=self.name,
                    location=self.location_id.display_name,
                    picking=self.reception_picking_id.name or "-",
                )
            )
        return picking

    def _fee_sale_lines(self):
        """The sale order lines of the workshop job's fees: those billed from the job and its accepted
        quotation."""
        self.ensure_one()
        visit = self.visit_id.sudo()
        if not visit:
            return self.env["sale.order.line"]
        lines = self.env["sale.order.line"].sudo().search([("aftersales_visit_id", "=", visit.id)])
        if visit.quotation_id.state == "sale":
            lines |= visit.quotation_id.order_line
        return lines.filtered(lambda line: not line.display_type)

    def _invoice_fees(self):
        """Invoice the orders of the fees through the sale flow: draft invoices for the accountant, the
        covered lines at zero."""
        self.ensure_one()
        orders = self._fee_sale_lines().order_id.filtered(
            lambda order: order.state == "sale" and order.invoice_status == "to invoice"
        )
        if not orders:
            return self.env["account.move"]
        return orders._create_invoices()

    def _fitted_parts(self):
        """The parts fitted on the unit: ``(product, lot, quantity)`` of the repair order's added parts,
        else of the workshop job's parts not removed."""
        self.ensure_one()
        moves = self.repair_id.move_ids.filtered(lambda move: move.repair_line_type == "add" and move.state == "done")
        if moves:
            return [(move.product_id, move.move_line_ids.lot_id[:1], move.quantity) for move in moves]
        parts = self.visit_id.part_ids.filtered(lambda part: not part.removed)
        return [(part.product_id, part.lot_id, part.quantity) for part in parts]

    def _unit_warranty_policy(self):
        """The policy of the unit: its warranty's, else the one its product gets."""
        self.ensure_one()
        warranty = self.env["aftersales.warranty"].search(
            [("lot_id", "=", self.lot_id.id), ("lot_id", "!=", False)], order="end_date desc, id desc", limit=1
        )
        return warranty.policy_id or self.product_id._aftersales_warranty_policy()

    def _start_part_warranties(self, start):
        """Start the repair warranty of the parts fitted on the unit, where its policy gives one."""
        self.ensure_one()
        policy = self._unit_warranty_policy()
        end = policy and policy._repair_warranty_end(start)
        if not end or self.refused:
            return self.env["aftersales.part.warranty"]
        return self.env["aftersales.part.warranty"].create(
            [
                {
                    "carry_in_id": self.id,
                    "partner_id": self.partner_id.id,
                    "unit_product_id": self.product_id.id,
                    "unit_lot_id": self.lot_id.id,
                    "product_id": product.id,
                    "part_lot_id": lot.id,
                    "quantity": quantity,
                    "policy_id": policy.id,
                    "start_date": start,
                    "end_date": end,
                }
                for product, lot, quantity in self._fitted_parts()
            ]
        )

    # ------------------------------------------------------------------
    # Units not collected
    # ------------------------------------------------------------------

    @api.model
    def _cron_flag_not_collected(self):
        """Flag the units ready for longer than their company's collection delay, once: a note and an
        activity for their counter agent to call the customer."""
        now = fields.Datetime.now()
        candidates = self.search([("state", "=", "ready"), ("not_collected", "=", False), ("ready_date", "!=", False)])
        late = candidates.filtered(
            lambda ci: ci.ready_date + timedelta(days=max(ci.company_id.aftersales_collect_days, 0)) <= now
        )
        if not late:
            return late
        with late._unguard("not_collected"):
            late.write({"not_collected": True})
        late._message_log_batch(
            {
                carry_in.id: escape(
                    self.env._(
                        "Not collected: the unit has been ready for %(days)s days. Call the customer.",
                        days=(now - carry_in.ready_date).days,
                    )
                )
                for carry_in in late
            }
        )
        activity_type = self.env.ref("aftersales_parts.mail_activity_carry_in_not_collected")
        model = self.env["ir.model"]._get_id(self._name)
        # the counter agent, else the team leader, else the branch or after-sales manager: a real person,
        # never the cron's own user; with nobody, the note above stands alone
        by_route = {}
        for carry_in in late:
            route = (carry_in.company_id, carry_in.user_id, carry_in.ticket_id.team_id, carry_in.branch_id)
            if route not in by_route:
                company, agent, team, branch = route
                by_route[route] = company._aftersales_responsible_user(assignee=agent, team=team, branch=branch)
        callers = {
            carry_in: by_route[carry_in.company_id, carry_in.user_id, carry_in.ticket_id.team_id, carry_in.branch_id]
            for carry_in in late
        }
        # one batch, without an e-mail per activity: the agents find the calls in their activities
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model,
                    "res_id": carry_in.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._("Call %(customer)s to collect the unit", customer=carry_in.partner_id.name),
                    "user_id": caller.id,
                    "date_deadline": fields.Date.context_today(self),
                    "automated": True,
                }
                for carry_in, caller in callers.items()
                if caller
            ]
        )
        return late
