// Moves an import's progress bar (templates/imports/detail.html) without reloading the page,
// and reloads it once the state changes, to show the row report or the result. Without JavaScript the
// page offers a refresh link instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-import-progress");
  var state = box.getAttribute("data-state");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        if (progress.state !== state) {
          window.location.reload();
          return;
        }
        bar.value = progress.percent;
        bar.textContent = progress.percent + "%";
        if (text.textContent !== progress.text) {
          text.textContent = progress.text;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // the server is busy or unreachable: try again, less often
      });
  }

  window.setTimeout(poll, 1000);
})();
