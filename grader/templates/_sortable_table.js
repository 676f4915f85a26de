/* Sort tables marked data-sortable by clicking a column heading. Progressive enhancement:
   without JavaScript the table is still complete, in roster order. */
(function () {
  "use strict";
  function cellKey(row, col, numeric) {
    var cell = row.cells[col];
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    raw = raw.trim();
    if (!numeric) { return raw.toLocaleLowerCase(); }
    return raw === "" ? null : parseFloat(raw);
  }
  function compare(a, b, numeric) {
    if (!numeric) { return a.localeCompare(b); }
    if (a === null || b === null) { return a === b ? 0 : (a === null ? 1 : -1); }
    return a - b;
  }
  function sortBy(table, th, col) {
    var numeric = th.getAttribute("data-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { row: row, key: cellKey(row, col, numeric), i: i };
    });
    rows.sort(function (x, y) {
      var c = compare(x.key, y.key, numeric);
      if (x.key === null || y.key === null) { return c || x.i - y.i; }
      return (ascending ? c : -c) || x.i - y.i;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, col); });
    });
    var hint = document.getElementById("roster-hint");
    if (hint) { hint.textContent += " Click a column heading to sort by it."; }
  });
})();
