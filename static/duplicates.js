// Warn a broker, while he types, that the enterprise he is registering may be registered already.
// The fields go in a POST body with the form's CSRF token: a phone or ID number never goes in a URL.
// Without JavaScript the same check runs when the form is submitted.
(function () {
  "use strict";
  var form = document.querySelector('form[action="/enterprises/new"]');
  var box = document.getElementById("duplicate-warning");
  if (!form || !box || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var FIELDS = ["name", "district", "town", "credit_code", "founder_phone", "founder_id_number"];
  var DELAY_MS = 400;
  var timer = null;
  var latest = 0;
  var lastSent = null;
  var shown = box.innerHTML.trim();

  function value(name) {
    var element = form.elements.namedItem(name);
    return element && typeof element.value === "string" ? element.value.trim() : "";
  }

  function show(html) {
    // Rewrite only on change, so that screen readers (aria-live) hear a warning once, not per keystroke.
    if (html !== shown) {
      shown = html;
      box.innerHTML = html;
    }
  }

  function check() {
    var body = new URLSearchParams();
    var typed = false;
    FIELDS.forEach(function (name) {
      var text = value(name);
      body.append(name, text);
      typed = typed || (text !== "" && name !== "district");
    });
    if (!typed) {
      lastSent = null;
      show("");
      return;
    }
    var query = body.toString();
    if (query === lastSent) {
      return;
    }
    lastSent = query;
    body.append("_csrf_token", value("_csrf_token"));
    var ticket = ++latest;
    fetch("/enterprises/duplicates", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(new Error(String(response.status)));
      })
      .then(function (html) {
        if (ticket === latest) {
          show(html.trim());
        }
      })
      .catch(function () {
        lastSent = null; // try again on the next change; the check on submit still applies
      });
  }

  function schedule(event) {
    if (!event.target || FIELDS.indexOf(event.target.name) < 0) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, DELAY_MS);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
