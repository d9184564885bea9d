/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A technician's day on a phone (390x844): he opens the After-Sales app and lands on his visits,
 * the first of the day on top; he tells the customer he is on his way, starts the visit, ticks
 * its checklist, writes the report, has the customer sign, finishes it; then goes back and does the next one, a draft visit dispatch gave
 * him, which Start schedules and starts in one go.
 * Started on the web client's home by the Python test (tests/test_technician_day.py).
 */
const VISIT = ".o_form_view.o_aftersales_visit_phone";

function openVisit(customer) {
    return [
        {
            content: `Open the visit at ${customer}`,
            trigger: `.o_aftersales_visit_kanban_technician .o_kanban_record:contains(${customer}) .fw-bold:contains(${customer})`,
            run: "click",
        },
        {
            content: "What dispatch decided is read only: the customer, the ticket",
            trigger: `${VISIT} .o_field_widget.o_readonly_modifier[name='partner_id']:contains(${customer})`,
        },
    ];
}

function startVisit() {
    return [
        {
            content: "Start the visit on arrival",
            trigger: `${VISIT} div[name='step_start'] button[name='action_start']`,
            run: "click",
        },
        {
            content: "The visit is in progress: the steps of the work show",
            trigger: `${VISIT} .o_field_widget[name='state']:contains(In Progress)`,
        },
    ];
}

function writeReport(text) {
    return [
        {
            content: "Write the work report",
            trigger: `${VISIT} div[name='step_report'] .o_field_html[name='work_report'] .odoo-editor-editable p`,
            run: `editor ${text}`,
        },
    ];
}

function finishVisit() {
    return [
        {
            content: "Finish the visit",
            trigger: `${VISIT} div[name='step_done'] button[name='action_done']`,
            run: "click",
        },
        {
            content: "The visit is done: nothing left to press",
            trigger: `${VISIT}:not(:has(div[name='step_done'] button[name='action_done'])) .o_field_widget[name='state']:contains(Done)`,
        },
    ];
}

function backToMyVisits() {
    return [
        {
            content: "Back to my visits",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "My visits again",
            trigger: ".o_aftersales_visit_kanban_technician .o_kanban_record",
        },
    ];
}

registry.category("web_tour.tours").add("aftersales_technician_day_tour", {
    steps: () => [
        {
            content: "Open the apps",
            trigger: ".o_main_navbar .o_menu_toggle",
            run: "click",
        },
        {
            content: "All the apps",
            trigger: ".o_app_menu_sidebar a:contains(All Apps)",
            run: "click",
        },
        {
            content: "Open After-Sales",
            trigger: ".o_app_menu_sidebar .o_app[data-menu-xmlid='aftersales_service.aftersales_menu_root']",
            run: "click",
        },
        {
            content: "The technician lands on his visits: today's two in the order of his day, then tomorrow's",
            trigger:
                ".o_aftersales_visit_kanban_technician:not(:has(.o_kanban_record:contains(Yesterday))) " +
                ".o_kanban_record:eq(0):contains(Wendy Washer):contains(Today):contains(Machine does not drain)" +
                " ~ .o_kanban_record:contains(Olga Oven):contains(Today) ~ .o_kanban_record:contains(Tom Tomorrow):contains(Tomorrow)",
        },
        ...openVisit("Wendy Washer"),
        {
            content: "He reads the problem, the unit, and can call and navigate",
            trigger: `${VISIT}:has(.o_field_widget[name='ticket_description']:contains(Water stays in the drum)):has(.o_field_widget[name='call_phone'] a[href^='tel:']):has(.o_field_widget[name='map_url'] a[href*='openstreetmap'])`,
        },
        {
            content: "The dispatch slip is at hand",
            trigger: `${VISIT} div[name='step_slip'] button:contains(Dispatch Slip)`,
        },
        {
            content: "Leave for the visit: the customer is told when he arrives",
            trigger: `${VISIT} div[name='step_on_my_way'] button[name='action_on_my_way']`,
            run: "click",
        },
        {
            content: "He is on his way",
            trigger: `${VISIT} div[name='step_on_my_way'] .alert:contains(On the way)`,
        },
        ...startVisit(),
        {
            content: "The checklist of the visit type: tap the test cycle step",
            trigger: `${VISIT} div[name='step_checklist'] .o_field_widget[name='step_ids'] .o_kanban_record:contains(Run a test cycle)`,
            run: "click",
        },
        {
            content: "Tick it",
            trigger: ".modal .o_field_widget[name='done'] input",
            run: "click",
        },
        {
            content: "Keep the answer",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The step is ticked on its card",
            trigger: `${VISIT}:not(:has(.modal)) div[name='step_checklist'] .o_kanban_record:contains(Run a test cycle) .fa-check-square`,
        },
        ...writeReport("Replaced the drain pump and ran a rinse cycle."),
        {
            content: "Write who signs",
            trigger: `${VISIT} div[name='step_signature'] .o_field_widget[name='signed_by'] input`,
            run: "edit Wendy Washer",
        },
        {
            content: "Let the customer sign",
            trigger: `${VISIT} div[name='step_signature'] .o_field_widget[name='signature'] .o_signature`,
            run: "click",
        },
        {
            content: "The signature is drawn from the name",
            trigger: ".modal .o_web_sign_auto_button.active",
        },
        {
            content: "Adopt the signature",
            trigger: ".modal .modal-footer button.btn-primary:enabled",
            run: "click",
        },
        {
            content: "The signature is on the report",
            trigger: `${VISIT} .o_field_widget[name='signature'] img.o_signature`,
        },
        ...finishVisit(),
        {
            content: "The done visit is locked: the report is read only",
            trigger: `${VISIT} .o_field_widget.o_readonly_modifier[name='work_report']:not(:has([contenteditable='true']))`,
        },
        ...backToMyVisits(),
        {
            content: "The first visit is done; the next one is a draft dispatch gave him",
            trigger:
                ".o_kanban_record:contains(Wendy Washer):contains(Done) ~ .o_kanban_record:contains(Olga Oven):contains(Draft)",
        },
        ...openVisit("Olga Oven"),
        ...startVisit(),
        ...writeReport("Adjusted the door hinge; the door closes well."),
        ...finishVisit(),
        ...backToMyVisits(),
        {
            content: "Both visits of today are done; tomorrow's waits",
            trigger:
                ".o_kanban_record:contains(Wendy Washer):contains(Done) ~ .o_kanban_record:contains(Olga Oven):contains(Done) ~ .o_kanban_record:contains(Tom Tomorrow):contains(Scheduled)",
        },
    ],
});
