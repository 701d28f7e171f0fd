/// `ui.js`: `floe serve`'s UI at `/` — the asset graph coloured by each node's last status, the
/// freshness of each node, the run history with a timeline and the failures (message, failed
/// SQL, files), the tests' last results, and the cubes' playground (table, SVG chart, generated
/// SQL, the rollup that answered, the query to copy as JSON, curl or SQL for the SQL API).
enum UIScript {
    static let source = #"""
"use strict";
/* floe serve's UI: the asset graph by last run status, freshness, run history with a timeline,
   tests, and a playground for the cubes. It reads /ui/api/* and Cube's REST API with the token the
   user gives (kept in this tab's sessionStorage; the server stores none). Routed by the hash:
   #/assets, #/runs, #/runs/<id|latest>, #/tests, #/playground?query=<json>. */
(function () {
  var E = FloeGraph.escape, main = document.getElementById("main");
  var state = { overview: null, graph: null };

  /* A token given in the hash (#token=…, for links and scripts) is taken into the tab's storage
     and removed from the address. */
  (function takeToken() {
    var match = /(^|[#&?])token=([^&]*)/.exec(location.hash);
    if (!match) return;
    sessionStorage.setItem("floe.token", decodeURIComponent(match[2]));
    history.replaceState(null, "", location.pathname + location.hash.replace(/([#&?])token=[^&]*&?/, "$1").replace(/[&?]$/, ""));
  })();

  function token() { return sessionStorage.getItem("floe.token") || ""; }

  function api(path, options) {
    options = options || {};
    var headers = options.headers || {};
    if (token()) headers.Authorization = token();
    if (options.body) headers["Content-Type"] = "application/json";
    return fetch(path, { method: options.method || "GET", headers: headers, body: options.body }).then(function (response) {
      return response.text().then(function (text) {
        var body;
        try { body = JSON.parse(text); } catch (e) { body = { error: text }; }
        if (!response.ok) {
          var error = new Error(body.error || ("HTTP " + response.status));
          error.status = response.status;
          throw error;
        }
        return body;
      });
    });
  }

  function problem(error) {
    var hint = error.status === 403 && !token() ? '<p class="muted">This server asks for a token: paste a JWT signed with the semantic API secret ' +
      "(<code>floe serve --token '{}'</code> prints one) into the token field above.</p>" : "";
    return '<div class="problem" id="problem"><strong>' + E(error.status ? "HTTP " + error.status + ": " : "") + E(error.message) + "</strong>" + hint + "</div>";
  }

  function ago(timestamp) {
    if (!timestamp) return "";
    var seconds = Math.round((Date.now() - Date.parse(timestamp)) / 1000);
    if (isNaN(seconds)) return "";
    if (seconds < 90) return seconds + " s ago";
    if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
    if (seconds < 129600) return Math.round(seconds / 3600) + " h ago";
    return Math.round(seconds / 86400) + " days ago";
  }

  function badge(status) {
    return status ? '<span class="status status-' + E(status) + '">' + E(String(status).replace(/_/g, " ")) + "</span>" : '<span class="muted">never run</span>';
  }

  function loadOverview() {
    if (state.overview) return Promise.resolve(state.overview);
    return api("/ui/api/overview").then(function (overview) {
      state.overview = overview;
      state.graph = FloeGraph.build(overview.nodes);
      var p = overview.project;
      document.getElementById("product").textContent = p.product + " " + p.version + " · " + p.environment + " (" + p.namespace + ") on " + p.engine;
      return overview;
    });
  }

  function latestOf(node) {
    var latest = state.overview.latest;
    return latest[node.id] || (node.loaded_by ? latest[node.loaded_by] : null) || null;
  }

  function assetsPage(query) {
    return loadOverview().then(function (overview) {
      var selection = query.select || "";
      main.innerHTML = '<h1>Assets</h1><form id="select-form" class="select"><input id="select" value="' + E(selection) +
        '" placeholder="dbt selection: +mart_revenue+, tag:marts, resource_type:seed"><button>Show</button><span id="graph-count" class="muted"></span></form>' +
        '<div class="legend"><span class="status status-success">success</span> <span class="status status-up_to_date">up to date</span> ' +
        '<span class="status status-error">error</span> <span class="status status-skipped">skipped</span> <span class="muted">white: never run</span></div>' +
        '<div class="split"><div id="graph" class="graph"></div><aside id="panel" class="panel"><p class="muted">Select a node.</p></aside></div>' +
        '<h2>Freshness</h2><table class="data" id="freshness"><thead><tr><th>Node</th><th>Type</th><th>Last status</th><th>Built</th><th></th></tr></thead><tbody>' +
        overview.nodes.filter(function (n) { return n.type !== "exposure" && n.type !== "cube"; }).map(function (node) {
          var latest = latestOf(node) || {};
          var status = node.materialized === "ephemeral" ? '<span class="muted">ephemeral: inlined where it is read</span>' : badge(latest.status);
          return '<tr data-id="' + E(node.id) + '"><td><a href="#/assets?node=' + encodeURIComponent(node.id) + '">' + E(node.name) + "</a></td><td>" +
            E(node.type) + '</td><td class="result">' + status + "</td><td>" + E(latest.built_at || "") + '</td><td class="muted">' +
            E(ago(latest.built_at)) + "</td></tr>";
        }).join("") + "</tbody></table>";
      var chosen = FloeGraph.select(state.graph, selection);
      var placed = FloeGraph.draw(document.getElementById("graph"), state.graph, chosen, {
        focus: query.node,
        classOf: function (node) { var latest = latestOf(node); return latest && latest.status ? ["status-" + latest.status] : []; },
        onOpen: function (id) { showNode(id); }
      });
      document.getElementById("graph-count").textContent = placed.nodes.length + " nodes, " + placed.edges.length + " edges";
      document.getElementById("select-form").addEventListener("submit", function (event) {
        event.preventDefault();
        location.hash = "#/assets?select=" + encodeURIComponent(document.getElementById("select").value);
      });
      if (query.node) showNode(query.node);
    });
  }

  function showNode(id) {
    var node = state.graph.nodes[id];
    if (!node) return;
    var latest = latestOf(node) || {};
    var rows = [["Type", E(node.type) + (node.materialized ? " · " + E(node.materialized) : "")], ["Last status", badge(latest.status)]];
    if (node.relation) rows.push(["Relation", "<code>" + E(node.relation) + "</code>"]);
    if (latest.built_at) rows.push(["Built", E(latest.built_at) + ' <span class="muted">' + E(ago(latest.built_at)) + "</span>"]);
    if (latest.run_started_at) rows.push(["Last run", '<a href="#/runs/' + encodeURIComponent(latest.run_id) + '">' + E(latest.run_started_at) + "</a>"]);
    if (latest.message) rows.push(["Message", E(latest.message)]);
    if (node.path) rows.push(["File", "<code>" + E(node.path) + "</code>"]);
    var tests = state.overview.tests.filter(function (t) { return t.attached === id; });
    document.getElementById("panel").innerHTML = '<h2 id="panel-title">' + E(node.name) + "</h2><table class=\"facts\">" +
      rows.map(function (r) { return "<tr><th>" + r[0] + "</th><td>" + r[1] + "</td></tr>"; }).join("") + "</table>" +
      (tests.length ? "<h3>Tests</h3><ul>" + tests.map(function (t) {
        var last = state.overview.latest[t.id] || {};
        return "<li>" + badge(last.status) + " " + E(t.name) + "</li>";
      }).join("") + "</ul>" : "") +
      (node.compiled ? '<details class="code"><summary>Compiled SQL</summary><pre><code>' + E(node.compiled) + "</code></pre></details>" : "") +
      '<p><a href="/docs/#!/node/' + encodeURIComponent(id) + '">Open in the docs</a></p>';
  }

  function duration(run) {
    var seconds = (Date.parse(run.completed_at) - Date.parse(run.started_at)) / 1000;
    return isNaN(seconds) ? "" : seconds.toFixed(2) + " s";
  }

  function runsPage() {
    return api("/ui/api/runs").then(function (body) {
      var runs = body.runs;
      main.innerHTML = "<h1>Runs</h1>" + (runs.length ? '<table class="data" id="runs"><thead><tr><th>Started</th><th>Command</th><th>Status</th><th>Took</th>' +
        '<th class="number">Built</th><th class="number">Up to date</th><th class="number">Errors</th><th class="number">Tests pass / warn / fail</th></tr></thead><tbody>' +
        runs.map(function (run) {
          var c = run.counts;
          return '<tr data-run="' + E(run.run_id) + '"><td><a href="#/runs/' + encodeURIComponent(run.run_id) + '">' + E(run.started_at) + "</a></td><td>" +
            E(run.command) + "</td><td>" + badge(run.status === "failed" ? "error" : run.status) + "</td><td>" + duration(run) +
            '</td><td class="number">' + c.built + '</td><td class="number">' + c.up_to_date + '</td><td class="number">' + c.errors +
            '</td><td class="number">' + c.tests_passed + " / " + c.tests_warned + " / " + c.tests_failed + "</td></tr>";
        }).join("") + "</tbody></table>" : '<p class="muted">No run yet: floe build (or floe apply) records each run here.</p>');
    });
  }

  function runPage(id) {
    var runs = id === "latest" ? api("/ui/api/runs").then(function (body) {
      if (!body.runs.length) throw new Error("no run yet");
      return body.runs[0].run_id;
    }) : Promise.resolve(id);
    return Promise.all([runs, loadOverview()]).then(function (both) {
      var runID = both[0];
      return Promise.all([api("/ui/api/runs/" + encodeURIComponent(runID)), api("/ui/api/runs")]).then(function (answers) {
        var nodes = answers[0].nodes, run = answers[1].runs.filter(function (r) { return r.run_id === runID; })[0] || {};
        main.innerHTML = '<h1>Run <span class="muted small">' + E(runID) + "</span></h1>" +
          '<table class="facts"><tr><th>Command</th><td>' + E(run.command || "") + "</td></tr><tr><th>Status</th><td id=\"run-status\">" +
          badge(run.status === "failed" ? "error" : run.status) + "</td></tr><tr><th>Started</th><td>" + E(run.started_at || "") + "</td></tr><tr><th>Took</th><td>" +
          duration(run) + "</td></tr></table><h2>Timeline</h2>" + timeline(nodes) + failures(nodes);
      });
    });
  }

  /* A bar per node from its start to its end, coloured by its status. */
  function timeline(nodes) {
    var timed = nodes.filter(function (n) { return n.started_at; });
    if (!timed.length) return '<p class="muted">No timing recorded.</p>';
    var start = Math.min.apply(null, timed.map(function (n) { return Date.parse(n.started_at); }));
    var end = Math.max.apply(null, timed.map(function (n) { return Date.parse(n.started_at) + 1000 * Number(n.execution_time || 0); }));
    var span = Math.max(end - start, 1), width = 900, label = 230, row = 18, scale = (width - label - 60) / span;
    var svg = ['<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="' + width + '" height="' + (timed.length * row + 24) + '">'];
    timed.forEach(function (node, index) {
      var x = label + (Date.parse(node.started_at) - start) * scale, w = Math.max(2, 1000 * Number(node.execution_time || 0) * scale);
      var test = state.overview.tests.filter(function (t) { return t.id === node.unique_id; })[0];
      var name = (state.graph.nodes[node.unique_id] || test || {}).name || node.unique_id;
      svg.push('<g class="bar status-' + E(node.status) + '" data-id="' + E(node.unique_id) + '"><title>' + E(node.unique_id + ": " + node.status + ", " +
        Number(node.execution_time).toFixed(3) + " s") + '</title><text x="0" y="' + (index * row + 13) + '">' + E(name.slice(0, 32)) +
        '</text><rect x="' + x.toFixed(1) + '" y="' + (index * row + 3) + '" width="' + w.toFixed(1) + '" height="' + (row - 6) + '" rx="2"/></g>');
    });
    svg.push('<text class="axis" x="' + label + '" y="' + (timed.length * row + 18) + '">0 s</text><text class="axis" x="' + (width - 60) +
      '" y="' + (timed.length * row + 18) + '">' + (span / 1000).toFixed(2) + " s</text></svg>");
    return '<div class="graph">' + svg.join("") + "</div>";
  }

  function failures(nodes) {
    var failed = nodes.filter(function (n) { return n.status === "error" || n.status === "fail"; });
    if (!failed.length) return "";
    return "<h2>Failures</h2>" + failed.map(function (n) {
      var node = state.graph.nodes[n.unique_id] || {};
      return '<div class="failure" data-id="' + E(n.unique_id) + '"><h3>' + badge(n.status) + " " + E(node.name || n.unique_id) + "</h3>" +
        '<p class="message">' + E(n.message || "") + "</p>" +
        (n.failed_sql ? '<details open class="code"><summary>The statement that failed</summary><pre><code class="failed-sql">' + E(n.failed_sql) + "</code></pre></details>" : "") +
        (node.run_file ? '<p class="muted">As sent: <code>' + E(node.run_file) + "</code> · compiled: <code>" + E(node.compiled_file) + "</code> · " +
          '<a href="/docs/#!/node/' + encodeURIComponent(n.unique_id) + '">docs</a></p>' : "") + "</div>";
    }).join("");
  }

  function testsPage() {
    return loadOverview().then(function (overview) {
      var tests = overview.tests;
      main.innerHTML = "<h1>Tests</h1>" + (tests.length ? '<table class="data" id="tests"><thead><tr><th>Test</th><th>On</th><th>Severity</th><th>Last result</th><th>When</th><th>Message</th></tr></thead><tbody>' +
        tests.map(function (t) {
          var last = overview.latest[t.id] || {}, on = state.graph.nodes[t.attached];
          return '<tr data-id="' + E(t.id) + '"><td>' + E(t.name) + "</td><td>" + (on ? '<a href="#/assets?node=' + encodeURIComponent(on.id) + '">' + E(on.name) + "</a>" : "") +
            (t.column ? "." + E(t.column) : "") + "</td><td>" + E(t.severity) + '</td><td class="result">' + badge(last.status) + "</td><td>" + E(last.run_started_at || "") +
            "</td><td>" + E(last.message || "") + "</td></tr>";
        }).join("") + "</tbody></table>" : '<p class="muted">The plan has no tests.</p>');
    });
  }

  /* The playground: a query built from the cubes' members, answered by /v1/load, drawn as a table
     and a chart, with the SQL that ran, the rollup that answered and the query to copy. */
  function playgroundPage(query) {
    return api("/cubejs-api/v1/meta").then(function (meta) {
      var cubes = meta.cubes || [];
      var given = {};
      try { given = query.query ? JSON.parse(query.query) : {}; } catch (e) { given = {}; }
      function checks(kind, members) {
        return members.map(function (m) {
          var on = (given[kind] || []).indexOf(m.name) >= 0;
          return '<label class="member"><input type="checkbox" data-kind="' + kind + '" value="' + E(m.name) + '"' + (on ? " checked" : "") + "> " +
            E(m.shortTitle || m.title || m.name) + "</label>";
        }).join("");
      }
      var timeDimensions = [];
      cubes.forEach(function (c) { c.dimensions.forEach(function (d) { if (d.type === "time") timeDimensions.push(d.name); }); });
      var allMembers = [];
      cubes.forEach(function (c) { c.dimensions.concat(c.measures).forEach(function (m) { allMembers.push(m.name); }); });
      var td = (given.timeDimensions || [])[0] || {};
      main.innerHTML = '<h1>Playground</h1><div class="playground"><form id="query-form" class="builder">' +
        cubes.map(function (c) {
          return '<details open><summary>' + E(c.title || c.name) + "</summary><div class=\"group\"><div><h4>Measures</h4>" + checks("measures", c.measures) +
            "</div><div><h4>Dimensions</h4>" + checks("dimensions", c.dimensions.filter(function (d) { return d.type !== "time"; })) + "</div></div></details>";
        }).join("") +
        '<h4>Time</h4><select id="time-dimension" class="field"><option value="">none</option>' + timeDimensions.map(function (name) {
          return '<option' + (td.dimension === name ? " selected" : "") + ">" + E(name) + "</option>";
        }).join("") + '</select><select id="granularity" class="field"><option value="">no granularity</option>' +
        ["day", "week", "month", "quarter", "year"].map(function (g) { return "<option" + (td.granularity === g ? " selected" : "") + ">" + g + "</option>"; }).join("") +
        '</select><div class="range"><input id="date-from" class="field" type="date" value="' + E((td.dateRange || [])[0] || "") + '"> to <input id="date-to" class="field" type="date" value="' +
        E((td.dateRange || [])[1] || "") + '"></div><h4>Filters</h4><div id="filters"></div><button type="button" class="secondary" id="add-filter">Add a filter</button>' +
        '<h4>Limit</h4><input id="limit" class="field" type="number" min="1" value="' + E(given.limit || 100) + '"><p><button id="run">Run</button></p></form>' +
        '<section class="answer" id="answer"><p class="muted">Pick measures and dimensions, then Run.</p></section></div>';
      function addFilter(filter) {
        var row = document.createElement("div");
        row.className = "filter";
        row.innerHTML = '<select class="field member">' + allMembers.map(function (m) { return "<option" + (filter && filter.member === m ? " selected" : "") + ">" + E(m) + "</option>"; }).join("") +
          '</select><select class="field operator">' + ["equals", "notEquals", "contains", "notContains", "startsWith", "endsWith", "gt", "gte", "lt", "lte", "set", "notSet"]
            .map(function (o) { return "<option" + (filter && filter.operator === o ? " selected" : "") + ">" + o + "</option>"; }).join("") +
          '</select><input class="field values" placeholder="values, comma-separated" value="' + E(filter && filter.values ? filter.values.join(",") : "") +
          '"><button type="button" class="secondary remove">×</button>';
        row.querySelector(".remove").addEventListener("click", function () { row.remove(); });
        document.getElementById("filters").appendChild(row);
      }
      (given.filters || []).forEach(addFilter);
      document.getElementById("add-filter").addEventListener("click", function () { addFilter(null); });
      document.getElementById("query-form").addEventListener("submit", function (event) {
        event.preventDefault();
        var built = build();
        history.replaceState(null, "", "#/playground?query=" + encodeURIComponent(JSON.stringify(built)));
        run(built);
      });
      if (query.query) run(build());
    });
  }

  function build() {
    var q = { measures: [], dimensions: [] };
    Array.prototype.forEach.call(document.querySelectorAll("#query-form input[type=checkbox]:checked"), function (box) {
      q[box.getAttribute("data-kind")].push(box.value);
    });
    var dimension = document.getElementById("time-dimension").value;
    if (dimension) {
      var time = { dimension: dimension };
      var granularity = document.getElementById("granularity").value;
      if (granularity) time.granularity = granularity;
      var from = document.getElementById("date-from").value, to = document.getElementById("date-to").value;
      if (from && to) time.dateRange = [from, to];
      q.timeDimensions = [time];
    }
    var filters = [];
    Array.prototype.forEach.call(document.querySelectorAll("#filters .filter"), function (row) {
      var operator = row.querySelector(".operator").value, filter = { member: row.querySelector(".member").value, operator: operator };
      var values = row.querySelector(".values").value.split(",").map(function (v) { return v.trim(); }).filter(Boolean);
      if (operator !== "set" && operator !== "notSet") filter.values = values;
      filters.push(filter);
    });
    if (filters.length) q.filters = filters;
    var limit = parseInt(document.getElementById("limit").value, 10);
    if (limit > 0) q.limit = limit;
    return q;
  }

  function columnsOf(query) {
    var columns = [];
    (query.timeDimensions || []).forEach(function (t) { if (t.granularity) columns.push(t.dimension + "." + t.granularity); });
    return columns.concat(query.dimensions || [], query.measures || []);
  }

  function run(query) {
    var answer = document.getElementById("answer");
    answer.innerHTML = '<p class="muted">Running…</p>';
    Promise.all([api("/cubejs-api/v1/load", { method: "POST", body: JSON.stringify({ query: query }) }),
      api("/cubejs-api/v1/sql", { method: "POST", body: JSON.stringify({ query: query }) })]).then(function (both) {
      var load = both[0], sql = both[1].sql, rows = load.data || [], columns = columnsOf(query);
      var used = Object.keys(load.usedPreAggregations || {});
      answer.innerHTML = '<p id="answered-by">' + (used.length ? "Answered by the rollup <code>" + E(used.join(", ")) + "</code>" : "Answered from the models (no rollup matched)") +
        " · " + rows.length + " rows</p>" + chart(query, rows) +
        '<table class="data" id="result"><thead><tr>' + columns.map(function (c) { return "<th>" + E(c) + "</th>"; }).join("") + "</tr></thead><tbody>" +
        rows.map(function (row) {
          return "<tr>" + columns.map(function (c) { return '<td data-member="' + E(c) + '">' + E(row[c] === null || row[c] === undefined ? "" : row[c]) + "</td>"; }).join("") + "</tr>";
        }).join("") + "</tbody></table>" +
        '<details class="code" open><summary>Generated SQL</summary><pre><code id="generated-sql">' + E(sql.sql[0]) + "</code></pre>" +
        (sql.sql[1].length ? '<p class="muted">Parameters: <code>' + E(JSON.stringify(sql.sql[1])) + "</code></p>" : "") + "</details>" +
        '<h3>Copy the query</h3><div class="copies">' + copyBlock("JSON", JSON.stringify(query, null, 2)) + copyBlock("curl", curl(query)) +
        copyBlock("SQL API", sqlAPI(query)) + "</div>";
      Array.prototype.forEach.call(answer.querySelectorAll("button.copy"), function (button) {
        button.addEventListener("click", function () {
          var text = button.parentNode.querySelector("pre").textContent;
          if (navigator.clipboard) navigator.clipboard.writeText(text);
          button.textContent = "Copied";
        });
      });
    }).catch(function (error) { answer.innerHTML = problem(error); });
  }

  function copyBlock(title, text) {
    return '<div class="copy-block"><h4>' + E(title) + ' <button type="button" class="secondary copy">Copy</button></h4><pre><code>' + E(text) + "</code></pre></div>";
  }

  function curl(query) {
    return "curl -s " + location.origin + "/cubejs-api/v1/load \\\n  -H 'Authorization: " + (token() ? "<your token>" : "") + "' \\\n" +
      "  -H 'Content-Type: application/json' \\\n  -d '" + JSON.stringify({ query: query }).replace(/'/g, "'\\''") + "'";
  }

  /* The query in the SQL API's dialect: one cube's members, MEASURE() for measures, DATE_TRUNC
     for a time dimension's granularity. */
  function sqlAPI(query) {
    var members = columnsOf(query).map(function (c) { return c.split(".")[0]; });
    var cubes = members.filter(function (c, i) { return members.indexOf(c) === i; });
    if (cubes.length !== 1) return "-- The SQL API takes one cube or view per query; these members span " + cubes.join(", ") + ":\n-- query a view that joins them.";
    function name(member) { return '"' + member.split(".")[1] + '"'; }
    var select = [], group = [];
    (query.timeDimensions || []).forEach(function (t) {
      if (t.granularity) { select.push("DATE_TRUNC('" + t.granularity + "', " + name(t.dimension) + ")"); group.push(select.length); }
    });
    (query.dimensions || []).forEach(function (d) { select.push(name(d)); group.push(select.length); });
    (query.measures || []).forEach(function (m) { select.push("MEASURE(" + name(m) + ")"); });
    var where = [];
    (query.timeDimensions || []).forEach(function (t) {
      if (t.dateRange) where.push(name(t.dimension) + " BETWEEN '" + t.dateRange[0] + "' AND '" + t.dateRange[1] + "'");
    });
    var operators = { equals: "=", notEquals: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" };
    (query.filters || []).forEach(function (f) {
      var quoted = (f.values || []).map(function (v) { return "'" + String(v).replace(/'/g, "''") + "'"; });
      if (f.operator === "set") where.push(name(f.member) + " IS NOT NULL");
      else if (f.operator === "notSet") where.push(name(f.member) + " IS NULL");
      else if (f.operator === "equals" && quoted.length > 1) where.push(name(f.member) + " IN (" + quoted.join(", ") + ")");
      else if (operators[f.operator]) where.push(name(f.member) + " " + operators[f.operator] + " " + quoted[0]);
      else if (f.operator === "contains") where.push(name(f.member) + " ILIKE '%" + (f.values || [""])[0].replace(/'/g, "''") + "%'");
      else if (f.operator === "startsWith") where.push(name(f.member) + " ILIKE '" + (f.values || [""])[0].replace(/'/g, "''") + "%'");
      else if (f.operator === "endsWith") where.push(name(f.member) + " ILIKE '%" + (f.values || [""])[0].replace(/'/g, "''") + "'");
      else where.push("-- " + f.operator + " on " + f.member + " has no SQL API form here");
    });
    return "SELECT " + select.join(", ") + '\nFROM "' + cubes[0] + '"' + (where.length ? "\nWHERE " + where.join("\n  AND ") : "") +
      (group.length ? "\nGROUP BY " + group.join(", ") : "") + (query.limit ? "\nLIMIT " + query.limit : "");
  }

  /* A line per measure over a time dimension with a granularity; otherwise bars. */
  function chart(query, rows) {
    var measures = query.measures || [];
    if (!measures.length || !rows.length) return "";
    var time = (query.timeDimensions || []).filter(function (t) { return t.granularity; })[0];
    var xKey = time ? time.dimension + "." + time.granularity : (query.dimensions || [])[0];
    var labels = rows.map(function (row, i) { return xKey ? String(row[xKey] === null ? "∅" : row[xKey]).replace(/T00:00:00(\.000)?$/, "") : String(i + 1); });
    var series = measures.slice(0, 4).map(function (m) { return rows.map(function (row) { return Number(row[m]) || 0; }); });
    /* With several measures, each is drawn on its own scale (its range is in the key). */
    var ranges = series.map(function (values) {
      return { max: Math.max.apply(null, values.concat([0])), min: Math.min.apply(null, values.concat([0])) };
    });
    var width = 760, height = 260, left = 60, bottom = 40, plotW = width - left - 10, plotH = height - bottom - 10, current = 0;
    var max = ranges[0].max;
    function y(v) { var r = ranges[current]; return 10 + plotH - (v - r.min) / ((r.max - r.min) || 1) * plotH; }
    var colors = ["#2f6fde", "#1f9d6b", "#d14b7f", "#c77d16"];
    var svg = ['<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart" data-kind="' + (time ? "line" : "bar") + '" width="' + width + '" height="' + height + '">'];
    svg.push('<line class="axis" x1="' + left + '" y1="' + y(0) + '" x2="' + (width - 10) + '" y2="' + y(0) + '"/>');
    svg.push('<text class="axis" x="' + (left - 6) + '" y="' + (y(max) + 4) + '" text-anchor="end">' + E(max.toLocaleString()) + "</text>");
    var step = plotW / Math.max(rows.length, 1);
    series.forEach(function (values, s) {
      current = s;
      if (time) {
        var points = values.map(function (v, i) { return (left + step * (i + 0.5)).toFixed(1) + "," + y(v).toFixed(1); });
        svg.push('<polyline class="series" data-measure="' + E(measures[s]) + '" fill="none" stroke="' + colors[s] + '" stroke-width="2" points="' + points.join(" ") + '"/>');
      } else {
        var barW = Math.max(1, step / series.length * 0.8);
        values.forEach(function (v, i) {
          var x = left + step * i + step * 0.1 + barW * s;
          svg.push('<rect class="series" data-measure="' + E(measures[s]) + '" x="' + x.toFixed(1) + '" y="' + Math.min(y(v), y(0)).toFixed(1) + '" width="' + barW.toFixed(1) +
            '" height="' + Math.abs(y(0) - y(v)).toFixed(1) + '" fill="' + colors[s] + '"><title>' + E(labels[i] + ": " + v) + "</title></rect>");
        });
      }
    });
    current = 0;
    var every = Math.ceil(rows.length / 12);
    labels.forEach(function (label, i) {
      if (i % every === 0) svg.push('<text class="axis" x="' + (left + step * (i + 0.5)).toFixed(1) + '" y="' + (height - bottom + 16) + '" text-anchor="middle">' + E(label.slice(0, 12)) + "</text>");
    });
    svg.push('<g class="key">' + measures.slice(0, 4).map(function (m, s) {
      return '<text x="' + (left + 10 + s * 180) + '" y="' + (height - 6) + '" fill="' + colors[s] + '">■ ' + E(m) +
        (series.length > 1 ? " (to " + ranges[s].max.toLocaleString() + ")" : "") + "</text>";
    }).join("") + "</g></svg>");
    return '<div class="graph chart-box">' + svg.join("") + "</div>";
  }

  function route() {
    var hash = location.hash.replace(/^#/, "") || "/assets";
    var match = /^\/([a-z]+)\/?([^?]*)(?:\?(.*))?$/.exec(hash) || [null, "assets", "", ""];
    var page = match[1], rest = decodeURIComponent(match[2]), query = {};
    (match[3] || "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) query[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1));
    });
    Array.prototype.forEach.call(document.querySelectorAll("header nav a"), function (a) {
      a.classList.toggle("current", a.getAttribute("data-page") === page);
    });
    var shown;
    switch (page) {
      case "runs": shown = rest ? runPage(rest) : runsPage(); break;
      case "tests": shown = testsPage(); break;
      case "playground": shown = playgroundPage(query); break;
      default: shown = assetsPage(query);
    }
    shown.catch(function (error) { main.innerHTML = problem(error); });
  }

  var field = document.getElementById("token");
  field.value = token();
  document.getElementById("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem("floe.token", field.value.trim());
    state.overview = null;
    route();
  });
  window.addEventListener("hashchange", route);
  route();
})();
"""#
}
