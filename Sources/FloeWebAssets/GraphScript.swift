/// `graph.js`, shared by the docs site and `floe serve`'s UI: dbt's node selection syntax
/// (`+fct_orders+`, `tag:nightly`, `path:models/marts`, `resource_type:seed`, `@`, unions and
/// intersections), a layered layout of a DAG (layers by longest path, each layer ordered by its
/// neighbours' mean position in alternating sweeps) and its drawing as SVG. No library: the pages
/// fetch nothing at run time, so they work offline.
public enum GraphScript {
    public static let source = #"""
"use strict";


/* floe's graph for the docs site and the UI: dbt's node selection syntax, a layered layout
   (layers by longest path, order by barycentres) and SVG drawing. No libraries. */
var FloeGraph = (function () {
  var NODE_WIDTH = 180, NODE_HEIGHT = 30, GAP_X = 70, GAP_Y = 14, MARGIN = 16;

  function glob(pattern) {
    var escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp("^" + escaped + "$", "i");
  }

  /* Whether a node matches one selector method (`tag:nightly`, `path:models/staging`, a name). */
  function matches(node, method, value) {
    var pattern = glob(value);
    switch (method) {
      case "tag": return (node.tags || []).some(function (tag) { return pattern.test(tag); });
      case "path": {
        var path = node.path || "", prefix = value.replace(/\/$/, "");
        return path === prefix || path.indexOf(prefix + "/") === 0 || pattern.test(path);
      }
      case "resource_type": return pattern.test(node.type);
      case "package": return pattern.test(node.package || "");
      case "source":
        return node.type === "source" && (pattern.test(node.source_name) || pattern.test(node.source_name + "." + node.name));
      case "exposure": case "cube": case "metric": case "semantic_model": case "saved_query":
        return node.type === method && pattern.test(node.name);
      case "fqn": return pattern.test((node.fqn || []).join("."));
      default:
        return pattern.test(node.name) || pattern.test(node.id) || pattern.test((node.fqn || []).join("."));
    }
  }

  /* Ids reachable from `start` along `edges` (parents or children), at most `depth` steps. */
  function reach(start, edges, depth, into) {
    var frontier = start.slice(), level = 0;
    while (frontier.length && level < depth) {
      var next = [];
      frontier.forEach(function (id) {
        (edges[id] || []).forEach(function (other) {
          if (!into.has(other)) { into.add(other); next.push(other); }
        });
      });
      frontier = next;
      level += 1;
    }
  }

  /* One selector: `[@][N+]method:value[+N]`. */
  function atom(graph, text) {
    var at = text.charAt(0) === "@";
    if (at) text = text.slice(1);
    var parts = /^(\d*\+)?(.*?)(\+\d*)?$/.exec(text);
    var up = parts[1] ? (parts[1].length > 1 ? parseInt(parts[1], 10) : Infinity) : 0;
    var down = parts[3] ? (parts[3].length > 1 ? parseInt(parts[3].slice(1), 10) : Infinity) : 0;
    var body = parts[2], colon = body.indexOf(":");
    var method = colon > 0 ? body.slice(0, colon) : "", value = colon > 0 ? body.slice(colon + 1) : body;
    var base = Object.keys(graph.nodes).filter(function (id) { return matches(graph.nodes[id], method, value); });
    var selected = new Set(base);
    if (up) reach(base, graph.parents, up, selected);
    if (down || at) reach(base, graph.children, at ? Infinity : down, selected);
    if (at) reach(Array.from(selected), graph.parents, Infinity, selected);
    return selected;
  }

  /* dbt's selection: space-separated selectors are a union, comma-joined ones an intersection. */
  function select(graph, expression) {
    var text = (expression || "").trim();
    if (!text) return new Set(Object.keys(graph.nodes));
    var result = new Set();
    text.split(/\s+/).forEach(function (term) {
      var sets = term.split(",").filter(Boolean).map(function (part) { return atom(graph, part); });
      var first = sets.shift() || new Set();
      first.forEach(function (id) {
        if (sets.every(function (set) { return set.has(id); })) result.add(id);
      });
    });
    return result;
  }

  /* Places the chosen nodes left to right: a node's layer is one past its furthest parent's; in
     each layer nodes are ordered by the mean position of their neighbours, sweeping down and up. */
  function layout(graph, chosen) {
    var ids = Array.from(chosen).sort(function (a, b) {
      var x = graph.nodes[a].name, y = graph.nodes[b].name;
      return x < y ? -1 : x > y ? 1 : (a < b ? -1 : 1);
    });
    var inside = new Set(ids), layerOf = {};
    function parents(id) { return (graph.parents[id] || []).filter(function (p) { return inside.has(p); }); }
    function children(id) { return (graph.children[id] || []).filter(function (c) { return inside.has(c); }); }
    function layerFor(id, stack) {
      if (layerOf[id] !== undefined) return layerOf[id];
      stack.add(id);
      var layer = 0;
      parents(id).forEach(function (p) { if (!stack.has(p)) layer = Math.max(layer, layerFor(p, stack) + 1); });
      stack.delete(id);
      layerOf[id] = layer;
      return layer;
    }
    ids.forEach(function (id) { layerFor(id, new Set()); });
    /* A node that reads nothing here sits just before its first reader, not at the far left. */
    ids.forEach(function (id) {
      var readers = children(id);
      if (!parents(id).length && readers.length) {
        layerOf[id] = Math.max(0, Math.min.apply(null, readers.map(function (c) { return layerOf[c]; })) - 1);
      }
    });
    var layers = [];
    ids.forEach(function (id) { (layers[layerOf[id]] = layers[layerOf[id]] || []).push(id); });
    for (var l = 0; l < layers.length; l++) layers[l] = layers[l] || [];
    var position = {};
    function number(layer) { layer.forEach(function (id, index) { position[id] = index; }); }
    layers.forEach(number);
    function sweep(layer, neighbours) {
      var keyed = layer.map(function (id) {
        var near = neighbours(id);
        var centre = near.length ? near.reduce(function (sum, n) { return sum + position[n]; }, 0) / near.length : position[id];
        return { id: id, key: centre, was: position[id] };
      });
      keyed.sort(function (a, b) { return a.key - b.key || a.was - b.was; });
      return keyed.map(function (entry) { return entry.id; });
    }
    for (var round = 0; round < 6; round++) {
      for (var down = 1; down < layers.length; down++) { layers[down] = sweep(layers[down], parents); number(layers[down]); }
      for (var up = layers.length - 2; up >= 0; up--) { layers[up] = sweep(layers[up], children); number(layers[up]); }
    }
    var tallest = layers.reduce(function (most, layer) { return Math.max(most, layer.length); }, 0);
    var height = MARGIN * 2 + tallest * NODE_HEIGHT + Math.max(0, tallest - 1) * GAP_Y;
    var placed = {};
    layers.forEach(function (layer, index) {
      var span = layer.length * NODE_HEIGHT + Math.max(0, layer.length - 1) * GAP_Y;
      var top = (height - span) / 2;
      layer.forEach(function (id, row) {
        placed[id] = { id: id, x: MARGIN + index * (NODE_WIDTH + GAP_X), y: top + row * (NODE_HEIGHT + GAP_Y), layer: index };
      });
    });
    var edges = [];
    ids.forEach(function (id) { parents(id).forEach(function (p) { edges.push({ from: p, to: id }); }); });
    return {
      nodes: ids.map(function (id) { return placed[id]; }), edges: edges, placed: placed,
      width: MARGIN * 2 + layers.length * NODE_WIDTH + Math.max(0, layers.length - 1) * GAP_X, height: height
    };
  }

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* SVG markup for a layout. `classOf(node)` adds classes (a status); `focus` is highlighted. */
  function svg(graph, placedLayout, options) {
    options = options || {};
    var out = [];
    out.push('<svg xmlns="http://www.w3.org/2000/svg" class="floe-graph" width="' + placedLayout.width + '" height="' +
      placedLayout.height + '" viewBox="0 0 ' + placedLayout.width + " " + placedLayout.height + '">');
    out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">' +
      '<path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs><g class="edges">');
    placedLayout.edges.forEach(function (edge) {
      var a = placedLayout.placed[edge.from], b = placedLayout.placed[edge.to];
      var x1 = a.x + NODE_WIDTH, y1 = a.y + NODE_HEIGHT / 2, x2 = b.x, y2 = b.y + NODE_HEIGHT / 2, bend = (x2 - x1) / 2;
      out.push('<path class="edge" data-from="' + escape(edge.from) + '" data-to="' + escape(edge.to) + '" d="M' + x1 + "," + y1 +
        " C" + (x1 + bend) + "," + y1 + " " + (x2 - bend) + "," + y2 + " " + x2 + "," + y2 + '" marker-end="url(#arrow)"/>');
    });
    out.push('</g><g class="nodes">');
    placedLayout.nodes.forEach(function (place) {
      var node = graph.nodes[place.id];
      var classes = ["node", "type-" + node.type].concat(options.classOf ? options.classOf(node) : []);
      if (options.focus === place.id) classes.push("focus");
      var label = node.name.length > 24 ? node.name.slice(0, 23) + "…" : node.name;
      out.push('<g class="' + classes.join(" ") + '" data-id="' + escape(place.id) + '" transform="translate(' + place.x + "," + place.y +
        ')" tabindex="0"><title>' + escape(node.type + " " + node.name) + '</title><rect width="' + NODE_WIDTH + '" height="' +
        NODE_HEIGHT + '" rx="6"/><text x="10" y="' + (NODE_HEIGHT / 2 + 4) + '">' + escape(label) + "</text></g>");
    });
    out.push("</g></svg>");
    return out.join("");
  }

  /* Draws into `container` and calls `onOpen(id)` when a node is clicked or entered. */
  function draw(container, graph, chosen, options) {
    var placedLayout = layout(graph, chosen);
    container.innerHTML = placedLayout.nodes.length ? svg(graph, placedLayout, options)
      : '<p class="empty">No node matches the selection.</p>';
    Array.prototype.forEach.call(container.querySelectorAll("g.node"), function (element) {
      function open() { if (options && options.onOpen) options.onOpen(element.getAttribute("data-id")); }
      element.addEventListener("click", open);
      element.addEventListener("keydown", function (event) { if (event.key === "Enter") open(); });
    });
    return placedLayout;
  }

  /* {nodes, parents, children} from nodes that list what they depend on. */
  function build(nodes) {
    var graph = { nodes: {}, parents: {}, children: {} };
    nodes.forEach(function (node) { graph.nodes[node.id] = node; });
    nodes.forEach(function (node) {
      graph.parents[node.id] = (node.depends_on || []).filter(function (p) { return graph.nodes[p]; });
      graph.parents[node.id].forEach(function (p) { (graph.children[p] = graph.children[p] || []).push(node.id); });
    });
    return graph;
  }

  return { build: build, select: select, layout: layout, svg: svg, draw: draw, escape: escape };
})();
"""#
}
