// Refuses a file over the attachment limit before it is sent (templates/casework/_attachments.html), so
// that a broker on a slow connection waits for nothing and keeps his note. The server checks again.
(function () {
  "use strict";
  var form = document.querySelector("form[data-max-bytes]");
  if (!form) {
    return;
  }
  var input = form.querySelector("input[type=file]");
  var error = document.getElementById("e-attachment-file");
  var limit = parseInt(form.getAttribute("data-max-bytes"), 10);

  function check() {
    var file = input.files && input.files[0];
    var tooLarge = Boolean(file && file.size > limit);
    error.hidden = !tooLarge;
    if (tooLarge) {
      error.textContent = form.getAttribute("data-too-large");
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    return !tooLarge;
  }

  input.addEventListener("change", check);
  form.addEventListener("submit", function (event) {
    if (!check()) {
      event.preventDefault();
      input.focus();
    }
  });
})();
