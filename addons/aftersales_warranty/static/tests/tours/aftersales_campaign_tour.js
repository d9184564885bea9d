/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * The after-sales manager launches the recall of a batch: from After-Sales > Warranties >
 * Campaigns, open the draft campaign made from the batch alert, check its units, launch it
 * and see a ticket opened for each unit.
 * Started on the Campaigns action by the Python test (tests/test_campaign.py).
 */
registry.category("web_tour.tours").add("aftersales_campaign_launch_tour", {
    steps: () => [
        {
            content: "The draft recall of the batch is listed",
            trigger: ".o_list_view .o_data_row:contains(batch B-2606) td[name='name']",
            run: "click",
        },
        {
            content: "Its three delivered units are computed",
            trigger: ".o_form_view button[name='action_view_lines'] .o_stat_value:contains(3)",
        },
        {
            content: "Launch the campaign",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_launch']",
            run: "click",
        },
        {
            content: "Confirm: every unit gets a ticket and its owner an e-mail",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The campaign is running",
            trigger: ".o_form_view .o_statusbar_status button[data-value='running'][aria-checked='true']",
        },
        {
            content: "A ticket was opened for each unit",
            trigger: ".o_form_view button[name='action_view_tickets'] .o_stat_value:contains(3)",
        },
    ],
});
