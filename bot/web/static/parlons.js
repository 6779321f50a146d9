// Keyboard shortcuts for the moderation queue: J / K move between ideas, A accepts the one in
// focus, P sets it aside, R goes to its reason list. Nothing else on the page needs JavaScript.
(function () {
  "use strict";
  const ideas = () => Array.from(document.querySelectorAll("[data-idea]"));
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  function current() {
    const active = document.activeElement;
    return active && active.closest ? active.closest("[data-idea]") : null;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const list = ideas();
    if (!list.length) return;
    const here = current();
    const index = here ? list.indexOf(here) : -1;
    const key = event.key.toLowerCase();
    if (key === "j" || key === "k") {
      const next = list[Math.min(list.length - 1, Math.max(0, index + (key === "j" ? 1 : -1)))];
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    } else if ((key === "a" || key === "p" || key === "r") && here) {
      const target = here.querySelector('[data-key="' + key + '"]');
      if (!target) return;
      if (key === "r") target.focus(); else target.click();
    } else {
      return;
    }
    event.preventDefault();
  });
  // A kiosk goes back to its start after a pause, so the next resident never sees the last
  // one's conversation.
  const body = document.body;
  const after = Number(body.dataset.resetAfter || 0);
  if (after && body.querySelector(".messages")) {
    let timer = null;
    const arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { window.location.assign(body.dataset.resetTo); }, after * 1000);
    };
    ["keydown", "pointerdown", "input"].forEach(function (name) { document.addEventListener(name, arm); });
    arm();
  }
  // A poster's print button.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // The simulator and the kiosk: show the latest message.
  document.querySelectorAll(".messages").forEach(function (list) {
    list.scrollTop = list.scrollHeight;
  });
})();
