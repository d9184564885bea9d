/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A customer describes a problem on the portal and is offered the help article that fits.
 * Started on /my/tickets/new by the Python test (tests/test_knowledge_portal.py).
 */
registry.category("web_tour.tours").add("aftersales_knowledge_suggestion_tour", {
    steps: () => [
        {
            content: "The customer types the subject",
            trigger: "form.o_aftersales_portal_new_ticket_form input#aftersales_name",
            run: "edit 洗衣机不排水，显示E21",
        },
        {
            content: "The article that fits is suggested",
            trigger: ".o_aftersales_knowledge_suggestions:not(.d-none) a.o_aftersales_knowledge_suggestion:contains(洗衣机不排水怎么办)",
        },
    ],
});
