/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * From a confirmed sale order, open a service ticket through the "Tickets"
 * smart button, take it, write how it was solved and close it.
 * Started on the form of the order by the Python test (tests/test_ui.py).
 */
registry.category("web_tour.tours").add("aftersales_ticket_tour", {
    steps: () => [
        {
            content: "Open the tickets of the sale order",
            trigger: ".o_form_view button[name='action_view_aftersales_tickets']",
            run: "click",
        },
        {
            content: "Create a ticket",
            trigger: ".o_kanban_view .o-kanban-button-new, .o-kanban-button-new",
            run: "click",
        },
        {
            content: "The customer comes from the sale order",
            trigger: ".o_form_view .o_field_widget[name='partner_id'] input",
            run() {
                if (!this.anchor.value.includes("Wendy Washer")) {
                    throw new Error(`Customer not prefilled: "${this.anchor.value}"`);
                }
            },
        },
        {
            content: "The order is the one we came from",
            trigger: ".o_form_view .o_field_widget[name='sale_order_id'] input",
            run() {
                if (!this.anchor.value) {
                    throw new Error("Sale order not prefilled");
                }
            },
        },
        {
            content: "Write the subject",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Drum leaks water during the wash",
        },
        {
            content: "Save the ticket",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Wait for the ticket to be saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Take the ticket",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_assign_to_me']",
            run: "click",
        },
        {
            content: "The ticket is assigned: the button is gone",
            trigger: ".o_form_view .o_form_saved:not(:has(button[name='action_assign_to_me']))",
        },
        {
            content: "Open the Resolution tab",
            trigger: ".o_form_view .o_notebook a.nav-link[name='resolution']",
            run: "click",
        },
        {
            content: "Write the resolution",
            trigger: ".o_form_view .o_field_html[name='resolution'] .odoo-editor-editable p",
            run: "editor Replaced the door seal and tested a full wash cycle.",
        },
        {
            content: "Close the ticket",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_close']",
            run: "click",
        },
        {
            content: "The ticket is in the closing stage",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current[aria-checked='true']:contains(Solved)",
        },
        {
            content: "And saved",
            trigger: ".o_form_view .o_form_saved:not(:has(button[name='action_close']))",
        },
    ],
});

/**
 * The customer side: from the list of their tickets, report a problem on a
 * unit they bought, land on the new ticket and add a comment in its chatter.
 * Started on /my/tickets by the Python test (tests/test_portal.py).
 */
registry.category("web_tour.tours").add("aftersales_portal_ticket_tour", {
    steps: () => [
        {
            content: "Report a problem from the list of tickets",
            trigger: "a.o_aftersales_portal_new_ticket",
            run: "click",
        },
        {
            content: "Write the subject",
            trigger: "form.o_aftersales_portal_new_ticket_form input[name='name']",
            run: "edit Door does not lock",
        },
        {
            content: "Choose the serial number of the unit",
            trigger: "form.o_aftersales_portal_new_ticket_form select[name='lot_id']",
            run: "selectByIndex 1",
        },
        {
            content: "Describe the problem",
            trigger: "form.o_aftersales_portal_new_ticket_form textarea[name='description']",
            run: "edit The door light blinks and the wash never starts.",
        },
        {
            content: "Open the ticket",
            trigger: "form.o_aftersales_portal_new_ticket_form button[type='submit']",
            run: "click",
        },
        {
            content: "The new ticket is shown",
            trigger: ".o_aftersales_portal_ticket_subject:contains(Door does not lock)",
        },
        {
            content: "Write a comment in the chatter",
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run: "edit It is the unit in the basement.",
        },
        {
            content: "Send it",
            trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The comment is in the conversation",
            trigger: "#chatterRoot:shadow .o-mail-Message-body:contains(It is the unit in the basement.)",
        },
    ],
});
