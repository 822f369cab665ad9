// The print view's "Print" button (templates/casework/plan_print.html); without JavaScript the browser's own
// print command does the same.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () {
      window.print();
    });
  }
})();
