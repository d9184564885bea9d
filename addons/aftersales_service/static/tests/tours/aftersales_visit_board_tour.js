/** @odoo-module **/

import { registry } from "@web/core/registry";

const LANE = ".o_aftersales_board_lane:has(.o_aftersales_board_lane_title:contains('Lane Tech'))";

/**
 * On the dispatch board, drag an unassigned visit onto a technician's lane:
 * the visit is now in that lane. Started by tests/test_visit_board.py.
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
            async run(helpers) {
                // inside the lane, a little right of its first hour
                await helpers.drag_and_drop(`${LANE} .o_aftersales_board_drop`, {
                    position: { left: 150, top: 40 },
                    relative: true,
                });
            },
        },
        {
            content: "The visit is in the technician's lane",
            trigger: `${LANE} .o_aftersales_board_card:contains('Tour Customer')`,
        },
        {
            content: "and no longer waits beside the lanes",
            trigger: ".o_aftersales_board_unassigned:not(:has(.o_aftersales_board_card:contains('Tour Customer')))",
        },
    ],
});
