/// `docs.js`: the docs site's pages over `window.FLOE_DOCS` (`data.js`), routed by the URL's
/// hash (`#!/node/<id>`, `#!/graph?select=…`, `#!/search?q=…`, `#!/test/<id>`, `#!/macro/<id>`)
/// so the site opens from the file system as well as from a server.
enum DocsScript {
    static let source = #"""
"use strict";
/* The docs site: one page app over window.FLOE_DOCS (data.js), routed by the URL's hash so it
   opens from the file system as well as from a server. */
(function () {
  var data = window.FLOE_DOCS, E = FloeGraph.escape;
  var nodes = data.nodes, tests = data.tests, macros = data.macros;
  var graphNodes = Object.keys(nodes).map(function (id) { return nodes[id]; });
  var graph = FloeGraph.build(graphNodes);
  var main = document.getElementById("main");
  var TYPES = [["source", "Sources"], ["seed", "Seeds"], ["model", "Models"], ["snapshot", "Snapshots"],
    ["analysis", "Analyses"], ["exposure", "Exposures"], ["cube", "Cubes"]];

  function link(id, text) {
    var target = nodes[id] ? "#!/node/" : tests[id] ? "#!/test/" : macros[id] ? "#!/macro/" : null;
    var label = E(text || (nodes[id] || tests[id] || macros[id] || { name: id }).name);
    return target ? '<a href="' + target + encodeURIComponent(id) + '">' + label + "</a>" : label;
  }

  /* Markdown enough for descriptions: paragraphs, headings, lists, code, bold, italics, links. */
  function markdown(text) {
    if (!text) return '<p class="muted">No description.</p>';
    var blocks = String(text).split(/\n\s*\n/);
    return blocks.map(function (block) {
      var html = E(block.trim())
        .replace(/`([^`]+)`/g, "<code>$1</code>")
        .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
        .replace(/(^|[^*])\*([^*\n]+)\*/g, "$1<em>$2</em>")
        .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>');
      var heading = /^(#{1,4}) (.*)$/.exec(html);
      if (heading) return "<h" + (heading[1].length + 2) + ">" + heading[2] + "</h" + (heading[1].length + 2) + ">";
      if (/^[-*] /.test(html)) {
        return "<ul>" + html.split(/\n/).map(function (line) { return "<li>" + line.replace(/^[-*] /, "") + "</li>"; }).join("") + "</ul>";
      }
      return "<p>" + html.replace(/\n/g, "<br>") + "</p>";
    }).join("");
  }

  function status(run) {
    return run ? '<span class="status status-' + E(run.status) + '">' + E(run.status.replace(/_/g, " ")) + "</span>" : "";
  }

  function sidebar() {
    var html = ['<form id="search-form"><input id="search" type="search" placeholder="Search models, columns, descriptions" ' +
      'autocomplete="off"></form><nav id="tree">', '<a class="top" href="#!/overview">Overview</a>',
      '<a class="top" href="#!/graph">Lineage graph</a>'];
    TYPES.forEach(function (type) {
      var members = graphNodes.filter(function (node) { return node.type === type[0]; });
      if (!members.length) return;
      html.push('<details open><summary>' + type[1] + ' <span class="count">' + members.length + "</span></summary>");
      var groups = {};
      members.forEach(function (node) {
        var folder = type[0] === "source" ? node.source_name : (node.fqn || []).slice(1, -1).join("/");
        (groups[folder] = groups[folder] || []).push(node);
      });
      Object.keys(groups).sort().forEach(function (folder) {
        if (folder) html.push('<div class="folder">' + E(folder) + "</div>");
        groups[folder].sort(function (a, b) { return a.name < b.name ? -1 : 1; }).forEach(function (node) {
          html.push('<a class="leaf" data-id="' + E(node.id) + '" href="#!/node/' + encodeURIComponent(node.id) + '">' + E(node.name) + "</a>");
        });
      });
      html.push("</details>");
    });
    var macroIDs = Object.keys(macros).sort();
    if (macroIDs.length) {
      html.push('<details><summary>Macros <span class="count">' + macroIDs.length + "</span></summary>");
      macroIDs.forEach(function (id) { html.push('<a class="leaf" href="#!/macro/' + encodeURIComponent(id) + '">' + E(macros[id].name) + "</a>"); });
      html.push("</details>");
    }
    html.push("</nav>");
    document.getElementById("sidebar").innerHTML = html.join("");
    document.getElementById("search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      location.hash = "#!/search?q=" + encodeURIComponent(document.getElementById("search").value);
    });
    document.getElementById("search").addEventListener("input", function (event) {
      location.hash = "#!/search?q=" + encodeURIComponent(event.target.value);
    });
  }

  function overview() {
    var p = data.project, counts = {};
    graphNodes.forEach(function (node) { counts[node.type] = (counts[node.type] || 0) + 1; });
    var rows = TYPES.filter(function (t) { return counts[t[0]]; }).map(function (t) {
      return "<tr><td>" + t[1] + '</td><td class="number">' + counts[t[0]] + "</td></tr>";
    }).join("");
    return "<h1>" + E(p.product) + ' <span class="muted">' + E(p.version) + "</span></h1>" + markdown(p.description) +
      '<table class="facts"><tr><th>dbt project</th><td>' + E(p.name) + "</td></tr><tr><th>Environment</th><td>" + E(p.environment) +
      " (namespace " + E(p.namespace) + ")</td></tr><tr><th>Engine</th><td>" + E(p.engine) + "</td></tr><tr><th>Generated</th><td>" +
      E(p.generated_at) + "</td></tr><tr><th>Catalog</th><td>" + (p.catalog ? "read from the warehouse" : "not read (types as declared)") +
      "</td></tr>" + (p.last_run ? "<tr><th>Last run</th><td>" + E(p.last_run.command) + " at " + E(p.last_run.completed_at) + "</td></tr>" : "") +
      '</table><h2>Contents</h2><table class="facts">' + rows + "<tr><td>Tests</td><td class=\"number\">" + Object.keys(tests).length +
      '</td></tr><tr><td>Macros</td><td class="number">' + Object.keys(macros).length + "</td></tr></table>" +
      '<p><a href="#!/graph">The whole lineage graph</a></p>';
  }

  function code(title, sql, open) {
    if (!sql) return "";
    return "<details" + (open ? " open" : "") + ' class="code"><summary>' + E(title) + '</summary><pre><code>' + E(sql) + "</code></pre></details>";
  }

  function testBadge(id) {
    var test = tests[id];
    if (!test) return "";
    var state = test.run ? test.run.status : "not-run";
    return '<a class="test status-' + E(state) + '" href="#!/test/' + encodeURIComponent(id) + '" title="' + E(test.name + ": " + state) + '">' +
      E(test.test_name) + "</a>";
  }

  function lineageOf(node, column) {
    var inputs = ((data.column_lineage[node.id] || {})[column] || []);
    return inputs.map(function (input) {
      var from = nodes[input[0]];
      return '<span class="lineage" title="' + E(input[2]) + '">' + (from ? link(from.id) : E(input[0])) + "." + E(input[1]) + "</span>";
    }).join(", ");
  }

  function columnsTable(node) {
    if (!node.columns || !node.columns.length) return "";
    var hasLineage = node.columns.some(function (c) { return lineageOf(node, c.name); });
    var rows = node.columns.map(function (column) {
      return '<tr data-column="' + E(column.name) + '"><td class="name">' + E(column.name) + '</td><td class="type">' + E(column.type || "") +
        "</td><td>" + (column.description ? markdown(column.description) : "") + '</td><td class="tests">' + column.tests.map(testBadge).join(" ") +
        "</td>" + (hasLineage ? '<td class="upstream">' + lineageOf(node, column.name) + "</td>" : "") + "</tr>";
    }).join("");
    return '<h2>Columns</h2><table class="columns"><thead><tr><th>Column</th><th>Type</th><th>Description</th><th>Tests</th>' +
      (hasLineage ? "<th>From</th>" : "") + "</tr></thead><tbody>" + rows + "</tbody></table>";
  }

  function nodePage(id) {
    var node = nodes[id];
    if (!node) return "<h1>Not found</h1><p>No node " + E(id) + ".</p>";
    var facts = [["Type", E(node.type) + (node.config && node.config.materialized ? " · " + E(node.config.materialized) : "")]];
    if (node.relation) facts.push(["Relation", "<code>" + E(node.relation) + "</code>"]);
    if (node.path) facts.push(["File", "<code>" + E(node.path) + "</code>"]);
    facts.push(["Package", E(node.package)]);
    if (node.tags && node.tags.length) facts.push(["Tags", node.tags.map(E).join(", ")]);
    if (node.owner) facts.push(["Owner", E(node.owner)]);
    if (node.url) facts.push(["URL", '<a href="' + E(node.url) + '">' + E(node.url) + "</a>"]);
    if (node.stats) facts.push(["In the warehouse", E(node.stats.kind) + (node.stats.rows !== null ? ", " + node.stats.rows + " rows" : "")]);
    if (node.run) facts.push(["Last run", status(node.run) + (node.run.completed_at ? " at " + E(node.run.completed_at) : "") +
      (node.run.message ? " — " + E(node.run.message) : "")]);
    var config = node.config ? Object.keys(node.config).filter(function (k) { return k !== "materialized"; }) : [];
    config.forEach(function (key) { facts.push(["config." + key, "<code>" + E(JSON.stringify(node.config[key])) + "</code>"]); });
    var parents = graph.parents[id] || [], children = graph.children[id] || [];
    var nodeTests = Object.keys(tests).filter(function (t) { return tests[t].attached === id && !tests[t].column; });
    var html = ['<div class="crumbs">' + (node.fqn || []).map(E).join(" / ") + "</div>",
      '<h1 id="node-title">' + E(node.name) + ' <span class="badge type-' + E(node.type) + '">' + E(node.type) + "</span></h1>",
      '<div class="description">' + markdown(node.description) + "</div>",
      '<table class="facts">' + facts.map(function (f) { return "<tr><th>" + f[0] + "</th><td>" + f[1] + "</td></tr>"; }).join("") + "</table>",
      columnsTable(node)];
    if (node.measures) {
      html.push('<h2>Measures</h2><table class="members"><tr><th>Measure</th><th>Type</th><th>Description</th></tr>' + node.measures.map(function (m) {
        return "<tr><td>" + E(m.name) + "</td><td>" + E(m.type) + "</td><td>" + E(m.description) + "</td></tr>";
      }).join("") + "</table>");
      html.push('<h2>Dimensions</h2><table class="members"><tr><th>Dimension</th><th>Type</th><th>Description</th></tr>' + node.dimensions.map(function (d) {
        return "<tr><td>" + E(d.name) + (d.primary_key ? " 🔑" : "") + "</td><td>" + E(d.type) + "</td><td>" + E(d.description) + "</td></tr>";
      }).join("") + "</table>");
      if (node.joins.length) html.push("<h2>Joins</h2><ul>" + node.joins.map(function (j) { return "<li>" + link("cube." + j.name, j.name) + " (" + E(j.relationship) + ")</li>"; }).join("") + "</ul>");
      if (node.pre_aggregations.length) html.push("<h2>Pre-aggregations</h2><ul>" + node.pre_aggregations.map(function (a) {
        return "<li><code>" + E(a.name) + "</code>: " + E(a.measures.join(", ")) + (a.dimensions.length ? " by " + E(a.dimensions.join(", ")) : "") +
          (a.time_dimension ? " per " + E(a.granularity || "") + " of " + E(a.time_dimension) : "") + "</li>";
      }).join("") + "</ul>");
    }
    if (nodeTests.length) html.push("<h2>Tests</h2><p>" + nodeTests.map(testBadge).join(" ") + "</p>");
    html.push('<div class="relations"><div><h2>Depends on</h2>' + (parents.length ? "<ul>" + parents.map(function (p) { return "<li>" + link(p) + "</li>"; }).join("") + "</ul>" : '<p class="muted">Nothing.</p>') +
      '</div><div><h2>Referenced by</h2>' + (children.length ? "<ul>" + children.map(function (c) { return "<li>" + link(c) + "</li>"; }).join("") + "</ul>" : '<p class="muted">Nothing.</p>') + "</div></div>");
    var around = "+" + node.name + "+";
    html.push('<h2>Lineage <a class="small" href="#!/graph?select=' + encodeURIComponent(around) + '">open as ' + E(around) + '</a></h2><div id="graph" class="graph small-graph"></div>');
    html.push(code("Source", node.raw, false));
    html.push(code(node.type === "cube" ? "SQL" : "Compiled SQL", node.compiled, true));
    main.innerHTML = html.join("");
    var chosen = new Set([id]);
    (graph.parents[id] || []).forEach(function (p) { chosen.add(p); });
    (graph.children[id] || []).forEach(function (c) { chosen.add(c); });
    var wide = FloeGraph.select(graph, "+" + id + "+");
    FloeGraph.draw(document.getElementById("graph"), graph, wide.size <= 60 ? wide : chosen, { focus: id, classOf: statusClass, onOpen: open });
    return null;
  }

  function statusClass(node) { return node.run ? ["status-" + node.run.status] : []; }
  function open(id) { location.hash = "#!/node/" + encodeURIComponent(id); }

  function testPage(id) {
    var test = tests[id];
    if (!test) return "<h1>Not found</h1>";
    var facts = [["Test", E(test.test_name)], ["Severity", E(test.severity)]];
    if (test.attached) facts.push(["On", link(test.attached) + (test.column ? "." + E(test.column) : "")]);
    if (test.run) facts.push(["Last run", status(test.run) + (test.run.failures !== undefined ? ", " + test.run.failures + " failing rows" : "") +
      (test.run.message ? " — " + E(test.run.message) : "")]);
    return '<h1 id="node-title">' + E(test.name) + ' <span class="badge type-test">test</span></h1><table class="facts">' +
      facts.map(function (f) { return "<tr><th>" + f[0] + "</th><td>" + f[1] + "</td></tr>"; }).join("") + "</table>" +
      "<h2>Depends on</h2><ul>" + test.depends_on.map(function (d) { return "<li>" + link(d) + "</li>"; }).join("") + "</ul>" +
      code("Compiled SQL", test.compiled, true);
  }

  function macroPage(id) {
    var macro = macros[id];
    if (!macro) return "<h1>Not found</h1>";
    return '<h1 id="node-title">' + E(macro.name) + ' <span class="badge type-macro">macro</span></h1><table class="facts"><tr><th>Package</th><td>' +
      E(macro.package) + "</td></tr><tr><th>File</th><td><code>" + E(macro.path) + "</code></td></tr><tr><th>Arguments</th><td>" +
      (macro.arguments.map(E).join(", ") || "none") + "</td></tr></table>" + code("Source", macro.sql, true);
  }

  function graphPage(selection) {
    main.innerHTML = '<h1>Lineage graph</h1><form id="select-form" class="select"><input id="select" value="' + E(selection) +
      '" placeholder="dbt selection: +fct_orders+, tag:daily, path:models/marts, resource_type:seed"><button>Show</button>' +
      '<span id="graph-count" class="muted"></span></form><div class="legend">' + TYPES.map(function (t) {
        return '<span class="badge type-' + t[0] + '">' + t[0] + "</span>";
      }).join(" ") + '</div><div id="graph" class="graph"></div>';
    var chosen = FloeGraph.select(graph, selection);
    var placed = FloeGraph.draw(document.getElementById("graph"), graph, chosen, { classOf: statusClass, onOpen: open });
    document.getElementById("graph-count").textContent = placed.nodes.length + " nodes, " + placed.edges.length + " edges";
    document.getElementById("select-form").addEventListener("submit", function (event) {
      event.preventDefault();
      location.hash = "#!/graph?select=" + encodeURIComponent(document.getElementById("select").value);
    });
    return null;
  }

  function searchPage(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var box = document.getElementById("search");
    if (box && box.value !== query) box.value = query;
    if (!words.length) return "<h1>Search</h1><p class=\"muted\">Type a name, a column or words of a description.</p>";
    var results = [];
    graphNodes.concat(Object.keys(macros).map(function (id) { var m = macros[id]; return { id: id, name: m.name, type: "macro", description: "", columns: [] }; }))
      .forEach(function (node) {
        var name = node.name.toLowerCase(), text = (node.description || "").toLowerCase();
        var columns = (node.columns || []).filter(function (c) {
          return words.some(function (w) { return c.name.toLowerCase().indexOf(w) >= 0; });
        });
        var score = 0;
        var all = words.every(function (w) {
          var hit = false;
          if (name.indexOf(w) >= 0) { score += name === w ? 100 : 10; hit = true; }
          if (text.indexOf(w) >= 0) { score += 3; hit = true; }
          if ((node.columns || []).some(function (c) { return c.name.toLowerCase().indexOf(w) >= 0 || (c.description || "").toLowerCase().indexOf(w) >= 0; })) { score += 2; hit = true; }
          return hit;
        });
        if (all) results.push({ node: node, score: score, columns: columns });
      });
    results.sort(function (a, b) { return b.score - a.score || (a.node.name < b.node.name ? -1 : 1); });
    return "<h1>Search</h1><p class=\"muted\" id=\"result-count\">" + results.length + " results for “" + E(query) + "”</p><ul class=\"results\">" +
      results.slice(0, 200).map(function (r) {
        return '<li data-id="' + E(r.node.id) + '">' + link(r.node.id, r.node.name) + ' <span class="badge type-' + E(r.node.type) + '">' + E(r.node.type) +
          "</span>" + (r.columns.length ? ' <span class="muted">columns: ' + r.columns.map(function (c) { return E(c.name); }).join(", ") + "</span>" : "") +
          (r.node.description ? '<div class="muted snippet">' + E(r.node.description.slice(0, 160)) + "</div>" : "") + "</li>";
      }).join("") + "</ul>";
  }

  function route() {
    var hash = decodeURIComponent(location.hash.replace(/^#!?/, "")) || "/overview";
    var parts = /^\/([a-z]+)\/?([^?]*)(?:\?(.*))?$/.exec(hash) || [null, "overview", "", ""];
    var page = parts[1], rest = parts[2], query = {};
    (parts[3] || "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) query[pair.slice(0, at)] = pair.slice(at + 1);
    });
    var html;
    switch (page) {
      case "node": html = nodePage(rest); break;
      case "test": html = testPage(rest); break;
      case "macro": html = macroPage(rest); break;
      case "graph": html = graphPage(query.select || ""); break;
      case "search": html = searchPage(query.q || ""); break;
      default: html = overview();
    }
    if (html !== null) main.innerHTML = html;
    Array.prototype.forEach.call(document.querySelectorAll("#tree a.leaf"), function (a) {
      a.classList.toggle("current", page === "node" && a.getAttribute("data-id") === rest);
    });
    document.title = (page === "node" && nodes[rest] ? nodes[rest].name + " · " : "") + data.project.product + " docs";
    main.scrollTop = 0;
  }

  sidebar();
  window.addEventListener("hashchange", route);
  route();
})();
"""#
}
