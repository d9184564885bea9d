/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * The counter agent opens After-Sales > Service Centre > Units in the Centre: the
 * kanban shows a column per stage of a unit in the building, the unit of the tour's
 * customer with its serial and how long it has been there; the agent opens it and
 * reads what was checked when the customer left it at the counter.
 * Started from the home menu by the Python test (tests/test_carry_in_screens.py).
 */
registry.category("web_tour.tours").add("aftersales_carry_in_counter_tour", {
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the After-Sales app",
            trigger: ".o-dropdown-item.o_app[data-menu-xmlid='aftersales_service.aftersales_menu_root']",
            run: "click",
        },
        {
            content: "Open the Service Centre menu",
            trigger: ".o_menu_sections [data-menu-xmlid='aftersales_parts.aftersales_carry_in_menu_root']",
            run: "click",
        },
        {
            content: "Open the units in the centre",
            trigger: ".o-dropdown-item[data-menu-xmlid='aftersales_parts.aftersales_carry_in_menu']",
            run: "click",
        },
        {
            content: "A column for the units received...",
            trigger: ".o_kanban_view .o_kanban_group .o_column_title:contains(Received)",
        },
        {
            content: "... for those waiting for the customer's approval...",
            trigger: ".o_kanban_view .o_kanban_group .o_column_title:contains(Waiting Approval)",
        },
        {
            content: "... for those in repair...",
            trigger: ".o_kanban_view .o_kanban_group .o_column_title:contains(In Repair)",
        },
        {
            content: "... and for those ready to be collected, even empty",
            trigger: ".o_kanban_view .o_kanban_group .o_column_title:contains(Ready)",
        },
        {
            content: "The customer's unit has been in the centre for more than a week: its age is red",
            trigger:
                ".o_kanban_record:contains(Tessa Tour):contains(TOUR-SC-0001) .o_aftersales_ageing.text-bg-danger:contains(10)",
        },
        {
            content: "Open the unit",
            trigger: ".o_kanban_record:contains(Tessa Tour)",
            run: "click",
        },
        {
            content: "The unit's form, received",
            trigger: ".o_form_view .o_statusbar_status button[data-value='received'][aria-checked='true']",
        },
        {
            content: "Open the intake check",
            trigger: ".o_form_view .o_notebook a.nav-link[name='intake']",
            run: "click",
        },
        {
            content: "The scratches recorded at the counter are there",
            trigger:
                ".o_form_view .o_field_widget[name='intake_step_ids'] .o_data_row:contains(Scratches and dents):contains(Two scratches on the tank)",
        },
        {
            content: "So is the mileage",
            trigger:
                ".o_form_view .o_field_widget[name='intake_step_ids'] .o_data_row:contains(Mileage (km)):contains(12,345)",
        },
    ],
});
