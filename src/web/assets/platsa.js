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

// Typeahead for the code pickers (occupation, skill, language, municipality): suggestions by
// name from /taxonomy/{vocabulary}, ranked by the server, typos forgiven. A list of our own
// rather than a <datalist>, which would hide every suggestion not containing the typed text.
// Without scripts the field still works: the server reads a name typed exactly.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-typeahead]")) typeahead(input);
});

function typeahead(input) {
  const box = document.createElement("ul");
  box.className = "suggestions";
  box.id = `${input.id}-suggestions`;
  box.setAttribute("role", "listbox");
  box.hidden = true;
  input.setAttribute("aria-controls", box.id);
  input.setAttribute("aria-autocomplete", "list");
  input.after(box);
  let timer;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) {
      box.hidden = true;
      return;
    }
    timer = setTimeout(async () => {
      const mine = ++asked;
      const res = await fetch(`/taxonomy/${input.dataset.typeahead}?q=${encodeURIComponent(q)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!res.ok || mine !== asked) return;
      const { items } = await res.json();
      box.replaceChildren(...items.map((t) => suggestion(input, box, t)));
      box.hidden = items.length === 0;
    }, 150);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") box.hidden = true;
    if (e.key === "ArrowDown" && !box.hidden) {
      e.preventDefault();
      box.querySelector("button")?.focus();
    }
  });
}

function suggestion(input, box, term) {
  const li = document.createElement("li");
  li.setAttribute("role", "option");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = term.value;
  if (term.detail) {
    const detail = document.createElement("small");
    detail.textContent = term.detail;
    button.append(detail);
  }
  button.addEventListener("click", () => {
    input.value = term.value;
    box.hidden = true;
    input.focus();
  });
  button.addEventListener("keydown", (e) => {
    const to = e.key === "ArrowDown" ? li.nextElementSibling : e.key === "ArrowUp" ? li.previousElementSibling : null;
    if (to) {
      e.preventDefault();
      to.querySelector("button").focus();
    }
    if (e.key === "Escape") {
      box.hidden = true;
      input.focus();
    }
  });
  li.append(button);
  return li;
}

// The attendance register saves each change at once: the whole week's form is posted (each
// cell is written as "the latest word", so posting it again is harmless), and the status
// line says whether it went through. Without script, "Spara" does the same.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosave]")) {
    const status = form.querySelector("[data-autosave-status]");
    form.addEventListener("change", async () => {
      if (status) status.textContent = "Sparar …";
      try {
        const res = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)) });
        if (status) status.textContent = res.ok && res.url.includes("sparat=1") ? "Sparat." : "Kunde inte sparas – tryck Spara.";
      } catch {
        if (status) status.textContent = "Kunde inte sparas – tryck Spara.";
      }
    });
  }
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});

// A page restored from the back-forward cache (Back after "Logga ut") is asked for again,
// so it shows what the server now allows (the sign-in page), never the person kept in memory.
window.addEventListener("pageshow", (e) => {
  if (e.persisted) window.location.reload();
});
