/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A technician on a phone: start today's visit from its card in "My Visits", open it,
 * tick a step of its checklist, have the customer sign, write the work report, and finish it. The report is
 * written last: an HTML field hidden by a tab switch keeps no pending change. Once done, the
 * visit is read only for the technician.
 * Started on the "My Visits" action by the Python test (tests/test_ui.py).
 */
registry.category("web_tour.tours").add("aftersales_technician_tour", {
    steps: () => [
        {
            content: "Today's visit is on the list; the visit done yesterday is not",
            trigger:
                ".o_kanban_view:not(:has(.o_kanban_record:contains(Olga Oldclient))) .o_kanban_record:contains(Wendy Washer)",
        },
        {
            content: "Start the visit from its card on arrival",
            trigger: ".o_kanban_record:contains(Wendy Washer) button[name='action_start']",
            run: "click",
        },
        {
            content: "The visit is in progress: the card offers Stop and Done",
            trigger:
                ".o_kanban_record:contains(Wendy Washer):has(button[name='action_stop']):has(button[name='action_done']):not(:has(button[name='action_start']))",
        },
        {
            content: "Open today's visit",
            trigger: ".o_kanban_record:contains(Wendy Washer) .fw-bold:contains(Wendy Washer)",
            run: "click",
        },
        {
            content: "The visit is in progress: Done is offered",
            trigger: ".o_form_view .o_form_sheet div[name='technician_buttons'] button[name='action_done']",
        },
        {
            content: "The checklist of the visit type comes first",
            trigger: ".o_form_view .o_notebook a.nav-link.active[name='checklist']",
        },
        {
            content: "Tap the test cycle step to answer it",
            trigger: ".o_form_view .o_field_widget[name='step_ids'] .o_kanban_record:contains(Run a test cycle)",
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
            trigger:
                ".o_form_view:not(:has(.modal)) .o_field_widget[name='step_ids'] .o_kanban_record:contains(Run a test cycle) .fa-check-square",
        },
        {
            content: "Open the Signature tab",
            trigger: ".o_form_view .o_notebook a.nav-link[name='signature']",
            run: "click",
        },
        {
            content: "Write who signs",
            trigger: ".o_form_view .o_field_widget[name='signed_by'] input",
            run: "edit Wendy Washer",
        },
        {
            content: "Let the customer sign",
            trigger: ".o_form_view .o_field_widget[name='signature'] .o_signature",
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
            trigger: ".o_form_view .o_field_widget[name='signature'] img.o_signature",
        },
        {
            content: "Back to the work report",
            trigger: ".o_form_view .o_notebook a.nav-link[name='report']",
            run: "click",
        },
        {
            content: "Write the work report",
            trigger: ".o_form_view .o_field_html[name='work_report'] .odoo-editor-editable p",
            run: "editor Replaced the drain pump and ran a rinse cycle.",
        },
        {
            content: "Finish the visit",
            trigger: ".o_form_view .o_form_sheet div[name='technician_buttons'] button[name='action_done']",
            run: "click",
        },
        {
            content: "The visit is done: nothing left to press",
            trigger:
                ".o_form_view .o_form_saved:not(:has(div[name='technician_buttons'] button[name='action_done']))",
        },
        {
            content: "The done visit is locked for the technician: the report is read only, no Correct button",
            trigger:
                ".o_form_view:not(:has(button[name='action_correct'])) .o_field_widget.o_readonly_modifier[name='work_report']:not(:has([contenteditable='true']))",
        },
    ],
});
