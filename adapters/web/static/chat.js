// The local web chat's behaviour: focus, the private-view dialog, live updates (server-sent
// events), the unseen count in the tab title, drafts that survive a reload, and a warning
// before unsaved text is lost. The page works without it (plain forms and redirects).
// No inline script anywhere, so a strict Content-Security-Policy can forbid it.
(function () {
  "use strict";
  const tabKey = "bb-as";
  const person = document.body.dataset.person;
  if (!person) {
    // The picker, in a tab that already acts as someone: back to them (a tab is one person).
    const earlier = sessionStorage.getItem(tabKey);
    if (earlier && !new URLSearchParams(location.search).has("as")) {
      location.replace(`/?as=${encodeURIComponent(earlier)}`);
    }
    return;
  }

  const draftKey = (id) => `bb-draft:${person}:${id}`;
  const baseTitle = document.title;
  const entries = document.getElementById("entries");
  const announcer = document.getElementById("announcer");
  let unseen = 0;
  let leaving = false;
  const dirty = new Set();

  // --- one person per tab -------------------------------------------------------------
  // The URL names the person (?as=); a reload without it comes back to this tab's person.
  const named = new URLSearchParams(location.search).get("as");
  const mine = sessionStorage.getItem(tabKey);
  if (!named && mine && mine !== person) {
    location.replace(`/?as=${encodeURIComponent(mine)}${location.hash}`);
    return;
  }
  sessionStorage.setItem(tabKey, person);
  document.querySelector("form.switch")?.addEventListener("submit", (event) => {
    const chosen = event.target.querySelector("select")?.value;
    if (chosen) sessionStorage.setItem(tabKey, chosen);
    leaving = true;
  });

  // --- focus: the newest answer, an error summary, a dialog --------------------------
  function focusTarget() {
    const summary = document.querySelector(".form .error-summary");
    if (summary) return summary;
    const anchored = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    return anchored;
  }

  function openDialogs() {
    const dialog = document.querySelector("dialog.private[open]");
    if (!dialog) return false;
    if (!dialog.matches(":modal")) {
      dialog.close();
      dialog.showModal();
    }
    if (!dialog.contains(document.activeElement)) dialog.querySelector("[data-close]")?.focus();
    return true;
  }

  // Closing a private view (Close or Escape) returns to the message box.
  for (const dialog of document.querySelectorAll("dialog.private")) {
    dialog.addEventListener("close", () => setTimeout(() => document.getElementById("text")?.focus(), 0));
  }

  function placeFocus() {
    if (openDialogs()) return;
    const target = focusTarget();
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start" });
    } else {
      document.getElementById("text")?.focus({ preventScroll: true });
    }
  }
  placeFocus();
  // The browser moves focus to the #fragment's entry itself once the page has loaded; an
  // error summary inside it (or a dialog) must win, so focus is placed again after that.
  window.addEventListener("load", () => setTimeout(placeFocus, 0), { once: true });

  // --- drafts and the warning before leaving ------------------------------------------
  function fieldsOf(form) {
    return [...form.elements].filter((el) => el.name && !el.name.startsWith("_") && el.type !== "hidden"
                                           && el.type !== "submit" && el.tagName !== "BUTTON");
  }

  function save(form) {
    const values = fieldsOf(form).map((el) =>
      el.type === "radio" || el.type === "checkbox" ? [el.name, el.value, el.checked] : [el.name, el.value]);
    const empty = values.every((v) => (v.length === 3 ? !v[2] : !v[1]));
    if (empty) {
      sessionStorage.removeItem(draftKey(form.dataset.form));
      dirty.delete(form);
    } else {
      sessionStorage.setItem(draftKey(form.dataset.form), JSON.stringify(values));
      dirty.add(form);
    }
  }

  function restore(form) {
    const saved = sessionStorage.getItem(draftKey(form.dataset.form));
    // A draft is removed when its form is sent, so one still here is newer than the page.
    if (!saved) return;
    const fields = fieldsOf(form);
    for (const [name, value, checked] of JSON.parse(saved)) {
      for (const el of fields.filter((f) => f.name === name)) {
        if (checked === undefined) el.value = value;
        else if (el.value === value) el.checked = checked;
      }
    }
    dirty.add(form);
    if (!form.classList.contains("form")) return;  // the message box needs no note
    form.querySelector(".draft-note")?.remove();
    const note = document.createElement("p");
    note.className = "help draft-note";
    note.textContent = "Restored what you had typed before. Nothing is saved until you send it.";
    (form.querySelector("h3") || form).after(note);
  }

  function watch(form) {
    if (!form.dataset.form || form.dataset.watched) return;
    form.dataset.watched = "1";
    restore(form);
    form.addEventListener("input", () => save(form));
    form.addEventListener("change", () => save(form));
    form.addEventListener("submit", () => {
      sessionStorage.removeItem(draftKey(form.dataset.form));
      leaving = true;
    });
  }

  const formsOnPage = () => document.querySelectorAll("form[data-form]");
  const watchAll = () => formsOnPage().forEach(watch);
  watchAll();
  // Forms the server closed ("sent") leave no draft behind.
  const open = new Set([...formsOnPage()].map((f) => f.dataset.form));
  for (let i = sessionStorage.length - 1; i >= 0; i--) {
    const key = sessionStorage.key(i);
    if (key.startsWith(draftKey("")) && !open.has(key.slice(draftKey("").length))) sessionStorage.removeItem(key);
  }
  document.addEventListener("submit", () => { leaving = true; }, true);
  window.addEventListener("beforeunload", (event) => {
    if (leaving || ![...dirty].some((form) => document.contains(form))) return;
    event.preventDefault();
    event.returnValue = "";  // the browser shows its own "leave the page?" question
  });

  // --- live updates -------------------------------------------------------------------
  function setTitle() {
    document.title = unseen ? `(${unseen}) ${baseTitle}` : baseTitle;
  }
  function seen() {
    if (unseen && document.visibilityState === "visible") {
      unseen = 0;
      setTitle();
    }
  }
  ["pointerdown", "keydown"].forEach((kind) => document.addEventListener(kind, seen));
  document.addEventListener("visibilitychange", seen);

  function summary(node) {
    const heading = node.querySelector("h3");
    const text = (heading || node).textContent.replace(/\s+/g, " ").trim();
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
  }

  function merge(html) {
    const fresh = new DOMParser().parseFromString(html, "text/html");
    const home = document.getElementById("home");
    const newHome = fresh.getElementById("home");
    if (home && newHome && !home.contains(document.activeElement)) home.replaceChildren(...newHome.childNodes);
    let newest = null;
    for (const node of fresh.querySelectorAll("#entries > .entry")) {
      const current = document.getElementById(node.id);
      if (!current) {
        entries.append(node);
        if (node.classList.contains("bot")) {
          unseen += 1;
          newest = node;
        }
      } else if (current.dataset.rev !== node.dataset.rev && !dirty.has(current.querySelector("form.form"))) {
        const hadFocus = current.contains(document.activeElement);
        current.replaceWith(node);
        if (hadFocus) node.focus();
        announcer.textContent = `Updated: ${summary(node)}`;
      }
    }
    if (newest) {
      watchAll();
      newest.scrollIntoView({ block: "nearest" });
      announcer.textContent = `New message: ${summary(newest)}`;
      setTitle();
    }
  }

  let fetching = null;
  async function refresh() {
    if (fetching) return fetching;
    fetching = fetch(`/chat/live?as=${encodeURIComponent(person)}`, { credentials: "same-origin" })
      .then((response) => (response.status === 200 ? response.text() : null))
      .then((html) => { if (html) merge(html); })
      .catch(() => {})
      .finally(() => { fetching = null; });
    return fetching;
  }

  if (window.EventSource) {
    const events = new EventSource(`/chat/events?as=${encodeURIComponent(person)}`);
    events.addEventListener("changed", refresh);
    events.addEventListener("hello", () => { document.body.dataset.live = "on"; });
    window.addEventListener("pagehide", () => events.close());
  }
  setInterval(refresh, 60000);  // the home's countdowns move on even when nothing happens
})();
