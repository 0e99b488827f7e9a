/* Roster page (jadwal dinas): progressive enhancement only — the grid is a plain form.
   Adds to each person's row a button that repeats the row's first seven days over the rest of
   the month (a weekly rota typed once). Cells outside the person's records window stay as they
   are. Labels come from the table's data attributes (translated by the server). No inline code. */
(function () {
  "use strict";

  function repeatFirstWeek(row) {
    var cells = Array.prototype.slice.call(row.querySelectorAll("td.roster__cell"));
    var selects = cells.map(function (cell) { return cell.querySelector("select"); });
    for (var i = 7; i < selects.length; i += 1) {
      var source = selects[i % 7];
      var target = selects[i];
      if (source && target && !target.disabled && !source.disabled) {
        target.value = source.value;
      }
    }
  }

  function init() {
    var tables = document.querySelectorAll("table.roster");
    Array.prototype.forEach.call(tables, function (table) {
      var label = table.getAttribute("data-repeat-label");
      var hint = table.getAttribute("data-repeat-hint") || label;
      if (!label || !table.querySelector("td.roster__cell select")) { return; }
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        var head = row.querySelector("th.roster__person");
        if (!head) { return; }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button--quiet roster__repeat";
        button.textContent = label;
        button.title = hint;
        button.setAttribute("aria-label", label + ": " + head.firstChild.textContent.trim());
        button.addEventListener("click", function () { repeatFirstWeek(row); });
        head.appendChild(button);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
