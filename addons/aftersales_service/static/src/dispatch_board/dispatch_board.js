/** @odoo-module **/

import { Component, onWillStart, useRef, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useDraggable } from "@web/core/utils/draggable";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

// a drop lands on a quarter of an hour
const STEP_MINUTES = 15;
const BOARD_MODEL = "aftersales.visit";

/**
 * Asked when the planning rules refuse a move: the rule's message, and the
 * reason for which the dispatcher forces the assignment anyway.
 */
export class DispatchBoardForceDialog extends Component {
    static template = "aftersales_service.DispatchBoardForceDialog";
    static components = { Dialog };
    static props = {
        close: Function,
        message: String,
        confirm: Function,
    };

    setup() {
        this.state = useState({ reason: "", busy: false });
    }

    async onForce() {
        if (!this.state.reason.trim() || this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            await this.props.confirm(this.state.reason.trim());
        } finally {
            this.state.busy = false;
        }
        this.props.close();
    }
}

/**
 * The dispatch board: a lane per technician over a day or a week, the
 * unassigned visits of the period beside them. Drag a card onto a lane at a
 * time to give the visit to that technician: the server checks the planning
 * rules and says why it refuses; a dispatcher may then force it with a reason.
 */
export class DispatchBoard extends Component {
    static template = "aftersales_service.DispatchBoard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        const context = this.props.action.context || {};
        this.state = useState({
            mode: context.aftersales_board_mode === "week" ? "week" : "day",
            anchor: DateTime.local().startOf("day"),
            branchId: false,
            data: null,
            busy: false,
            dragging: null,
            hover: null,
        });
        onWillStart(() => this.load());
        // pointer events rather than the browser's drag and drop: they work on touch screens and in tours
        this.boardRef = useRef("board");
        useDraggable({
            ref: this.boardRef,
            elements: ".o_aftersales_board_card_movable",
            cursor: "grabbing",
            onDragStart: (params) => this.onDragStart(params),
            onDrag: (params) => this.onDrag(params),
            onDragEnd: () => this.onDragEnd(),
            onDrop: (params) => this.onDrop(params),
        });
    }

    // ------------------------------------------------------------------
    // Period
    // ------------------------------------------------------------------

    get period() {
        if (this.state.mode === "week") {
            const first = this.state.anchor.startOf("week");
            return [first, first.plus({ days: 6 })];
        }
        return [this.state.anchor, this.state.anchor];
    }

    get periodLabel() {
        const [first, last] = this.period;
        if (this.state.mode === "day") {
            return first.toLocaleString({ weekday: "long", day: "numeric", month: "long", year: "numeric" });
        }
        return `${first.toLocaleString({ day: "numeric", month: "short" })} - ${last.toLocaleString({
            day: "numeric",
            month: "short",
            year: "numeric",
        })}`;
    }

    get hours() {
        const data = this.state.data;
        const hours = [];
        for (let hour = data.hour_from; hour < data.hour_to; hour++) {
            hours.push(hour);
        }
        return hours;
    }

    get spanMinutes() {
        return (this.state.data.hour_to - this.state.data.hour_from) * 60;
    }

    periodArgs() {
        const [first, last] = this.period;
        return [first.toISODate(), last.toISODate(), this.state.branchId || false];
    }

    async load() {
        this.state.data = await this.orm.call(BOARD_MODEL, "aftersales_board_data", this.periodArgs());
    }

    async setMode(mode) {
        this.state.mode = mode;
        await this.load();
    }

    async shift(direction) {
        const unit = this.state.mode === "week" ? { weeks: direction } : { days: direction };
        this.state.anchor = this.state.anchor.plus(unit);
        await this.load();
    }

    async goToday() {
        this.state.anchor = DateTime.local().startOf("day");
        await this.load();
    }

    async openDay(day) {
        this.state.anchor = DateTime.fromISO(day.date);
        this.state.mode = "day";
        await this.load();
    }

    async onBranchChange(ev) {
        this.state.branchId = parseInt(ev.target.value) || false;
        await this.load();
    }

    // ------------------------------------------------------------------
    // Cards
    // ------------------------------------------------------------------

    cardStyle(card) {
        const from = this.state.data.hour_from * 60;
        const left = ((card.start_minute - from) / this.spanMinutes) * 100;
        const width = (Math.max(card.duration_minutes, STEP_MINUTES) / this.spanMinutes) * 100;
        return `left: ${Math.max(left, 0)}%; width: ${Math.min(width, 100 - Math.max(left, 0))}%;`;
    }

    hourStyle(hour) {
        return `left: ${(((hour - this.state.data.hour_from) * 60) / this.spanMinutes) * 100}%;`;
    }

    kmText(km) {
        return km === null || km === undefined ? "?" : `${km.toFixed(1)}`;
    }

    dayKmText(laneDay) {
        if (!laneDay.count) {
            return "";
        }
        if (!laneDay.km_unknown) {
            return `${laneDay.km.toFixed(1)} km`;
        }
        return laneDay.km ? `${laneDay.km.toFixed(1)} + ? km` : "? km";
    }

    laneLoad(lane) {
        const days = Object.values(lane.days);
        return {
            count: days.reduce((total, day) => total + day.count, 0),
            over: days.some((day) => day.over),
        };
    }

    visitCountText(count) {
        return count === 1 ? _t("1 visit") : _t("%(count)s visits", { count });
    }

    weekLoadTitle(lane) {
        return _t("Visits planned in the period shown; at most %(capacity)s a day", { capacity: lane.capacity });
    }

    loadClass(laneDay) {
        if (laneDay.over) {
            return "text-bg-danger";
        }
        return laneDay.count >= laneDay.capacity ? "text-bg-warning" : "text-bg-light";
    }

    slaClass(card) {
        return (
            {
                on_time: "text-bg-success",
                at_risk: "text-bg-warning",
                breached: "text-bg-danger",
            }[card.sla_status] || "text-bg-light"
        );
    }

    slaTitle(card) {
        return card.sla_deadline ? _t("Solve by %(deadline)s", { deadline: card.sla_deadline }) : "";
    }

    cardTitle(card) {
        return [card.name, card.partner, card.city, card.type, card.time, this.slaTitle(card), card.state_label]
            .filter(Boolean)
            .join(" · ");
    }

    openVisit(card) {
        this.action.doAction(
            {
                type: "ir.actions.act_window",
                res_model: BOARD_MODEL,
                res_id: card.id,
                views: [[false, "form"]],
                target: "new",
            },
            { onClose: () => this.load() }
        );
    }

    // ------------------------------------------------------------------
    // Drag and drop
    // ------------------------------------------------------------------

    cardById(visitId) {
        const data = this.state.data;
        for (const lane of data.lanes) {
            for (const day of Object.values(lane.days)) {
                const card = day.cards.find((c) => c.id === visitId);
                if (card) {
                    return card;
                }
            }
        }
        return data.unassigned.find((c) => c.id === visitId) || null;
    }

    /** The lane, day and minute of the day (from midnight) under the point ``x``, ``y``; null outside the lanes. */
    slotAt(x, y) {
        // by the lanes' boxes: the dragged card is under the pointer
        const zone = [...this.boardRef.el.querySelectorAll(".o_aftersales_board_drop")].find((el) => {
            const rect = el.getBoundingClientRect();
            return rect.left <= x && x < rect.right && rect.top <= y && y < rect.bottom;
        });
        if (!zone) {
            return null;
        }
        const laneId = parseInt(zone.closest(".o_aftersales_board_lane").dataset.technicianId);
        const lane = this.state.data.lanes.find((l) => l.id === laneId);
        const day = this.state.data.days.find((d) => d.date === zone.dataset.day);
        if (!lane || !day) {
            return null;
        }
        const rect = zone.getBoundingClientRect();
        // the lanes scroll under the technicians' names: a drop there is no time of the day
        const names = this.boardRef.el.querySelector(".o_aftersales_board_lane .o_aftersales_board_lane_name");
        if (names && x < names.getBoundingClientRect().right) {
            return null;
        }
        const ratio = rect.width ? Math.min(Math.max((x - rect.left) / rect.width, 0), 0.999) : 0;
        const minute = this.state.data.hour_from * 60 + ratio * this.spanMinutes;
        return { lane, day, minute: Math.floor(minute / STEP_MINUTES) * STEP_MINUTES };
    }

    onDragStart({ element }) {
        this.state.dragging = this.cardById(parseInt(element.dataset.visitId));
    }

    onDrag({ x, y }) {
        const slot = this.slotAt(x, y);
        const hover = this.state.hover;
        if (!slot) {
            this.state.hover = null;
        } else if (
            !hover ||
            hover.laneId !== slot.lane.id ||
            hover.day !== slot.day.date ||
            hover.minute !== slot.minute
        ) {
            this.state.hover = { laneId: slot.lane.id, day: slot.day.date, minute: slot.minute };
        }
    }

    onDragEnd() {
        this.state.dragging = null;
        this.state.hover = null;
    }

    async onDrop({ x, y }) {
        const card = this.state.dragging;
        const slot = this.slotAt(x, y);
        this.onDragEnd();
        if (!card || !slot) {
            return;
        }
        const start = DateTime.fromSQL(slot.day.start_utc, { zone: "utc" })
            .plus({ minutes: slot.minute })
            .toFormat("yyyy-MM-dd HH:mm:ss");
        await this.move(card, slot.lane, start);
    }

    minuteText(minute) {
        return DateTime.fromObject({ hour: Math.floor(minute / 60), minute: minute % 60 }).toLocaleString(
            DateTime.TIME_SIMPLE
        );
    }

    isHovered(lane, day) {
        const hover = this.state.hover;
        return Boolean(hover && hover.laneId === lane.id && hover.day === day.date);
    }

    hoverStyle() {
        const left = ((this.state.hover.minute - this.state.data.hour_from * 60) / this.spanMinutes) * 100;
        return `left: ${left}%;`;
    }

    async move(card, lane, start, forceReason = false) {
        this.state.busy = true;
        try {
            const kwargs = forceReason ? { force_reason: forceReason } : {};
            await this.orm.call(BOARD_MODEL, "aftersales_board_move", [card.id, lane.id, start], kwargs);
            this.notification.add(
                _t("%(visit)s goes to %(technician)s.", { visit: card.name, technician: lane.name }),
                { type: "success" }
            );
        } catch (error) {
            const data = error.data || {};
            if (!forceReason && data.name === "odoo.exceptions.ValidationError") {
                this.dialog.add(DispatchBoardForceDialog, {
                    message: data.message,
                    confirm: (reason) => this.move(card, lane, start, reason),
                });
            } else if (data.message) {
                this.notification.add(data.message, { type: "danger", sticky: true });
            } else {
                throw error;
            }
        } finally {
            this.state.busy = false;
        }
        await this.load();
    }

    // ------------------------------------------------------------------
    // Planning of the period
    // ------------------------------------------------------------------

    async runPlanner(method) {
        this.state.busy = true;
        try {
            const result = await this.orm.call(BOARD_MODEL, method, this.periodArgs());
            const parts = [];
            if (result.planned.length) {
                parts.push(_t("Planned: %(visits)s.", { visits: result.planned.join(", ") }));
            }
            if (result.left.length) {
                parts.push(
                    _t("Left unassigned (their chatter says why): %(visits)s.", {
                        visits: result.left.join(", "),
                    })
                );
            }
            this.notification.add(parts.join(" "), {
                type: result.left.length ? "warning" : "success",
                sticky: Boolean(result.left.length),
            });
        } catch (error) {
            if (!error.data?.message) {
                throw error;
            }
            this.notification.add(error.data.message, { type: "warning" });
        } finally {
            this.state.busy = false;
        }
        await this.load();
    }

    autoAssign() {
        return this.runPlanner("aftersales_board_auto_assign");
    }

    planDays() {
        return this.runPlanner("aftersales_board_plan");
    }
}

registry.category("actions").add("aftersales_dispatch_board", DispatchBoard);
