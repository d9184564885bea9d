/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * The warehouse clerk receives the goods of an approved return authorization:
 * from Inventory > Transfers > Returns, open the receipt of the return, check
 * its reference and returned units, and validate it.
 * Started on the Returns action by the Python test (tests/test_rma_ui.py).
 */
registry.category("web_tour.tours").add("aftersales_rma_receipt_tour", {
    steps: () => [
        {
            content: "The customer's receipt is listed, with the return in its source document",
            trigger: ".o_list_view .o_data_row:contains(Wendy Washer) td[name='origin']:contains(RMA/)",
            run: "click",
        },
        {
            content: "The receipt shows its return authorization",
            trigger:
                ".o_form_view button[name='action_view_aftersales_rma'] .o_stat_value:contains(RMA/)",
        },
        {
            content: "Open the returned units",
            trigger: ".o_form_view .o_notebook a.nav-link[name='aftersales_rma']",
            run: "click",
        },
        {
            content: "The returned boxes are listed with their reason",
            trigger:
                ".o_form_view .o_field_widget[name='aftersales_rma_line_ids'] .o_data_row:contains(Filter Box):contains(Defective)",
        },
        {
            content: "Validate the receipt",
            trigger: ".o_form_view .o_statusbar_buttons button[name='button_validate']",
            run: "click",
        },
        {
            // the units were all reserved: no backorder dialog, the receipt is done at once
            content: "The receipt is done",
            trigger: ".o_form_view .o_statusbar_status button[data-value='done'][aria-checked='true']",
        },
    ],
});
