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
// on a day's time line a card is drawn at least this long, to stay readable; cards drawn over each
// other go on sub-rows of the lane
const MIN_CARD_MINUTES = 90;
// a sub-row of a lane: the km from the previous stop above the card, the card, a gap (pixels)
const KM_HEIGHT = 20;
const CARD_HEIGHT = 80;
const ROW_HEIGHT = KM_HEIGHT + CARD_HEIGHT + 6;
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
            // the day shown (or a day of the week shown); null until the server says which day is today
            anchor: null,
            branchId: false,
            data: null,
            busy: false,
            dragging: null,
            hover: null,
            hoverUnassigned: false,
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
        return this.periodOf(this.state.anchor);
    }

    periodOf(anchor) {
        if (this.state.mode === "week") {
            const first = anchor.startOf("week");
            return [first, first.plus({ days: 6 })];
        }
        return [anchor, anchor];
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

    periodArgs(anchor = this.state.anchor) {
        const [first, last] = this.periodOf(anchor);
        return [first.toISODate(), last.toISODate(), this.state.branchId || false];
    }

    /**
     * Load the period of ``anchor``; without one, the period of today as the server counts days (in
     * the user's time zone), which may not be the browser's date: asked with the browser's date,
     * then again with the server's when it is not in the period.
     */
    async load(anchor = this.state.anchor) {
        let day = anchor || DateTime.local().startOf("day");
        let data = await this.orm.call(BOARD_MODEL, "aftersales_board_data", this.periodArgs(day));
        if (!anchor && data.today !== day.toISODate()) {
            day = DateTime.fromISO(data.today);
            if (!data.days.some((d) => d.date === data.today)) {
                data = await this.orm.call(BOARD_MODEL, "aftersales_board_data", this.periodArgs(day));
            }
        }
        this.state.anchor = day;
        this.state.data = data;
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
        await this.load(null);
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

    /**
     * The sub-row of each card of a lane's day (by id) and the number of rows: a card goes on the
     * first row where it is drawn over no other card (a card is drawn at least MIN_CARD_MINUTES long).
     */
    dayLayout(laneDay) {
        const rowEnds = [];
        const rows = {};
        const cards = [...laneDay.cards].sort((a, b) => a.start_minute - b.start_minute || a.id - b.id);
        for (const card of cards) {
            const end = card.start_minute + Math.max(card.duration_minutes, MIN_CARD_MINUTES);
            let row = rowEnds.findIndex((rowEnd) => rowEnd <= card.start_minute);
            if (row < 0) {
                row = rowEnds.length;
                rowEnds.push(end);
            } else {
                rowEnds[row] = end;
            }
            rows[card.id] = row;
        }
        return { rows, count: Math.max(rowEnds.length, 1) };
    }

    trackStyle(layout) {
        return `height: ${layout.count * ROW_HEIGHT + 4}px;`;
    }

    cardStyle(card, row = 0) {
        const from = this.state.data.hour_from * 60;
        const left = Math.max(((card.start_minute - from) / this.spanMinutes) * 100, 0);
        const width = (Math.max(card.duration_minutes, MIN_CARD_MINUTES) / this.spanMinutes) * 100;
        const top = row * ROW_HEIGHT + KM_HEIGHT + 2;
        return `left: ${left}%; width: ${Math.min(width, 100 - left)}%; top: ${top}px; height: ${CARD_HEIGHT}px;`;
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
        const when = card.time && [card.day_label, card.time].filter(Boolean).join(" ");
        return [card.name, card.partner, card.city, card.type, when, this.slaTitle(card), card.state_label]
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

    /**
     * The lane, day and minute of the day (from midnight) under the point ``x``, ``y``; null outside
     * the lanes. On a day's time line the minute is that of the point; on a week's day a visit with a
     * start keeps its time of day, an undated one takes the minute of the point across the cell.
     */
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
        const dragged = this.state.dragging;
        if (this.state.mode === "week" && dragged && dragged.start) {
            return { lane, day, minute: dragged.start_minute };
        }
        const minute = this.state.data.hour_from * 60 + ratio * this.spanMinutes;
        return { lane, day, minute: Math.floor(minute / STEP_MINUTES) * STEP_MINUTES };
    }

    onDragStart({ element }) {
        this.state.dragging = this.cardById(parseInt(element.dataset.visitId));
    }

    /** Whether the point ``x``, ``y`` is over the unassigned visits, where an assigned visit is taken back. */
    overUnassigned(x, y) {
        const aside = this.boardRef.el.querySelector(".o_aftersales_board_unassigned");
        if (!aside) {
            return false;
        }
        const rect = aside.getBoundingClientRect();
        return rect.left <= x && x < rect.right && rect.top <= y && y < rect.bottom;
    }

    isAssigned(card) {
        return !this.state.data.unassigned.some((c) => c.id === card.id);
    }

    onDrag({ x, y }) {
        const dragged = this.state.dragging;
        const back = Boolean(dragged && this.isAssigned(dragged) && this.overUnassigned(x, y));
        if (this.state.hoverUnassigned !== back) {
            this.state.hoverUnassigned = back;
        }
        const slot = back ? null : this.slotAt(x, y);
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
        this.state.hoverUnassigned = false;
    }

    async onDrop({ x, y }) {
        const card = this.state.dragging;
        // the lanes scroll under the unassigned visits: over them, a drop takes the visit back
        const back = Boolean(card && this.isAssigned(card) && this.overUnassigned(x, y));
        const slot = back ? null : this.slotAt(x, y);
        this.onDragEnd();
        if (back) {
            await this.unassign(card);
            return;
        }
        if (!card || !slot) {
            return;
        }
        await this.move(card, slot.lane, this.startUtc(slot.day, slot.minute));
    }

    async unassign(card) {
        this.state.busy = true;
        try {
            await this.orm.call(BOARD_MODEL, "aftersales_board_unassign", [card.id]);
            this.notification.add(_t("%(visit)s is unassigned again.", { visit: card.name }), { type: "success" });
        } catch (error) {
            const data = error.data || {};
            if (!data.message) {
                throw error;
            }
            this.notification.add(data.message, { type: "danger", sticky: true });
        } finally {
            this.state.busy = false;
        }
        await this.load();
    }

    /** The UTC start ("YYYY-MM-DD HH:MM:SS") of ``minute`` (from midnight) of ``day``, in the board's time zone. */
    startUtc(day, minute) {
        const local = DateTime.fromISO(day.date, { zone: this.state.data.timezone }).set({
            hour: Math.floor(minute / 60),
            minute: minute % 60,
        });
        const moment = local.isValid
            ? local.toUTC()
            : DateTime.fromSQL(day.start_utc, { zone: "utc" }).plus({ minutes: minute });
        return moment.toFormat("yyyy-MM-dd HH:mm:ss");
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
        return `left: ${Math.min(Math.max(left, 0), 100)}%;`;
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

    async printSlips() {
        this.state.busy = true;
        try {
            const action = await this.orm.call(BOARD_MODEL, "aftersales_board_print_slips", this.periodArgs());
            await this.action.doAction(action);
        } catch (error) {
            if (!error.data?.message) {
                throw error;
            }
            this.notification.add(error.data.message, { type: "warning" });
        } finally {
            this.state.busy = false;
        }
    }
}

registry.category("actions").add("aftersales_dispatch_board", DispatchBoard);
