// The person switcher submits on change (CSP forbids inline handlers, so it is wired here).
document.addEventListener("DOMContentLoaded", function () {
  var picker = document.getElementById("person");
  if (picker) {
    picker.addEventListener("change", function () { picker.form.submit(); });
  }
});
