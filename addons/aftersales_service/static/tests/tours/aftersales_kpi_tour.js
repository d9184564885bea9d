/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A manager reads the KPI overview, opens the tickets behind a tile in a pivot table
 * and a graph, then finds the Excel reports in the menu and in the action menu of
 * the tickets list.
 * Started on the KPI overview by the Python test (tests/test_ui.py).
 */
registry.category("web_tour.tours").add("aftersales_kpi_tour", {
    steps: () => [
        {
            content: "The overview shows its tiles",
            trigger: ".o_form_view div[name='tile_backlog']:contains(Backlog)",
        },
        {
            content: "SLA compliance",
            trigger: ".o_form_view div[name='tile_sla']:contains(SLA Compliance)",
        },
        {
            content: "Technician utilisation",
            trigger: ".o_form_view div[name='tile_utilisation']:contains(Technician Utilisation)",
        },
        {
            content: "The satisfaction tile is there too",
            trigger: ".o_form_view div[name='tile_csat']:contains(Customer Satisfaction)",
        },
        {
            content: "Analyse the tickets of the period",
            trigger: ".o_form_view div[name='tile_sla'] button[name='action_open_tickets']",
            run: "click",
        },
        {
            content: "The tickets in a pivot table, by team",
            trigger: ".o_pivot_view .o_pivot th:contains(KPI Tour Team)",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_control_panel .o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_menu_sections [data-menu-xmlid='aftersales_service.aftersales_reporting_menu']",
            run: "click",
        },
        {
            content: "Open the Excel reports",
            trigger: ".o-dropdown-item[data-menu-xmlid='aftersales_service.aftersales_report_export_menu']",
            run: "click",
        },
        {
            content: "The wizard asks for the report and the period",
            trigger: ".modal .o_form_view .o_field_widget[name='report_kind'] input[data-value='tickets']:checked",
        },
        {
            content: "The export button is there",
            trigger: ".modal .modal-footer button[name='action_export']",
        },
        {
            content: "Close the wizard",
            trigger: ".modal .modal-footer button[special='cancel']",
            run: "click",
        },
        {
            content: "Open the Tickets menu",
            trigger:
                "body:not(:has(.modal)) .o_menu_sections [data-menu-xmlid='aftersales_service.aftersales_ticket_menu_main']",
            run: "click",
        },
        {
            content: "Open all tickets",
            trigger: ".o-dropdown-item[data-menu-xmlid='aftersales_service.aftersales_ticket_menu']",
            run: "click",
        },
        {
            content: "Show them as a list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Select a ticket",
            trigger: ".o_list_view .o_data_row:contains(KPI tour ticket) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the action menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Export to Excel is offered",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Export to Excel)",
        },
    ],
});
