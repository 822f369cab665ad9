// Asks before a destructive action: a form with data-confirm="question" (or the button that sends it, with a
// data-confirm of its own) is sent only if the user answers yes to confirm(question). Loaded on every page by
// templates/base.html; listening on the document covers forms added later too. Without script the form is
// simply sent, and the server's rules still apply.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) {
      return; // another script (a missing signature, a file too large) has already stopped it
    }
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
