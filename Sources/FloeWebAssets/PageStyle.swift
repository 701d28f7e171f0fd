/// `floe.css`: the look shared by the docs site and `floe serve`'s UI (layout, tables, badges by
/// node type, colours by run status, the graph's SVG).
public enum PageStyle {
    public static let source = #"""
:root { --ink: #1d2330; --muted: #6b7385; --line: #dfe3ea; --paper: #ffffff; --side: #f5f6f8; --accent: #2f6fde;
  --model: #2f6fde; --source: #1f9d6b; --seed: #8a5cd1; --snapshot: #c77d16; --exposure: #d14b7f; --cube: #0f8fa3;
  --analysis: #7a8594; --test: #5f6b7a; --macro: #5f6b7a;
  --success: #1f9d6b; --pass: #1f9d6b; --up_to_date: #4f9fd1; --error: #d23b3b; --fail: #d23b3b; --warn: #d19a1f;
  --skipped: #9aa3b2; --cancelled: #9aa3b2; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--paper); }
header.bar { display: flex; align-items: center; gap: 16px; padding: 8px 16px; border-bottom: 1px solid var(--line); background: #10151f; color: #fff; }
header.bar a { color: #fff; text-decoration: none; }
header.bar .brand { font-weight: 700; letter-spacing: .02em; }
header.bar nav a { margin-right: 14px; opacity: .85; }
header.bar nav a:hover, header.bar nav a.current { opacity: 1; text-decoration: underline; }
.layout { display: flex; height: calc(100vh - 41px); }
#sidebar { width: 280px; flex: none; overflow: auto; background: var(--side); border-right: 1px solid var(--line); padding: 12px; }
#main { flex: 1; overflow: auto; padding: 20px 28px 60px; }
#search, .select input, input.field, select.field { width: 100%; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
#tree { margin-top: 10px; }
#tree a { display: block; color: var(--ink); text-decoration: none; padding: 1px 6px; border-radius: 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#tree a:hover { background: #e8ebf0; }
#tree a.current { background: var(--accent); color: #fff; }
#tree a.top { font-weight: 600; }
#tree summary { font-weight: 600; margin-top: 8px; cursor: pointer; }
#tree .folder { color: var(--muted); font-size: 12px; margin: 4px 0 0 6px; }
#tree .leaf { padding-left: 16px; }
.count { color: var(--muted); font-weight: 400; font-size: 12px; }
h1 { font-size: 22px; margin: 4px 0 8px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
.muted { color: var(--muted); }
.small { font-size: 12px; font-weight: 400; }
.crumbs { color: var(--muted); font-size: 12px; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow: auto; max-height: 520px; }
table { border-collapse: collapse; }
table.facts th { text-align: left; color: var(--muted); font-weight: 500; padding: 3px 16px 3px 0; vertical-align: top; white-space: nowrap; }
table.facts td { padding: 3px 0; }
table.columns, table.members, table.data { width: 100%; }
table.columns th, table.columns td, table.members th, table.members td, table.data th, table.data td {
  border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
table.columns td p { margin: 0; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
td.name { font-weight: 600; }
td.type { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; color: var(--muted); }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 9px; color: #fff; background: var(--model); vertical-align: middle; }
.badge.type-source { background: var(--source); } .badge.type-seed { background: var(--seed); } .badge.type-snapshot { background: var(--snapshot); }
.badge.type-exposure { background: var(--exposure); } .badge.type-cube { background: var(--cube); } .badge.type-analysis { background: var(--analysis); }
.badge.type-test, .badge.type-macro { background: var(--test); }
a.test { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; border: 1px solid var(--line); text-decoration: none; color: var(--ink); margin: 1px; }
a.test.status-pass { border-color: var(--pass); color: var(--pass); } a.test.status-fail, a.test.status-error { border-color: var(--fail); color: var(--fail); }
a.test.status-warn { border-color: var(--warn); color: var(--warn); }
.status { font-weight: 600; text-transform: uppercase; font-size: 11px; letter-spacing: .03em; padding: 1px 6px; border-radius: 4px; color: #fff; background: var(--skipped); }
.status.status-success, .status.status-pass { background: var(--success); } .status.status-up_to_date { background: var(--up_to_date); }
.status.status-error, .status.status-fail { background: var(--error); } .status.status-warn { background: var(--warn); }
.relations { display: flex; gap: 48px; }
.relations ul { margin: 0; padding-left: 18px; }
details.code summary { cursor: pointer; font-weight: 600; margin-top: 18px; }
.graph { border: 1px solid var(--line); border-radius: 8px; overflow: auto; background: #fbfcfd; max-height: 70vh; }
.small-graph { max-height: 360px; }
svg.floe-graph .edge { fill: none; stroke: #9aa3b2; stroke-width: 1.3; }
svg.floe-graph .arrow { fill: #9aa3b2; }
svg.floe-graph g.node { cursor: pointer; }
svg.floe-graph g.node rect { fill: #fff; stroke: var(--model); stroke-width: 1.5; }
svg.floe-graph g.node text { font-size: 12px; fill: var(--ink); }
svg.floe-graph g.type-source rect { stroke: var(--source); } svg.floe-graph g.type-seed rect { stroke: var(--seed); }
svg.floe-graph g.type-snapshot rect { stroke: var(--snapshot); } svg.floe-graph g.type-exposure rect { stroke: var(--exposure); }
svg.floe-graph g.type-cube rect { stroke: var(--cube); } svg.floe-graph g.type-analysis rect { stroke: var(--analysis); }
svg.floe-graph g.status-success rect, svg.floe-graph g.status-pass rect { fill: #e3f5ec; }
svg.floe-graph g.status-up_to_date rect { fill: #e4f0f8; }
svg.floe-graph g.status-error rect, svg.floe-graph g.status-fail rect { fill: #fbe4e4; }
svg.floe-graph g.status-skipped rect, svg.floe-graph g.status-cancelled rect { fill: #eef0f3; }
svg.floe-graph g.focus rect { stroke-width: 3; }
svg.floe-graph g.node:hover rect, svg.floe-graph g.node:focus rect { stroke-width: 3; }
.select { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
.select input { flex: 1; }
button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
.legend { margin-bottom: 8px; }
ul.results { list-style: none; padding: 0; }
ul.results li { padding: 6px 0; border-bottom: 1px solid var(--line); }
.snippet { font-size: 12px; }
.empty { padding: 20px; color: var(--muted); }
/* floe serve's UI */
header.bar .product { opacity: .8; font-size: 13px; }
header.bar .token { margin-left: auto; display: flex; gap: 6px; }
header.bar .token input { padding: 3px 6px; border-radius: 5px; border: 1px solid #3a4356; background: #1b2231; color: #fff; }
main.page { padding: 18px 24px 60px; }
.problem { border: 1px solid var(--error); background: #fdf0f0; border-radius: 8px; padding: 10px 14px; margin: 10px 0; }
.split { display: flex; gap: 14px; align-items: flex-start; }
.split .graph { flex: 1; }
.panel { width: 360px; flex: none; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; max-height: 70vh; overflow: auto; }
.panel h2 { margin-top: 4px; }
svg.timeline text { font-size: 11px; fill: var(--ink); }
svg.timeline text.axis, svg.chart text.axis { fill: var(--muted); font-size: 11px; }
svg.timeline g.bar rect { fill: var(--skipped); }
svg.timeline g.status-success rect, svg.timeline g.status-pass rect { fill: var(--success); }
svg.timeline g.status-up_to_date rect { fill: var(--up_to_date); }
svg.timeline g.status-error rect, svg.timeline g.status-fail rect { fill: var(--error); }
svg.timeline g.status-warn rect { fill: var(--warn); }
svg.chart line.axis { stroke: var(--line); }
svg.chart text { font-size: 11px; }
.failure { border-left: 3px solid var(--error); padding: 2px 12px; margin: 10px 0; }
.playground { display: flex; gap: 18px; align-items: flex-start; }
.builder { width: 340px; flex: none; }
.builder details { border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; margin-bottom: 6px; }
.builder .group { display: flex; gap: 12px; }
.builder h4 { margin: 8px 0 4px; font-size: 12px; color: var(--muted); text-transform: uppercase; }
.builder label.member { display: block; font-size: 13px; }
.builder .filter { display: flex; gap: 4px; margin-bottom: 4px; }
.builder .filter .field { width: auto; flex: 1; }
.builder .range { display: flex; gap: 4px; align-items: center; margin-top: 4px; }
.answer { flex: 1; min-width: 0; }
.copies { display: flex; gap: 10px; flex-wrap: wrap; }
.copy-block { flex: 1; min-width: 260px; }
.copy-block pre { max-height: 200px; }
"""#
}
