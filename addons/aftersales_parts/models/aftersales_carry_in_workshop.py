"""The workshop side of a carry-in repair: the job given to a workshop technician, the diagnosis
and the estimate, the customer's approval or refusal, and the repair order of Odoo's repair app
that moves the parts from the centre's stock."""

from datetime import timedelta

from markupsafe import Markup
from pytz import utc

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import is_html_empty

USER_GROUP = "aftersales_service.aftersales_service_group_user"
# the stages where the workshop job may still be given to another technician
ASSIGNABLE_STATES = ("received", "diagnosed", "waiting_approval", "in_repair")
# how far ahead the first working hour of a workshop technician is looked for
WORKING_HOURS_HORIZON = timedelta(days=14)


class AftersalesCarryIn(models.Model):
    _inherit = "aftersales.carry.in"  # pylint: disable=consider-merging-classes-inherited

    visit_state = fields.Selection(related="visit_id.state", string="Job Status")

    # ------------------------------------------------------------------
    # Hooks of the flow
    # ------------------------------------------------------------------

    def _after_receive(self):
        """The unit is in the centre: its workshop job is created and given to a workshop technician."""
        result = super()._after_receive()
        self.filtered(lambda carry_in: not carry_in.visit_id)._create_workshop_job()
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_assign_technician(self):
        """Give the workshop job again to the workshop technician with the skill and the fewest jobs."""
        self._check_counter_agent(_("Assigning the workshop technician"))
        self._check_stage(ASSIGNABLE_STATES, _("Assigning the workshop technician"))
        started = self.visit_id.filtered(lambda visit: visit.state not in ("draft", "scheduled", "confirmed"))
        if started:
            raise UserError(
                _(
                    "Workshop job %(visits)s is started or closed: its technician no longer changes.",
                    visits=", ".join(started.mapped("name")),
                )
            )
        self.filtered(lambda carry_in: not carry_in.visit_id)._create_workshop_job()
        for carry_in in self.filtered("visit_id"):
            carry_in._assign_workshop_technician()
        return True

    def action_send_estimate(self):
        """Send the customer the estimate of the workshop job: its fees and its parts as an ordinary
        quotation, whose lines are covered (warranty, contract) or paid line by line as on a visit.
        With nothing to pay, the estimate is approved at once and the repair starts."""
        self.ensure_one()
        self._check_workshop_user(_("Sending the estimate"))
        self._check_stage(("received", "diagnosed"), _("Sending the estimate"))
        visit = self.visit_id
        if not visit:
            raise UserError(_("%(carry_in)s has no workshop job to estimate.", carry_in=self.name))
        if is_html_empty(self.diagnosis):
            raise UserError(_("Write the diagnosis of %(carry_in)s before sending the estimate.", carry_in=self.name))
        # the parts become billable lines now, so that the estimate shows them; the job bills no second line
        visit._create_part_lines()
        if not visit.line_ids:
            raise UserError(
                _(
                    "Record the labour, the fees and the parts of workshop job %(visit)s before sending the estimate.",
                    visit=visit.name,
                )
            )
        now = fields.Datetime.now()
        if not visit.line_ids._quotable():
            self._set_stage("diagnosed", diagnosed_date=now)
            self.message_post(
                body=_("Nothing to pay for the customer: the estimate is approved at once."),
                subtype_xmlid="mail.mt_note",
            )
            self._approve()
            return True
        visit.action_send_quotation()
        self._set_stage("waiting_approval", diagnosed_date=now)
        return True

    def action_accept_estimate(self):
        """The customer accepts the estimate at the counter: the agent confirms its quotation."""
        self._check_counter_agent(_("Accepting the estimate"))
        self._check_stage(("waiting_approval",), _("Accepting the estimate"))
        for carry_in in self:
            # sudo: the agent's rights are checked above; the counter agent may have no sales rights
            order = carry_in.visit_id.sudo().quotation_id
            if order.state not in ("draft", "sent"):
                raise UserError(
                    _(
                        "The estimate of %(carry_in)s is no longer waiting for the customer.",
                        carry_in=carry_in.name,
                    )
                )
            order.action_confirm()
            order.message_post(
                body=_("Accepted by the customer at the counter, with %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        # confirming the quotation approves the estimate (see sale.order); those not approved yet are now
        self.filtered(lambda carry_in: carry_in.state == "waiting_approval")._approve()
        return True

    def action_refuse_estimate(self):
        """Open the window where the agent gives the reason of the customer's refusal."""
        self._check_counter_agent(_("Refusing the estimate"))
        self._check_stage(("received", "diagnosed", "waiting_approval"), _("Refusing the estimate"))
        return {
            "type": "ir.actions.act_window",
            "name": _("Refuse the Estimate"),
            "res_model": "aftersales.carry.in.refuse",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_carry_in_ids": self.ids},
        }

    def action_view_visit(self):
        self.ensure_one()
        return self.visit_id._get_records_action(name=_("Workshop Job"))

    def action_view_repair(self):
        self.ensure_one()
        return self.repair_id._get_records_action(name=_("Repair Order"))

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------

    def _check_workshop_user(self, action):
        """``action`` is done by an agent or by the technicians of the workshop job."""
        self.check_access("write")
        user = self.env.user
        if self.env.su or user.has_group(USER_GROUP):
            return
        for carry_in in self:
            if user not in (carry_in.visit_id.technician_id | carry_in.visit_id.helper_ids).user_id:
                raise AccessError(
                    _(
                        "%(action)s for %(carry_in)s is done by its workshop technician or an after-sales agent.",
                        action=action,
                        carry_in=carry_in.name,
                    )
                )

    # ------------------------------------------------------------------
    # The workshop job
    # ------------------------------------------------------------------

    def _create_workshop_job(self):
        """Create the workshop job of each stay (a draft visit of the company's workshop visit type on
        the ticket) and give it to a workshop technician."""
        for carry_in in self:
            vals = carry_in._prepare_workshop_job_vals()
            if not vals:
                carry_in.message_post(
                    body=_(
                        "No workshop job created: choose the workshop visit type in the After-Sales settings, "
                        "then assign a technician."
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            visit = self.env["aftersales.visit"].create(vals)
            with carry_in._unguard("visit_id"):
                carry_in.visit_id = visit
            carry_in._assign_workshop_technician()

    def _prepare_workshop_job_vals(self):
        """Values of the workshop job of the stay; empty when the company has no workshop visit type."""
        self.ensure_one()
        visit_type = self.company_id.aftersales_workshop_visit_type_id
        if not visit_type:
            return {}
        return {
            "ticket_id": self.ticket_id.id,
            "visit_type_id": visit_type.id,
            "partner_id": self.partner_id.id,
        }

    def _workshop_candidates(self):
        """The active workshop technicians who may take the job, as ``[(technician, level, load)]``:
        those of the stay's branch (else of the company) with the skill level the job's type needs for
        the unit's category and the ticket's type, and their number of open workshop jobs."""
        self.ensure_one()
        visit = self.visit_id
        # sudo: the agent chooses among all the workshop technicians of the company, whatever he may read
        Technician = self.env["aftersales.technician"].sudo()
        domain = [("workshop", "=", True), ("company_id", "=", self.company_id.id)]
        technicians = (
            Technician.search(domain + [("branch_id", "=", self.branch_id.id)]) if self.branch_id else Technician
        )
        if not technicians:
            technicians = Technician.search(domain + ([("branch_id", "=", False)] if self.branch_id else []))
        required = int(visit.visit_type_id.skill_level or 0)
        category, ticket_type = self.product_id.categ_id, self.ticket_id.ticket_type_id
        skilled = [(technician, technician._skill_level(category, ticket_type)) for technician in technicians]
        skilled = [(technician, level) for technician, level in skilled if level and level >= required]
        loads = Technician.browse([technician.id for technician, _level in skilled])._open_workshop_jobs()
        if visit.technician_id:
            # the job itself is no load of the one who has it now
            loads[visit.technician_id.id] = loads.get(visit.technician_id.id, 0) - 1
        return [(technician, level, max(loads.get(technician.id, 0), 0)) for technician, level in skilled]

    def _assign_workshop_technician(self):
        """Give the job to the candidate with the fewest open workshop jobs (ties by name), from now or
        his next working hour, for the duration of the job's type; the chatter says why, or why not."""
        self.ensure_one()
        visit = self.visit_id
        candidates = sorted(self._workshop_candidates(), key=lambda c: (c[2], c[0].name or "", c[0].id))
        if not candidates:
            body = _(
                "No workshop technician of %(where)s has the skill for %(unit)s: workshop job %(visit)s stays "
                "unassigned. Check the workshop technicians and their skills, then assign it again.",
                where=self.branch_id.name or self.company_id.name,
                unit=self.product_id.display_name,
                visit=visit.name,
            )
            self.message_post(body=body, subtype_xmlid="mail.mt_note")
            visit.message_post(body=body, subtype_xmlid="mail.mt_note")
            return False
        technician, level, load = candidates[0]
        start = self._workshop_start(technician)
        duration = timedelta(hours=visit.visit_type_id.default_duration or 1.0)
        visit.write({"technician_id": technician.id, "scheduled_start": start, "scheduled_end": start + duration})
        if self.repair_id.state in ("draft", "confirmed", "under_repair"):
            # sudo: the repair order follows its job; agents have no rights on repair orders
            self.repair_id.sudo().user_id = technician.user_id
        levels = dict(self.env["aftersales.technician.skill"]._fields["level"]._description_selection(self.env))
        parts = [
            _("skill level: %(level)s", level=levels[str(level)]),
            _("%(count)s other open workshop jobs", count=load),
        ]
        others = [candidate.name for candidate, _level, _load in candidates[1:4]]
        if others:
            parts.append(_("next candidates: %(others)s", others=", ".join(others)))
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            _("Workshop job %(visit)s given to %(technician)s:", visit=visit.name, technician=technician.name),
            Markup("").join(Markup("<li>%s</li>") % part for part in parts),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        visit.message_post(body=body, subtype_xmlid="mail.mt_note")
        return technician

    def _workshop_start(self, technician, now=None):
        """Now, or the next working hour of the technician's calendar (naive UTC)."""
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        calendar = technician.resource_calendar_id
        if not calendar:
            return now
        begin = utc.localize(now)
        intervals = calendar._work_intervals_batch(begin, begin + WORKING_HOURS_HORIZON)[False]
        for start, stop, _meta in intervals:
            if stop > begin:
                return max(start, begin).astimezone(utc).replace(tzinfo=None)
        return now

    # ------------------------------------------------------------------
    # Approval and refusal
    # ------------------------------------------------------------------

    def _approve(self):
        """The customer approved the estimate (on the portal, at the counter, or nothing to pay): the
        repair starts with its repair order."""
        todo = self.filtered(lambda carry_in: carry_in.state in ("received", "diagnosed", "waiting_approval"))
        todo._set_stage("in_repair", approved_date=fields.Datetime.now())
        for carry_in in todo:
            repair = carry_in._create_repair_order()
            carry_in.message_post(
                body=_("Estimate approved: repair order %(repair)s.", repair=repair._get_html_link()),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _refuse(self, reason):
        """The customer refused the estimate: the job and its quotation are cancelled, the diagnosis fee
        is billed when the company charges one, and the unit is ready to go back unrepaired. Called
        after the caller's checks (the refusal window, or the customer's decline on the portal)."""
        self._check_stage(("received", "diagnosed", "waiting_approval"), _("Refusing the estimate"))
        now = fields.Datetime.now()
        # the stage first: the cancellation of the quotation below is no second refusal
        self._set_stage("ready", refused=True, refuse_reason=reason, ready_date=now)
        for carry_in in self:
            visit = carry_in.visit_id
            if visit.state not in ("done", "cancel"):
                visit.action_cancel()
            order_line = carry_in._bill_diagnosis_fee()
            body = _("Estimate refused: %(reason)s. The unit goes back unrepaired.", reason=reason)
            if order_line:
                body = _("%(body)s Diagnosis fee billed on %(order)s.", body=body, order=order_line.order_id.name)
            carry_in.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._notify_ready()
        return True

    def _bill_diagnosis_fee(self):
        """Bill the company's diagnosis fee on the ticket's service order; nothing without a fee product."""
        self.ensure_one()
        product = self.company_id.aftersales_diagnosis_fee_product_id
        if not product:
            return self.env["sale.order.line"]
        # sudo: the refusal is checked by the caller; the counter agent may have no sales rights
        order = self.ticket_id.sudo()._fee_order()
        line = self.env["sale.order.line"].sudo().create(self._prepare_diagnosis_fee_line_vals(order, product))
        if order.state in ("draft", "sent"):
            order.action_confirm()
        return line

    def _prepare_diagnosis_fee_line_vals(self, order, product):
        self.ensure_one()
        return {
            "order_id": order.id,
            "product_id": product.id,
            "product_uom_qty": 1.0,
            "name": _(
                "%(fee)s: %(unit)s (%(carry_in)s), estimate refused",
                fee=product.display_name,
                unit=self.product_id.display_name,
                carry_in=self.name,
            ),
        }

    # ------------------------------------------------------------------
    # The repair order
    # ------------------------------------------------------------------

    def _create_repair_order(self):
        """The repair order of Odoo's repair app for the stay: the unit repaired in the carry-in location
        where it stays, the job's parts as moves from the warehouse's stock, confirmed and reserved."""
        self.ensure_one()
        if self.repair_id:
            return self.repair_id
        # sudo: the approval is checked by the caller; agents and customers have no rights on repair orders
        Repair = self.env["repair.order"].sudo()
        with Repair._unguard("aftersales_carry_in_id"):
            repair = Repair.create(self._prepare_repair_vals())
        with self._unguard("repair_id"):
            self.repair_id = repair
        repair._action_repair_confirm()
        self.visit_id.part_ids.filtered(lambda part: not part.removed)._add_to_repair()
        return repair

    def _prepare_repair_vals(self):
        self.ensure_one()
        warehouse = self.warehouse_id.sudo()
        visit = self.visit_id
        return {
            "product_id": self.product_id.id,
            "product_qty": 1.0,
            "product_uom": self.product_id.uom_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "picking_type_id": warehouse.repair_type_id.id,
            "location_id": warehouse.lot_stock_id.id,
            "product_location_src_id": self.location_id.id,
            "product_location_dest_id": self.location_id.id,
            "user_id": visit.technician_id.user_id.id,
            "schedule_date": visit.scheduled_start or fields.Datetime.now(),
            "internal_notes": self.diagnosis,
            "aftersales_ticket_id": self.ticket_id.id,
            "aftersales_carry_in_id": self.id,
        }
