/** @odoo-module **/
// Suggest help articles to the customer while they describe a problem on the new ticket form.
import publicWidget from "@web/legacy/js/public/public_widget";
import { rpc } from "@web/core/network/rpc";
import { debounce } from "@web/core/utils/timing";

const SUGGEST_DELAY = 400;

publicWidget.registry.AftersalesKnowledgeSuggestions = publicWidget.Widget.extend({
    selector: ".o_aftersales_portal_new_ticket_form",
    events: {
        "input #aftersales_name": "_onProblemChange",
        "input #aftersales_description": "_onProblemChange",
        "change #aftersales_product_id": "_onProblemChange",
    },

    init() {
        this._super(...arguments);
        this._requestCount = 0;
        this._suggestLater = debounce(this._suggest.bind(this), SUGGEST_DELAY);
    },

    _onProblemChange() {
        this._suggestLater();
    },

    async _suggest() {
        const value = (selector) => this.el.querySelector(selector)?.value || "";
        const request = ++this._requestCount;
        const articles = await rpc("/my/knowledge/suggest", {
            name: value("#aftersales_name"),
            description: value("#aftersales_description"),
            product_id: value("#aftersales_product_id"),
        });
        if (request === this._requestCount) {
            this._render(articles);
        }
    },

    _render(articles) {
        const box = this.el.querySelector(".o_aftersales_knowledge_suggestions");
        if (!box) {
            return;
        }
        const list = box.querySelector(".o_aftersales_knowledge_suggestion_list");
        list.replaceChildren(
            ...articles.map((article) => {
                const item = document.createElement("li");
                const link = document.createElement("a");
                link.href = article.url;
                link.target = "_blank";
                link.className = "o_aftersales_knowledge_suggestion";
                link.textContent = article.name;
                item.appendChild(link);
                return item;
            })
        );
        box.classList.toggle("d-none", !articles.length);
    },
});

export default publicWidget.registry.AftersalesKnowledgeSuggestions;
