// Copy buttons (api/web/templates/figures_*.html): a button with data-copy="<input id>" puts
// that field's text on the clipboard. Without this script the buttons stay hidden and the
// field's text can be selected and copied by hand.
"use strict";
document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    var status = button.closest("section").querySelector(".copy-status");
    navigator.clipboard.writeText(field.value).then(function () {
      if (status) {
        status.textContent = button.dataset.copied;
      }
    }, function () {
      field.select();
    });
  });
});
