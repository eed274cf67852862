// Drag and drop on the placements board: dropping a card on a column fills in the card's
// own form and submits it, so the server decides (and explains a refused move).
document.addEventListener("DOMContentLoaded", () => {
  for (const card of document.querySelectorAll(".card[draggable]")) {
    card.addEventListener("dragstart", (e) => e.dataTransfer.setData("text/plain", card.id));
  }
  for (const column of document.querySelectorAll(".column[data-status]")) {
    column.addEventListener("dragover", (e) => { e.preventDefault(); column.classList.add("over"); });
    column.addEventListener("dragleave", () => column.classList.remove("over"));
    column.addEventListener("drop", (e) => {
      e.preventDefault();
      column.classList.remove("over");
      const card = document.getElementById(e.dataTransfer.getData("text/plain"));
      const form = card && card.querySelector("form.move");
      if (!form) return;
      moveCard(form, column.dataset.status);
    });
  }
});

function moveCard(form, to) {
  const select = form.elements["to"];
  if (![...select.options].some((o) => o.value === to)) {
    // Not a step from here: ask anyway, and the server says what is possible.
    select.add(new Option(to, to));
  }
  select.value = to;
  if (to === "ended" && form.elements["outcome"] && !form.elements["outcome"].value) {
    form.closest(".card").classList.add("needs-outcome");
    form.elements["outcome"].focus();
    return;
  }
  form.submit();
}
