/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { CalendarController } from "@web/views/calendar/calendar_controller";
import { calendarView } from "@web/views/calendar/calendar_view";

const UNASSIGNED_DOMAIN = [
    ["state", "=", "draft"],
    ["technician_id", "=", false],
    // jobs offered to or taken by a service partner are not to plan
    ["partner_job_state", "not in", ["offered", "accepted", "done"]],
];
const PANEL_LIMIT = 40;

/**
 * The visits nobody does yet, beside the calendar: open one to choose its
 * technician, auto-assign it, or plan the whole day shown by the calendar.
 */
export class DispatchUnassignedPanel extends Component {
    static template = "aftersales_service.DispatchUnassignedPanel";
    static props = {
        date: Object,
        onChange: Function,
    };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.state = useState({ visits: [], count: 0 });
        onWillStart(() => this.load());
    }

    async load() {
        const [visits, count] = await Promise.all([
            this.orm.searchRead(
                "aftersales.visit",
                UNASSIGNED_DOMAIN,
                ["name", "partner_id", "visit_type_id", "scheduled_start", "ticket_id"],
                { limit: PANEL_LIMIT, order: "scheduled_start, id" }
            ),
            this.orm.searchCount("aftersales.visit", UNASSIGNED_DOMAIN),
        ]);
        this.state.visits = visits;
        this.state.count = count;
    }

    formatStart(visit) {
        return visit.scheduled_start
            ? formatDateTime(deserializeDateTime(visit.scheduled_start), { showSeconds: false })
            : "";
    }

    async refresh() {
        await Promise.all([this.props.onChange(), this.load()]);
    }

    open(visit) {
        this.action.doAction(
            {
                type: "ir.actions.act_window",
                res_model: "aftersales.visit",
                res_id: visit.id,
                views: [[false, "form"]],
                target: "new",
            },
            { onClose: () => this.refresh() }
        );
    }

    async autoAssign(visit) {
        if (!visit.scheduled_start) {
            this.open(visit);
            return;
        }
        await this.orm.call("aftersales.visit", "action_auto_assign", [[visit.id]]);
        await this.refresh();
    }

    planDay() {
        this.action.doAction("aftersales_service.aftersales_visit_plan_action", {
            additionalContext: { default_date: this.props.date.toISODate() },
            onClose: () => this.refresh(),
        });
    }
}

export class DispatchCalendarController extends CalendarController {
    static template = "aftersales_service.DispatchCalendarController";
    static components = { ...CalendarController.components, DispatchUnassignedPanel };

    async reloadCalendar() {
        await this.model.load();
    }
}

export const dispatchCalendarView = {
    ...calendarView,
    Controller: DispatchCalendarController,
};

registry.category("views").add("aftersales_dispatch_calendar", dispatchCalendarView);
