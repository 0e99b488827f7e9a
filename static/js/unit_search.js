/* Unit pickers: a text input marked data-unit-search="<url>" gets a <datalist> of up to 20
   units fetched from that URL (?q=) as the user types. Progressive enhancement: without it the
   input still takes a unit's code or exact name, and the server validates either way. */
(function () {
  "use strict";

  function enhance(input, index) {
    var list = document.createElement("datalist");
    var timer = null;
    var last = "";
    list.id = "unit-search-options-" + index;
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);

    function fill(results) {
      list.textContent = "";
      results.forEach(function (u) {
        var option = document.createElement("option");
        option.value = u.code + " — " + u.name;
        list.appendChild(option);
      });
    }

    function search() {
      var q = input.value.split(" — ")[0].trim();
      if (q === last || q.length < 2) { return; }
      last = q;
      fetch(input.getAttribute("data-unit-search") + "?q=" + encodeURIComponent(q),
            {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (body) { if (q === last) { fill(body.results || []); } })
        .catch(function () { /* the input keeps working as plain text */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-unit-search]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
