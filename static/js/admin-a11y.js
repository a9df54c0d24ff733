// Names that the admin's own scripts leave out (issue 14, WCAG 4.1.2); see coresp/admin_a11y.py.
"use strict";
(function () {
    // A row added with "Add another" is a copy of the empty form: its fields' labels say
    // "row __prefix__" until it gets its number (inlines.js has set the row's id by now).
    document.addEventListener("formset:added", function (event) {
        const row = event.target;
        const number = String(Number(row.id.slice(row.id.lastIndexOf("-") + 1)) + 1);
        row.querySelectorAll("[aria-label*='__prefix__']").forEach(function (field) {
            field.setAttribute("aria-label", field.getAttribute("aria-label").replace("__prefix__", number));
        });
    });

    // The name of the field a select2 box stands for: the <select>'s aria-label (in an inline's
    // row) or its <label> (elsewhere), without the label's colon.
    function fieldName(select) {
        const label = select.getAttribute("aria-label")
            || Array.from(select.labels || []).map(function (l) { return l.textContent; }).join(" ");
        return label.trim().replace(/:$/, "");
    }

    // select2 names its combobox by the chosen value only ("EASPD", or nothing): put the field's
    // name first. aria-labelledby naming the box itself reads its aria-label, then the value.
    function nameSelect2(container) {
        const select = container.previousElementSibling;
        if (!select || select.tagName !== "SELECT") return;
        const name = fieldName(select);
        if (!name) return;
        container.querySelectorAll("[role=combobox]:not([data-named])").forEach(function (box) {
            box.id = box.id || select.id + "-combobox";
            box.setAttribute("aria-label", name);
            const value = box.getAttribute("aria-labelledby");
            box.setAttribute("aria-labelledby", value ? box.id + " " + value : box.id);
            box.setAttribute("data-named", "");
        });
        // The chosen value's text, which the combobox's name reads; select2 also calls it a
        // read-only textbox, a second control with no name of its own once the field is empty.
        container.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (value) {
            value.removeAttribute("role");
            value.removeAttribute("aria-readonly");
        });
        // A multiple select types its search into the box itself.
        container.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (field) {
            field.setAttribute("aria-label", name);
        });
    }

    function nameAll() {
        document.querySelectorAll("select + .select2-container").forEach(nameSelect2);
        // select2 4.0's "remove all" cross of a multiple select is a <span> straight inside its
        // list of choices, where a list allows items only; it is for the mouse (the keyboard
        // removes choices with Backspace), so it is hidden from assistive technology.
        document.querySelectorAll("ul > .select2-selection__clear").forEach(function (cross) {
            cross.setAttribute("aria-hidden", "true");
        });
        // SelectFilter2 (filter_horizontal) puts an aria-label on a plain <span>, where ARIA does
        // not allow one: as an image, its label is read as part of the search box's <label>.
        document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
            icon.setAttribute("role", "img");
        });
    }

    // select2 and SelectFilter2 build their markup after the page loads and when a row is added.
    new MutationObserver(nameAll).observe(document.documentElement, {childList: true, subtree: true});
    document.addEventListener("DOMContentLoaded", nameAll);
})();
