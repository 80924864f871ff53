// The stylesheet and script inlined into the HTML report: the file must work offline, alone, so
// nothing is fetched (the page's Content-Security-Policy forbids it too).

export const REPORT_CSS = `
:root { --pass: #1a7f37; --fail: #cf222e; --error: #9a6700; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; }
header { background: #24292f; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header p { margin: 0; color: #d0d7de; }
main { padding: 8px 24px 40px; max-width: 1400px; }
section { margin-top: 24px; }
h2 { font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
.s-PASS { color: var(--pass); } .s-FAIL { color: var(--fail); } .s-ERROR { color: var(--error); }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.s-PASS { background: var(--pass); } .badge.s-FAIL { background: var(--fail); } .badge.s-ERROR { background: var(--error); }
.lv-critical { color: #fff; background: #82071e; } .lv-high { color: #fff; background: var(--fail); }
.lv-medium { color: #1f2328; background: #fff8c5; } .lv-low { color: #1f2328; background: #ddf4ff; }
.lv-informational { color: #1f2328; background: var(--bg); }
.matrix-wrap { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
table.matrix { width: auto; }
table.matrix td.cell { text-align: center; cursor: pointer; font-weight: 600; color: #fff; min-width: 90px; }
table.matrix td.cell.s-PASS { background: var(--pass); } table.matrix td.cell.s-FAIL { background: var(--fail); }
table.matrix td.cell.s-ERROR { background: var(--error); }
table.matrix td.cell.selected, table.matrix td.cell:focus { outline: 3px solid #0969da; outline-offset: -3px; }
table.matrix td.none { background: var(--bg); color: var(--muted); text-align: center; }
#cell-detail { flex: 1 1 300px; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 320px; max-width: 560px; background: var(--bg); }
#cell-detail ul { margin: 4px 0; padding-left: 18px; word-break: break-all; }
.filters { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; align-items: center; }
.filters label { font-weight: 600; }
.muted { color: var(--muted); }
.wrap { word-break: break-all; }
.bars { display: flex; align-items: flex-end; gap: 2px; height: 28px; }
.bars span { display: inline-block; width: 8px; background: #0969da; min-height: 1px; }
code { font-size: 12px; }
`;

export const REPORT_JS = `
(function () {
  var filters = ["status", "severity", "check", "account"];
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var shown = document.getElementById("findings-shown");
  function apply() {
    var wanted = {};
    filters.forEach(function (f) { var el = document.getElementById("filter-" + f); wanted[f] = el ? el.value : ""; });
    var n = 0;
    rows.forEach(function (row) {
      var ok = filters.every(function (f) { return !wanted[f] || row.dataset[f] === wanted[f]; });
      row.hidden = !ok;
      if (ok) n++;
    });
    if (shown) shown.textContent = n + " of " + rows.length + " findings shown";
  }
  filters.forEach(function (f) {
    var el = document.getElementById("filter-" + f);
    if (el) el.addEventListener("change", apply);
  });
  apply();

  var detail = document.getElementById("cell-detail");
  var selected = null;
  function show(cell) {
    if (!detail) return;
    detail.textContent = "";
    var h = document.createElement("h3");
    h.textContent = cell.dataset.account + " / " + cell.dataset.region + ": " + cell.dataset.status;
    detail.appendChild(h);
    var trails = cell.dataset.trails ? cell.dataset.trails.split("\\n") : [];
    var p = document.createElement("p");
    p.textContent = trails.length ? "Covered by " + trails.length + (trails.length === 1 ? " trail:" : " trails:") : "No trail covers this region.";
    detail.appendChild(p);
    if (trails.length) {
      var ul = document.createElement("ul");
      ul.className = "trails";
      trails.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; ul.appendChild(li); });
      detail.appendChild(ul);
    }
    var m = document.createElement("p");
    m.className = "muted";
    m.textContent = cell.dataset.message || "";
    detail.appendChild(m);
  }
  Array.prototype.forEach.call(document.querySelectorAll("td.cell"), function (cell) {
    cell.addEventListener("mouseenter", function () { show(cell); });
    cell.addEventListener("focus", function () { show(cell); });
    cell.addEventListener("click", function () {
      if (selected) selected.classList.remove("selected");
      selected = cell;
      cell.classList.add("selected");
      show(cell);
    });
  });
})();
`;
