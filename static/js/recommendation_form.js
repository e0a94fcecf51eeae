// New recommendation: show the deadline field that matches the chosen mode (a date or working days).
(function () {
  const radios = document.querySelectorAll("input[name=deadline_mode]");
  function sync() {
    const checked = document.querySelector("input[name=deadline_mode]:checked");
    const mode = checked ? checked.value : "date";
    document.querySelectorAll("[data-deadline]").forEach(function (box) {
      box.hidden = box.dataset.deadline !== mode;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
