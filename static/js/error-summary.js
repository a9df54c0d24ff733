// After a form is sent back with errors, move focus to the error summary at the top of the main
// content (templates/includes/error_summary.html), so the person hears what went wrong and can
// follow its links to each field, instead of starting at the top of a long page.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
