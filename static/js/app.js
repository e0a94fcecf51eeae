// Refusals from the server arrive as 4xx with a fragment: let htmx swap them in next to the form.
document.body.addEventListener("htmx:beforeSwap", function (event) {
  const status = event.detail.xhr.status;
  if (status === 400 || status === 403 || status === 409 || status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Sizes computed on the server arrive as data attributes and are set through the CSSOM: the
// Content-Security-Policy (style-src 'self') refuses inline style="" attributes. Applied to the page
// at once (before page scripts such as the dashboard's charts measure it) and to every fragment
// htmx swaps in.
function applySizes(root) {
  const sized = [
    ["data-width-percent", "width", "%"],
    ["data-height-rem", "height", "rem"],
    ["data-indent-rem", "paddingLeft", "rem"],
  ];
  sized.forEach(function ([attribute, property, unit]) {
    const elements = Array.from(root.querySelectorAll("[" + attribute + "]"));
    if (root.hasAttribute && root.hasAttribute(attribute)) elements.push(root);
    elements.forEach(function (element) {
      element.style[property] = element.getAttribute(attribute) + unit;
    });
  });
}
applySizes(document);
document.body.addEventListener("htmx:load", function (event) { applySizes(event.detail.elt); });

// A textarea with a length limit (maxlength, from the model field) shows its count as you type.
function addCounters(root) {
  root.querySelectorAll("textarea[maxlength]").forEach(function (area) {
    if (area.dataset.counted) return;
    area.dataset.counted = "1";
    const counter = document.createElement("div");
    counter.className = "form-text text-end";
    const update = function () {
      counter.textContent = area.value.length + " / " + area.maxLength;
    };
    area.insertAdjacentElement("afterend", counter);
    area.addEventListener("input", update);
    update();
  });
}
addCounters(document);
document.body.addEventListener("htmx:load", function (event) { addCounters(event.detail.elt); });

// A field needed unless a box is ticked (a measure's due date, unless it is 长期坚持): the server
// decides; this only lets the browser ask for the date while the box is unticked, and sets it
// aside (disabled: not sent) once ticked, since a standing measure has no date.
function linkRequiredUnless(root) {
  root.querySelectorAll("[data-required-unless]").forEach(function (field) {
    const box = document.getElementById(field.dataset.requiredUnless);
    if (!box || field.dataset.linked) return;
    field.dataset.linked = "1";
    const update = function () {
      field.required = !box.checked;
      field.disabled = box.checked;
    };
    box.addEventListener("change", update);
    update();
  });
}
linkRequiredUnless(document);
document.body.addEventListener("htmx:load", function (event) { linkRequiredUnless(event.detail.elt); });

// A field needed when a choice is made (a return's explanation when the reason is 其他): the
// service decides; this only lets the browser ask for it. data-required-if="<select id>=<value>".
function linkRequiredIf(root) {
  root.querySelectorAll("[data-required-if]").forEach(function (field) {
    const [id, value] = field.dataset.requiredIf.split("=");
    const choice = document.getElementById(id);
    if (!choice || field.dataset.linkedIf) return;
    field.dataset.linkedIf = "1";
    const update = function () {
      field.required = choice.value === value;
    };
    choice.addEventListener("change", update);
    update();
  });
}
linkRequiredIf(document);
document.body.addEventListener("htmx:load", function (event) { linkRequiredIf(event.detail.elt); });
