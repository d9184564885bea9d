/** @odoo-module **/

import { registry } from "@web/core/registry";

const LANE = ".o_aftersales_board_lane:has(.o_aftersales_board_lane_title:contains('Lane Tech'))";

function dropOnLane(helpers) {
    // inside the lane, a little right of its first hour: the same time for both visits
    return helpers.drag_and_drop(`${LANE} .o_aftersales_board_drop`, {
        position: { left: 150, top: 40 },
        relative: true,
    });
}

/**
 * On the dispatch board, drag an unassigned visit onto a technician's lane:
 * the visit is now in that lane; then, on the week, onto another day, where it
 * keeps its time of day; then back beside the lanes, unassigned. Started by
 * tests/test_visit_board.py.
 */
registry.category("web_tour.tours").add("aftersales_visit_board_tour", {
    steps: () => [
        {
            content: "The technician has a lane",
            trigger: `${LANE} .o_aftersales_board_drop`,
        },
        {
            content: "Drag the unassigned visit onto the technician's lane",
            trigger: ".o_aftersales_board_unassigned .o_aftersales_board_card:contains('Tour Customer')",
            run: dropOnLane,
        },
        {
            content: "The visit is in the technician's lane",
            trigger: `${LANE} .o_aftersales_board_card:contains('Tour Customer')`,
        },
        {
            content: "and no longer waits beside the lanes",
            trigger: ".o_aftersales_board_unassigned:not(:has(.o_aftersales_board_card:contains('Tour Customer')))",
        },
        {
            content: "Drag another visit onto the same time: the technician is busy then",
            trigger: ".o_aftersales_board_unassigned .o_aftersales_board_card:contains('Second Customer')",
            run: dropOnLane,
        },
        {
            content: "The board shows the rule's refusal and asks why to force it",
            trigger: ".modal .o_aftersales_board_refusal:contains('Lane Tech')",
        },
        {
            content: "Say why",
            trigger: ".modal textarea.o_aftersales_board_force_reason",
            run: "edit The customer can only be visited then",
        },
        {
            content: "Force the assignment",
            trigger: ".modal .o_aftersales_board_force:enabled",
            run: "click",
        },
        {
            content: "The forced visit is in the lane too",
            trigger: `body:not(:has(.modal)) ${LANE} .o_aftersales_board_card_forced:contains('Second Customer')`,
        },
        {
            content: "Show the week",
            trigger: ".o_aftersales_board_week_mode",
            run: "click",
        },
        {
            content: "Drag the first visit onto another day of the week: it keeps its time of day",
            trigger: `.o_aftersales_board_week ${LANE} .o_aftersales_board_today .o_aftersales_board_card:contains('Tour Customer')`,
            run: (helpers) =>
                helpers.drag_and_drop(`${LANE} .o_aftersales_board_drop:not(.o_aftersales_board_today)`, {
                    position: { left: 10, top: 60 },
                    relative: true,
                }),
        },
        {
            content: "The visit is on that day",
            trigger: `${LANE} .o_aftersales_board_drop:not(.o_aftersales_board_today) .o_aftersales_board_card:contains('Tour Customer')`,
        },
        {
            content: "Drag the forced visit back beside the lanes: it is unassigned again",
            trigger: `${LANE} .o_aftersales_board_card:contains('Second Customer')`,
            run: (helpers) =>
                helpers.drag_and_drop(".o_aftersales_board_unassigned", {
                    position: { left: 40, top: 40 },
                    relative: true,
                }),
        },
        {
            content: "The visit waits beside the lanes again",
            trigger: ".o_aftersales_board_unassigned .o_aftersales_board_card:contains('Second Customer')",
        },
    ],
});
