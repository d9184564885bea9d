/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * An agent opens the follow-up call planned for a repaired ticket from the ticket,
 * records what the customer said, marks the call done, and closes the ticket.
 * Started on the form of the ticket by the Python test (tests/test_ui.py).
 */
registry.category("web_tour.tours").add("aftersales_followup_tour", {
    steps: () => [
        {
            content: "Open the follow-up calls of the ticket",
            trigger: ".o_form_view button[name='action_view_followups']:contains(Follow-ups)",
            run: "click",
        },
        {
            content: "Open the planned call",
            trigger: ".o_list_view .o_data_row:contains(Wendy Washer) td[name='name']",
            run: "click",
        },
        {
            content: "The customer is satisfied",
            trigger: ".o_form_view .o_field_widget[name='satisfied'] input[data-value='yes']",
            run: "click",
        },
        {
            content: "The problem is solved",
            trigger: ".o_form_view .o_field_widget[name='problem_solved'] input[data-value='yes']",
            run: "click",
        },
        {
            content: "The fee was charged correctly",
            trigger: ".o_form_view .o_field_widget[name='fee_correct'] input[data-value='yes']",
            run: "click",
        },
        {
            content: "Write what the customer said",
            trigger: ".o_form_view .o_field_html[name='notes'] .odoo-editor-editable",
            run: "editor The machine drains well since the repair.",
        },
        {
            content: "Record the call",
            trigger: ".o_form_view .o_form_statusbar button[name='action_done']",
            run: "click",
        },
        {
            content: "The call is done",
            trigger:
                ".o_form_view .o_form_saved .o_statusbar_status button.o_arrow_button_current[data-value='done']",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Machine does not drain)",
            run: "click",
        },
        {
            content: "Close the ticket",
            trigger: ".o_form_view .o_form_statusbar button[name='action_close']",
            run: "click",
        },
        {
            content: "The ticket is closed: it can only be reopened",
            trigger:
                ".o_form_view .o_form_statusbar:has(button[name='action_reopen']):not(:has(button[name='action_close']))",
        },
    ],
});
