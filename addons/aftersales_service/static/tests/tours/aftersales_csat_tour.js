/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * An agent opens the satisfaction answers of a closed ticket from its smart button
 * and reads the customer's score.
 * Started on the form of the ticket by the Python test (tests/test_ui.py).
 */
registry.category("web_tour.tours").add("aftersales_csat_tour", {
    steps: () => [
        {
            content: "The ticket shows the customer's score",
            trigger: ".o_form_view button[name='action_view_csat_answers'] .o_stat_value:contains(4.00 / 5)",
            run: "click",
        },
        {
            content: "The answer is listed with its score",
            trigger:
                ".o_list_view .o_data_row:contains(Wendy Washer) td[name='aftersales_overall_score']:contains(4)",
        },
        {
            content: "And whether the problem is solved for the customer",
            trigger: ".o_list_view .o_data_row:contains(Wendy Washer) td[name='aftersales_solved']:contains(Solved)",
        },
    ],
});
