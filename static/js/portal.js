/* Progressive enhancement only: every page works without this file.
   Loaded (without defer) in <head> so the "js" class is set before first paint,
   which lets the CSS collapse the phone menu without a flash of the open menu. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function setOpen(toggle, nav, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
    if (open) {
      // The phone menu opens on the group of the page being shown (or on the only group).
      var groups = nav.querySelectorAll(".nav-group");
      var current = groups.length === 1 ? groups[0] : nav.querySelector(".nav-group[data-current]");
      if (current) { current.open = true; }
    }
  }

  function openGroup(nav) {
    return nav.querySelector(".nav-group[open]");
  }

  function closeGroups(nav, except) {
    Array.prototype.forEach.call(nav.querySelectorAll(".nav-group[open]"), function (group) {
      if (group !== except) { group.open = false; }
    });
  }

  function phoneMenu(toggle) {
    return toggle && window.getComputedStyle(toggle).display !== "none";
  }

  function initNavGroups(nav, toggle) {
    // One group open at a time (browsers without <details name> too).
    Array.prototype.forEach.call(nav.querySelectorAll(".nav-group"), function (group) {
      group.addEventListener("toggle", function () {
        if (group.open) { closeGroups(nav, group); }
      });
    });
    // On a wide screen a group is a dropdown: a click elsewhere closes it.
    document.addEventListener("click", function (event) {
      if (!phoneMenu(toggle) && !nav.contains(event.target)) { closeGroups(nav, null); }
    });
  }

  function initNavToggle() {
    var nav = document.getElementById("site-nav");
    if (!nav) { return; }
    var toggle = document.querySelector(".nav-toggle[aria-controls='site-nav']");
    initNavGroups(nav, toggle);
    if (toggle) {
      toggle.addEventListener("click", function () {
        setOpen(toggle, nav, toggle.getAttribute("aria-expanded") !== "true");
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var group = openGroup(nav);
      if (group && !phoneMenu(toggle)) {
        group.open = false;
        group.querySelector("summary").focus();
      } else if (toggle && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(toggle, nav, false);
        toggle.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initNavToggle);
  } else {
    initNavToggle();
  }
})();
