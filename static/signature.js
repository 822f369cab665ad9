// The founder's signature drawn with a finger on the broker's phone (templates/casework/_founder_signature.html, on
// plan_sign.html and task_sign.html): the canvas is sent as a PNG data URL in the form's hidden "signature" field.
// No signature, no submission. Once the founder has been asked to sign ("请先签字。"), the request stands exactly as
// long as the canvas is empty: a stroke takes it away, clearing the canvas brings it back.
(function () {
  "use strict";
  var pad = document.querySelector("[data-signature-pad]");
  if (!pad) {
    return;
  }
  var canvas = pad.querySelector("canvas");
  var field = pad.querySelector('input[name="signature"]');
  var error = pad.querySelector("[data-signature-error]");
  var form = pad.closest("form");
  var context = canvas.getContext("2d");
  var drawn = false;
  var drawing = false;
  // Whether the founder has been told to sign: by a refused submission here, or by the server's error.
  var asked = !error.hidden;

  function blank() {
    // A white background, so the stored image prints as drawn rather than as black on transparent.
    var ratio = window.devicePixelRatio || 1;
    var box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = "#fff";
    context.fillRect(0, 0, box.width, box.height);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#000";
    drawn = false;
    field.value = "";
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var at = point(event);
    context.beginPath();
    context.moveTo(at.x, at.y);
    context.lineTo(at.x + 0.1, at.y + 0.1);
    context.stroke();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) {
      return;
    }
    var at = point(event);
    context.lineTo(at.x, at.y);
    context.stroke();
    if (!drawn) {
      drawn = true;
      error.hidden = true;
    }
  });
  function stop() {
    drawing = false;
  }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  function askToSign() {
    error.textContent = pad.getAttribute("data-empty-message");
    error.hidden = false;
    asked = true;
  }

  pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
    blank();
    if (asked) {
      askToSign();
    }
  });

  form.addEventListener("submit", function (event) {
    if (!drawn) {
      event.preventDefault();
      askToSign();
      return;
    }
    field.value = canvas.toDataURL("image/png");
  });

  blank();
})();
