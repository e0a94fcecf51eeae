// Case form: "Add a subject" appends a blank subject form (Django formset, prefix "subjects").
(function () {
  const button = document.getElementById("add-subject");
  const template = document.getElementById("subject-empty-form");
  const container = document.getElementById("subject-forms");
  if (!button || !template || !container) return;
  const total = container.querySelector('input[name="subjects-TOTAL_FORMS"]');
  button.addEventListener("click", function () {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const forms = container.querySelectorAll(".subject-form");
    const name = forms[forms.length - 1].querySelector("input[type=text]");
    if (name) name.focus();
  });
})();
