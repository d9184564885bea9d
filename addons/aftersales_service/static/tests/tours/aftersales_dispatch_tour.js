/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * On the dispatch board, auto-assign a visit from the list of unassigned
 * visits beside the calendar, then open the day planner.
 * Started on the board by the Python test (tests/test_dispatch_board.py).
 */
registry.category("web_tour.tours").add("aftersales_dispatch_board_tour", {
    steps: () => [
        {
            content: "The calendar shows the technicians' visits",
            trigger: ".o_calendar_view .o_calendar_renderer",
        },
        {
            content: "The visit without a technician waits beside the calendar",
            trigger: ".o_aftersales_unassigned_visit:contains('Board Customer') .o_aftersales_auto_assign",
            run: "click",
        },
        {
            content: "Once assigned, it leaves the list",
            trigger: ".o_aftersales_unassigned:not(:has(.o_aftersales_unassigned_visit:contains('Board Customer')))",
        },
        {
            content: "Open the day planner",
            trigger: ".o_aftersales_plan_day",
            run: "click",
        },
        {
            content: "The planner asks for the day",
            trigger: ".modal .o_form_view .o_field_widget[name='date']",
        },
        {
            content: "Close it",
            trigger: ".modal .modal-footer button[special='cancel']",
            run: "click",
        },
        {
            content: "Back on the board",
            trigger: "body:not(:has(.modal)) .o_aftersales_unassigned",
        },
    ],
});
