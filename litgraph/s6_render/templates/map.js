// litgraph map: reads the graph (the page's JSON element, and the parts map/part-*.js pushed before this
// script runs), draws it with vis-network, and fills the panel.
// Every input string is set with textContent (never innerHTML), so no text can become markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  (window.LITGRAPH_PARTS || []).forEach(function (part) {
    data.nodes = data.nodes.concat(part.nodes);
    data.edges = data.edges.concat(part.edges);
    Object.keys(part.details).forEach(function (id) { data.details[id] = part.details[id]; });
  });
  var lang = "en";
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges.map(function (e, i) { e.id = "e" + i; return e; }));
  var network = new vis.Network(document.getElementById("map"), { nodes: nodes, edges: edges }, data.options);
  window.litgraph = { network: network, nodes: nodes, edges: edges, data: data, ready: false };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function fold(s) {
    return String(s || "").toLowerCase().replace(/ø/g, "o").replace(/æ/g, "ae").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }
  function themeLabel(id) {
    var d = data.details["t:" + id];
    return d ? (d.labels[lang] || d.labels.en || id) : id;
  }
  function link(text, nodeId) {
    var a = el("a", text);
    a.href = "#" + nodeId.replace(/^t:/, "theme=").replace(/^w:/, "work=").replace(/^c:/, "claim=");
    return a;
  }
  function row(panel, label, value) {
    if (value === undefined || value === null || value === "") return;
    var p = el("p");
    p.appendChild(el("strong", label + ": "));
    if (value instanceof Node) p.appendChild(value); else p.appendChild(document.createTextNode(String(value)));
    panel.appendChild(p);
  }
  function list(panel, title, items, render) {
    if (!items || !items.length) return;
    panel.appendChild(el("h3", title));
    var ul = el("ul");
    items.forEach(function (item) { var li = el("li"); render(li, item); ul.appendChild(li); });
    panel.appendChild(ul);
  }

  function showDetails(nodeId) {
    var panel = document.getElementById("details");
    panel.textContent = "";
    var d = data.details[nodeId];
    if (!d) { panel.appendChild(el("p", "Click a node to see its details.", "hint")); return; }
    if (d.kind === "theme") {
      panel.appendChild(el("h2", d.labels[lang] || d.id));
      row(panel, lang === "en" ? "Norsk" : "English", d.labels[lang === "en" ? "nb" : "en"]);
      row(panel, "Id", d.id);
      row(panel, "Definition", d.definitions[lang] || d.definitions.en);
      row(panel, "Claims", d.claims);
      row(panel, "Works", d.works);
      list(panel, "Broader", d.broader, function (li, t) { li.appendChild(link(themeLabel(t), "t:" + t)); });
      list(panel, "Narrower", d.narrower, function (li, t) { li.appendChild(link(themeLabel(t), "t:" + t)); });
      var page = el("a", "Theme page"); page.href = d.page;
      panel.appendChild(page);
    } else if (d.kind === "work") {
      panel.appendChild(el("h2", d.citation));
      row(panel, "Title", d.title);
      row(panel, "Reference", d.reference);
      row(panel, "Type", d.type);
      if (d.doi) { var a = el("a", d.doi); a.href = "https://doi.org/" + encodeURI(d.doi); row(panel, "DOI", a); }
      row(panel, "Cited by (in this graph)", d.cited_by);
      list(panel, "Themes", d.themes, function (li, t) { li.appendChild(link(themeLabel(t), "t:" + t)); });
      list(panel, "Claims", d.claims, function (li, c) {
        li.appendChild(link(c.text, "c:" + c.id));
        var where = [c.reported_in, c.locator].filter(Boolean).join(", ");
        if (where) li.appendChild(el("span", " (" + where + ")", "where"));
      });
      var wp = el("a", "Work page"); wp.href = d.page;
      panel.appendChild(wp);
    } else {
      panel.appendChild(el("h2", "Claim"));
      panel.appendChild(el("p", d.text, "claim-text"));
      row(panel, "Source", link(d.source_citation, "w:" + d.source));
      if (d.reported_in) row(panel, "Read in", link(d.reported_in_citation || d.reported_in, "w:" + d.reported_in));
      row(panel, "Where", d.locator);
      row(panel, "Evidence", d.evidence);
      if (d.question) row(panel, "Takes a side", d.stance + " on " + d.question);
      list(panel, "Themes", d.themes, function (li, t) { li.appendChild(link(themeLabel(t), "t:" + t)); });
      list(panel, "Disputes", d.disputes, function (li, c) {
        var other = data.details["c:" + c];
        li.appendChild(link(other ? other.text : c, "c:" + c)); li.className = "dispute";
      });
      list(panel, "Supports", d.supports, function (li, c) {
        var other = data.details["c:" + c]; li.appendChild(link(other ? other.text : c, "c:" + c));
      });
      var cp = el("a", "On its work's page"); cp.href = d.page;
      panel.appendChild(cp);
    }
  }

  function select(nodeId, focus) {
    if (!nodes.get(nodeId)) return false;
    network.selectNodes([nodeId]);
    if (focus) network.focus(nodeId, { scale: 1.2, animation: false });
    showDetails(nodeId);
    return true;
  }
  function fromHash() {
    var m = /^#(theme|work|claim)=(.+)$/.exec(decodeURIComponent(location.hash));
    if (!m) return;
    select({ theme: "t:", work: "w:", claim: "c:" }[m[1]] + m[2], true);
  }
  network.on("click", function (params) {
    if (!params.nodes.length) return;
    var id = params.nodes[0];
    showDetails(id);
    var hash = "#" + id.replace(/^t:/, "theme=").replace(/^w:/, "work=").replace(/^c:/, "claim=");
    history.replaceState(null, "", hash);
  });
  window.addEventListener("hashchange", fromHash);

  // Theme filter: a theme with its narrower themes, their claims, and the works of those claims.
  var filter = document.getElementById("theme-filter");
  function fillFilter() {
    var current = filter.value;
    filter.textContent = "";
    filter.appendChild(el("option", lang === "en" ? "All themes" : "Alle temaer")).value = "";
    data.tree.forEach(function (t) {
      var option = el("option", "\u00a0\u00a0".repeat(t.depth) + (t.labels[lang] || t.id));
      option.value = t.id; filter.appendChild(option);
    });
    filter.value = current;
  }
  function subtree(id) {
    var out = [id], i = 0;
    while (i < out.length) { (data.children[out[i]] || []).forEach(function (c) { out.push(c); }); i++; }
    return out;
  }
  function applyFilter() {
    var theme = filter.value, updates = [];
    if (!theme) {
      data.nodes.forEach(function (n) { updates.push({ id: n.id, hidden: false }); });
    } else {
      var themes = {}, keep = {};
      subtree(theme).forEach(function (t) { themes[t] = true; keep["t:" + t] = true; });
      Object.keys(data.details).forEach(function (id) {
        var d = data.details[id];
        if (d.kind === "claim" && d.themes.some(function (t) { return themes[t]; })) {
          keep[id] = true; keep["w:" + d.source] = true;
        }
        if (d.kind === "work" && d.themes.some(function (t) { return themes[t]; })) keep[id] = true;
      });
      data.nodes.forEach(function (n) { updates.push({ id: n.id, hidden: !keep[n.id] }); });
    }
    nodes.update(updates);
    document.getElementById("visible-count").textContent =
      String(updates.filter(function (u) { return !u.hidden; }).length);
  }
  filter.addEventListener("change", applyFilter);

  // Search works by author or title.
  var search = document.getElementById("search"), results = document.getElementById("search-results");
  search.addEventListener("input", function () {
    var q = fold(search.value);
    results.textContent = "";
    if (q.length < 2) return;
    var hits = Object.keys(data.details).filter(function (id) {
      var d = data.details[id]; return d.kind === "work" && d.search.indexOf(q) >= 0;
    }).slice(0, 12);
    hits.forEach(function (id) {
      var li = el("li"); li.appendChild(link(data.details[id].citation + " — " + (data.details[id].title || ""), id));
      results.appendChild(li);
    });
    if (!hits.length) results.appendChild(el("li", "No work matches.", "hint"));
  });

  // nb/en switch for theme labels.
  document.getElementById("lang").addEventListener("change", function (e) {
    lang = e.target.value;
    nodes.update(data.nodes.filter(function (n) { return n.kind === "theme"; }).map(function (n) {
      return { id: n.id, label: themeLabel(n.id.slice(2)) };
    }));
    fillFilter();
    var selected = network.getSelectedNodes();
    showDetails(selected.length ? selected[0] : null);
  });

  fillFilter();
  document.getElementById("node-count").textContent = String(data.nodes.length);
  document.getElementById("visible-count").textContent = String(data.nodes.length);
  showDetails(null);
  fromHash();
  window.litgraph.ready = true;
  document.body.setAttribute("data-ready", "true");
  network.once("afterDrawing", function () {
    window.litgraph.drawnAt = performance.now();
    document.body.setAttribute("data-drawn", "true");
  });
  network.redraw();
})();
