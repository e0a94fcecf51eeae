// Irreversible actions ask first (templates/includes/confirm_dialog.html). A button with
// data-confirm="<dialog id>" opens that dialog instead of posting its form; the dialog names what
// will happen, may hold the form's fields (an opinion, a reason), and its confirm button posts the
// form — normally, or through htmx when the form has hx-post, so rows still swap in place.
// Cancel, Esc or the backdrop's close leave everything as it was. Listeners sit on the document, so
// rows htmx swaps in need no setting up. Without JavaScript, css/noscript.css shows the dialog's
// contents in the form and hides the opening button.
(function () {
  function open(dialog) {
    if (dialog.open) return;
    dialog.showModal();
    // The first field to fill, else the cancel button (the browser's choice would be the first
    // focusable element, which may be a help link): confirming takes a deliberate click.
    const first = dialog.querySelector("textarea, select, input:not([type=hidden])")
      || dialog.querySelector("[data-confirm-cancel]");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-confirm]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.confirm);
      if (!dialog || typeof dialog.showModal !== "function") return;  // posts as it is
      event.preventDefault();
      if (dialog.open) {
        // Enter in one of the dialog's inputs "clicks" the form's first button, the opener:
        // that is the dialog's confirm button's job.
        dialog.querySelector("[data-confirm-accept]").click();
        return;
      }
      open(dialog);
      return;
    }
    const cancel = event.target.closest("[data-confirm-cancel]");
    if (cancel) cancel.closest("dialog").close("cancel");
  });

  // Confirmed: the dialog closes once the form is on its way (htmx and the browser read the
  // fields during this event; a closed dialog's fields still belong to the form). A refusal comes
  // back in the row or the page, next to the button.
  document.addEventListener("submit", function (event) {
    const accept = event.submitter;
    if (!accept || !accept.matches("[data-confirm-accept]")) return;
    const dialog = accept.closest("dialog");
    window.setTimeout(function () { if (dialog.open) dialog.close("confirm"); }, 0);
  });
})();
