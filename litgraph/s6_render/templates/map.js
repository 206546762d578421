// litgraph map: reads the graph (the page's JSON element, and the parts map/part-*.js pushed before this
// script runs), places the works near their themes, draws it with vis-network (names by map_labels.js),
// fills the panel, and follows the address (#theme=, #work=, #claim=, #contested=).
// Every input string is set with textContent (never innerHTML), so no text can become markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  (window.LITGRAPH_PARTS || []).forEach(function (part) {
    data.nodes = data.nodes.concat(part.nodes);
    data.edges = data.edges.concat(part.edges);
    Object.keys(part.details).forEach(function (id) { data.details[id] = part.details[id]; });
  });
  var TEXT = window.LITGRAPH_TEXT, SIDES = { "for": "#2f9e44", against: "#d62828", qualifies: "#e67700",
                                             "side 1": "#2f9e44", "side 2": "#d62828" };
  var lang = pickLanguage(), byId = {}, state = { theme: "", claims: false, clusters: false, contested: null, selected: null };
  place(data.nodes);
  var nodes = new vis.DataSet(data.nodes.filter(function (n) { return n.kind !== "theme"; }).map(visNode)
    .concat(data.nodes.filter(function (n) { return n.kind === "theme"; }).map(visNode)));  // (themes drawn on top)
  // (a large map draws its works' links only where the reader looks: the selected node's)
  var large = data.nodes.length > 3000, edgesOf = {};
  data.edges.forEach(function (e, i) {
    e.id = "e" + i;
    (edgesOf[e.from] = edgesOf[e.from] || []).push(e);
    (edgesOf[e.to] = edgesOf[e.to] || []).push(e);
  });
  var edges = new vis.DataSet(large ? [] : data.edges);
  var container = document.getElementById("map");
  data.options.interaction.dragNodes = false;
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var labels = new window.LitgraphLabels(network, container, function (n) {
    return n.kind === "theme" ? themeLabel(n.id.slice(2)) : n.label;
  });
  window.litgraph = { network: network, nodes: nodes, edges: edges, data: data, labels: labels, ready: false };

  // -- places: themes where the build put them; a node with `at` at the mean of those, moved by its offset.
  function place(list) {
    list.forEach(function (n) { byId[n.id] = n; });
    [0, 1, 2].forEach(function (round) {
      list.forEach(function (n) {
        if (n.x !== undefined || !n.at) return;
        var anchors = n.at.map(function (a) { return byId[a]; }).filter(function (a) { return a && a.x !== undefined; });
        if (!anchors.length && round < 2) return;
        var x = 0, y = 0;
        anchors.forEach(function (a) { x += a.x; y += a.y; });
        n.x = (anchors.length ? x / anchors.length : 0) + n.dx;
        n.y = (anchors.length ? y / anchors.length : 0) + n.dy;
      });
    });
  }
  // vis gets no label (map_labels.js draws the names); claims are folded into their works until asked for.
  // (With the cluster layer on, works take their cluster's colour: clusterColour.)
  function visNode(n) {
    n.hidden = n.kind === "claim";
    return { id: n.id, x: n.x, y: n.y, shape: n.shape, size: n.size, color: clusterColour(n.id, n.kind) || n.color,
             hidden: n.hidden };
  }
  function colour(id) { return clusterColour(id, byId[id].kind) || byId[id].color; }
  // the eight largest clusters of the citation network in colours of their own, the others grey
  var PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4"];
  function clusterColour(id, kind) {
    if (!state.clusters || kind !== "work" || !window.litgraphClusters) return null;
    var c = window.litgraphClusters[id.slice(2)];
    var fill = c !== undefined && c <= PALETTE.length ? PALETTE[c - 1] : "#b0b7bf";
    return { background: fill, border: "#1f2933" };
  }

  // -- words
  function pickLanguage() {
    var stored = null;
    try { stored = window.localStorage.getItem("litgraph-lang"); } catch (e) { stored = null; }
    if (stored === "en" || stored === "nb") return stored;
    return /^(nb|no|nn)\b/i.test(navigator.language || "") ? "nb" : "en";
  }
  function t(key) {
    var s = (TEXT[lang] && TEXT[lang][key]) || TEXT.en[key] || key;
    for (var i = 1; i < arguments.length; i++) s = s.replace("{" + (i - 1) + "}", String(arguments[i]));
    return s;
  }
  function inLang(texts, fallback) { return (texts && (texts[lang] || texts.en || texts[Object.keys(texts)[0]])) || fallback || ""; }
  function themeLabel(id) { var d = data.details["t:" + id]; return d ? inLang(d.labels, id) : id; }
  function translatePage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (e) { e.textContent = t(e.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (e) { e.placeholder = t(e.getAttribute("data-i18n-placeholder")); });
    document.querySelectorAll("[data-i18n-label]").forEach(function (e) { e.setAttribute("aria-label", t(e.getAttribute("data-i18n-label"))); });
    document.getElementById("lang").value = lang;
  }

  // -- the panel
  var panel = document.getElementById("details");
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
  function hashOf(nodeId) {
    return "#" + { t: "theme=", w: "work=", c: "claim=" }[nodeId.charAt(0)] + encodeURIComponent(nodeId.slice(2));
  }
  function link(text, hash) { var a = el("a", text); a.href = hash.charAt(0) === "#" ? hash : hashOf(hash); return a; }
  function row(label, value) {
    if (value === undefined || value === null || value === "") return;
    var p = el("p");
    p.appendChild(el("strong", label + ": "));
    p.appendChild(value instanceof Node ? value : document.createTextNode(String(value)));
    panel.appendChild(p);
  }
  function list(title, items, render) {
    if (!items || !items.length) return;
    panel.appendChild(el("h3", title));
    var ul = el("ul");
    items.forEach(function (item) { var li = el("li"); render(li, item); ul.appendChild(li); });
    panel.appendChild(ul);
  }
  function openPanel(title) {
    panel.textContent = "";
    var bar = el("div", null, "panel-bar");
    bar.appendChild(el("h2", title));
    var close = el("button", t("close"), "close");
    close.type = "button";
    close.addEventListener("click", function () { document.body.classList.remove("sheet-open"); });
    bar.appendChild(close);
    panel.appendChild(bar);
    document.body.classList.add("sheet-open");
  }
  function themeLink(li, id) { li.appendChild(link(themeLabel(id), "t:" + id)); }

  function showDetails(nodeId) {
    var d = data.details[nodeId];
    if (!d) return showIntro();
    if (d.kind === "theme") {
      openPanel(inLang(d.labels, d.id));
      row(t("other_language"), d.labels[lang === "en" ? "nb" : "en"]);
      row(t("id"), d.id);
      row(t("definition"), inLang(d.definitions));
      row(t("claims"), d.claims);
      row(t("works"), d.works);
      list(t("broader"), d.broader, themeLink);
      list(t("narrower"), d.narrower, themeLink);
      var page = el("a", t("theme_page")); page.href = d.page;
      panel.appendChild(page);
    } else if (d.kind === "work") {
      openPanel(d.citation);
      row(t("title"), d.title);
      row(t("reference"), d.reference);
      row(t("type"), d.type);
      if (d.doi) { var a = el("a", d.doi); a.href = "https://doi.org/" + encodeURI(d.doi); row(t("doi"), a); }
      row(t("cited_by"), d.cited_by);
      list(t("themes"), d.themes, themeLink);
      list(t("claims"), d.claims, function (li, c) {
        var text = inLang(c.texts, c.text);
        li.appendChild(data.details["c:" + c.id] ? link(text, "c:" + c.id) : el("span", text));
        var where = [c.reported_in, c.locator].filter(Boolean).join(", ");
        if (where) li.appendChild(el("span", " (" + where + ")", "where"));
      });
      var wp = el("a", t("work_page")); wp.href = d.page;
      panel.appendChild(wp);
    } else {
      openPanel(t("claim"));
      panel.appendChild(el("p", inLang(d.texts, d.text), "claim-text"));
      row(t("source"), link(d.source_citation, "w:" + d.source));
      if (d.reported_in) row(t("read_in"), link(d.reported_in_citation || d.reported_in, "w:" + d.reported_in));
      row(t("where"), d.locator);
      row(t("evidence"), d.evidence);
      if (d.question) row(t("takes_side"), t("stance_" + d.stance) + " " + t("on") + " " + d.question);
      list(t("themes"), d.themes, themeLink);
      list(t("disputes"), d.disputes, function (li, c) {
        var other = data.details["c:" + c];
        li.appendChild(link(other ? inLang(other.texts, other.text) : c, "c:" + c)); li.className = "dispute";
      });
      list(t("supports"), d.supports, function (li, c) {
        var other = data.details["c:" + c]; li.appendChild(link(other ? inLang(other.texts, other.text) : c, "c:" + c));
      });
      var cp = el("a", "On its work's page"); cp.href = d.page;
      panel.appendChild(cp);
    }
  }
  function showIntro() {
    panel.textContent = "";
    document.body.classList.remove("sheet-open");
    panel.appendChild(el("h2", t("intro_title")));
    panel.appendChild(el("p", t("intro"), "hint"));
  }
  function showUnknown(kind, name) {
    openPanel(t("unknown_" + kind, name));
    panel.firstChild.classList.add("unknown");
    panel.appendChild(el("p", t("intro"), "hint"));
  }

  // -- the theme filter: a theme with its narrower themes, and the works (and claims) on them.
  var filter = document.getElementById("theme-filter");
  function fillFilter() {
    filter.textContent = "";
    filter.appendChild(el("option", t("all_themes"))).value = "";
    data.tree.forEach(function (th) {
      var option = el("option", "\u00a0\u00a0".repeat(th.depth) + inLang(th.labels, th.id));
      option.value = th.id; filter.appendChild(option);
    });
    filter.value = state.theme;
  }
  function subtree(id) {
    var out = [id], i = 0;
    while (i < out.length) { (data.children[out[i]] || []).forEach(function (c) { out.push(c); }); i++; }
    return out;
  }
  function visibleIds() {
    var keep = null;
    if (state.theme) {
      var themes = {};
      keep = {};
      subtree(state.theme).forEach(function (th) { themes[th] = true; keep["t:" + th] = true; });
      Object.keys(data.details).forEach(function (id) {
        var d = data.details[id];
        if ((d.kind === "claim" || d.kind === "work") && d.themes.some(function (th) { return themes[th]; })) keep[id] = true;
      });
    }
    return data.nodes.filter(function (n) {
      return (!keep || keep[n.id]) && (n.kind !== "claim" || state.claims);
    }).map(function (n) { return n.id; });
  }
  function refresh() {
    var shown = {}, ids = visibleIds();
    ids.forEach(function (id) { shown[id] = true; });
    var changed = [];
    data.nodes.forEach(function (n) {
      if (n.hidden !== !shown[n.id]) { n.hidden = !shown[n.id]; changed.push({ id: n.id, hidden: n.hidden }); }
    });
    if (changed.length) nodes.update(changed);
    var counts = document.getElementById("counts");
    counts.textContent = t("shown", ids.length, data.nodes.length);
    counts.setAttribute("data-count-shown", String(ids.length));
    counts.setAttribute("data-count-all", String(data.nodes.length));
    labels.setNodes(ids.map(function (id) { return byId[id]; }), state.selected);
    labels.refresh();
    return ids;
  }

  // -- the view: open on the themes; frame a node's neighbourhood, or what a filter or layer shows.
  function frame(ids, most) {
    if (!ids.length) return;
    network.fit({ nodes: ids, animation: false });
    var scale = network.getScale();
    if (scale > most) network.moveTo({ scale: most, animation: false });
  }
  function openingView() {
    var themes = data.nodes.filter(function (n) { return n.kind === "theme"; });
    if (!themes.length) { network.fit({ animation: false }); return; }
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    themes.forEach(function (n) {
      x0 = Math.min(x0, n.x); x1 = Math.max(x1, n.x); y0 = Math.min(y0, n.y); y1 = Math.max(y1, n.y);
    });
    // The largest scale (1 or more: the build spread the themes for 1; up to 1.3) at which every theme and its name
    // (below it) lies inside the map.
    var mx = (x0 + x1) / 2, my = (y0 + y1) / 2, w = container.clientWidth / 2, h = container.clientHeight / 2;
    var scale = 1.3;
    themes.forEach(function (n) {
      var name = labels.label(n), half = name.w / 2 + 4;
      if (Math.abs(n.x - mx) > 1) scale = Math.min(scale, (w - half) / Math.abs(n.x - mx));
      if (n.y < my) scale = Math.min(scale, (h - n.size - 6) / (my - n.y));
      if (n.y > my) scale = Math.min(scale, (h - name.h - 8) / (n.y - my + n.size));
    });
    network.moveTo({ position: { x: mx, y: my }, scale: Math.max(0.05, scale), animation: false });
  }
  function neighbourhood(id) {
    var out = [id];
    network.getConnectedNodes(id).forEach(function (n) { if (!nodes.get(n).hidden) out.push(n); });
    return out;
  }

  // -- selecting, and the address following it (#kind=id; back and forward go through the selections)
  var shownEdges = [];
  function showEdgesOf(nodeId) {
    if (!large) return;
    edges.remove(shownEdges);
    var found = nodeId ? edgesOf[nodeId] || [] : [];
    edges.add(found);
    shownEdges = found.map(function (e) { return e.id; });
  }
  function select(nodeId, frameIt) {
    state.selected = nodeId;
    showEdgesOf(nodeId);
    if (byId[nodeId] && byId[nodeId].kind === "claim" && !state.claims) setClaims(true);
    if (byId[nodeId] && nodes.get(nodeId).hidden) { state.theme = ""; filter.value = ""; refresh(); }
    network.selectNodes([nodeId]);
    labels.setNodes(visibleIds().map(function (id) { return byId[id]; }), nodeId);
    if (frameIt) frame(neighbourhood(nodeId), 2);
    showDetails(nodeId);
    keepInSight(nodeId);
    labels.refresh();
  }
  // On a phone the details sheet covers the lower part of the map: the selected node moves above it.
  function keepInSight(nodeId) {
    if (window.innerWidth >= 700 || !document.body.classList.contains("sheet-open")) return;
    var box = container.getBoundingClientRect(), sheetTop = window.innerHeight - panel.offsetHeight;
    var at = network.canvasToDOM(network.getPosition(nodeId)), want = (Math.max(0, sheetTop - box.top)) / 2;
    if (at.y < want * 2 - 20 && at.y > 20) return;
    var view = network.getViewPosition(), scale = network.getScale();
    network.moveTo({ position: { x: view.x + (at.x - box.width / 2) / scale, y: view.y + (at.y - want) / scale }, animation: false });
  }
  function setTheme(id, frameIt) {
    state.theme = id; state.selected = id ? "t:" + id : null;
    filter.value = id;
    var ids = refresh();
    if (id) { network.selectNodes(["t:" + id]); showDetails("t:" + id); } else { network.unselectAll(); showIntro(); }
    if (frameIt) { if (id) frame(ids, 2.5); else openingView(); }
  }
  function find(kind, name) {
    var prefix = { theme: "t:", work: "w:", claim: "c:" }[kind];
    if (byId[prefix + name]) return prefix + name;
    var wanted = fold(name), hit = null;
    Object.keys(data.details).forEach(function (id) {
      var d = data.details[id];
      if (hit || d.kind !== kind) return;
      var names = kind === "theme" ? [d.labels.en, d.labels.nb, d.id] : kind === "work" ? [d.citation, d.key] : [d.id];
      if (names.some(function (s) { return s && fold(s) === wanted; })) hit = id;
    });
    if (!hit && kind === "claim") {  // (a large map sends no claims: its work, whose panel lists it)
      Object.keys(data.details).forEach(function (id) {
        var d = data.details[id];
        if (!hit && d.kind === "work" && d.claims.some(function (c) { return c.id === name; })) hit = id;
      });
    }
    return hit;
  }
  function fromHash(stay) {  // (stay: a click on the map selects where it is, without moving the view)
    var m = /^#(theme|work|claim|contested)=(.*)$/.exec(location.hash);
    var name = "";
    try { name = m ? decodeURIComponent(m[2]) : ""; } catch (e) { name = m[2]; }
    if (!m) { setContested(null); setTheme("", true); return; }
    if (m[1] === "contested") {
      var group = data.contested.filter(function (g) { return g.key === name || g.id === name; })[0];
      if (group) setContested(group, true); else showUnknown("contested", name);
      return;
    }
    setContested(null);
    var id = find(m[1], name);
    if (!id) { showUnknown(m[1], name); return; }
    if (m[1] === "theme") setTheme(id.slice(2), !stay); else select(id, !stay);
  }
  var lastHash = location.hash;
  function onAddress(stay) {
    if (location.hash === lastHash) return;
    lastHash = location.hash;
    fromHash(stay === true);
  }
  function go(hash, stay) { if (location.hash !== hash) { history.pushState(null, "", hash); onAddress(stay); } }
  window.addEventListener("popstate", onAddress);
  window.addEventListener("hashchange", onAddress);
  network.on("click", function (params) { if (params.nodes.length) go(hashOf(params.nodes[0]), true); });
  filter.addEventListener("change", function () { go(filter.value ? hashOf("t:" + filter.value) : "#"); });

  // -- contested questions: a list in the panel; one of them lights up its sides' works (and claims).
  var litNow = {};
  function setContested(group, show) {
    var lit = {};
    state.contested = group;
    if (group) group.sides.forEach(function (s) {
      var c = SIDES[s.stance] || "#7048e8";
      s.works.forEach(function (k) { lit["w:" + k] = lit["w:" + k] && lit["w:" + k] !== c ? "#7048e8" : c; });
      s.claims.forEach(function (cl) { lit["c:" + cl.id] = c; });
    });
    var touched = Object.keys(litNow).concat(Object.keys(lit).filter(function (id) { return !litNow[id]; }));
    nodes.update(touched.filter(function (id) { return byId[id]; }).map(function (id) {
      var c = lit[id];
      return { id: id, color: c ? { background: c, border: "#1f2933" } : colour(id), borderWidth: c ? 3 : 1 };
    }));
    litNow = lit;
    container.setAttribute("data-contested", group ? group.key : "");
    if (!show) return;
    if (state.theme) { state.theme = ""; filter.value = ""; refresh(); }
    openPanel(inLang(group.text, group.id));
    panel.appendChild(el("p", (group.kind === "dispute" ? t("dispute") + " · " : "") + t("sources", group.sources), "hint"));
    group.sides.forEach(function (s) {
      var h = el("h3", t("stance_" + s.stance), "side-title");
      h.style.borderColor = SIDES[s.stance] || "#7048e8";
      panel.appendChild(h);
      var ul = el("ul");
      s.claims.forEach(function (cl) {
        var li = el("li"), w = data.details["w:" + cl.source];
        li.appendChild(data.details["c:" + cl.id] ? link(inLang(cl.texts), "c:" + cl.id) : el("span", inLang(cl.texts)));
        if (w) { li.appendChild(document.createTextNode(" — ")); li.appendChild(link(w.citation, "w:" + cl.source)); }
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    });
    frame(Object.keys(lit).filter(function (id) { return byId[id] && !nodes.get(id).hidden; }), 1.2);
    labels.refresh();
  }
  function showContestedList() {
    openPanel(t("contested_title"));
    panel.appendChild(el("p", t("contested_intro"), "hint"));
    if (!data.contested.length) { panel.appendChild(el("p", t("no_contested"))); return; }
    var ul = el("ul", null, "contested-list");
    data.contested.forEach(function (g) {
      var li = el("li");
      li.appendChild(link(inLang(g.text, g.id), "#contested=" + encodeURIComponent(g.key)));
      li.appendChild(el("span", " " + t("sources", g.sources), "count"));
      ul.appendChild(li);
    });
    panel.appendChild(ul);
  }
  document.getElementById("contested-button").addEventListener("click", showContestedList);
  document.getElementById("contested-count").textContent = String(data.contested.length);

  // -- claims on the map, on demand
  var claimsBox = document.getElementById("show-claims");
  function setClaims(on) { state.claims = on; claimsBox.checked = on; refresh(); }
  claimsBox.addEventListener("change", function () { setClaims(claimsBox.checked); });

  // -- the cluster layer, on demand (map/clusters.js: each work's Leiden cluster, loaded the first time)
  var clustersBox = document.getElementById("show-clusters");
  function paintClusters() {
    nodes.update(Object.keys(byId).filter(function (id) { return byId[id].kind === "work" && nodes.get(id); })
      .map(function (id) { return { id: id, color: colour(id) }; }));
    document.body.dataset.clusters = state.clusters ? "on" : "off";
  }
  function setClusters(on) {
    state.clusters = on; clustersBox.checked = on;
    if (on && !window.litgraphClusters) {
      var script = document.createElement("script");
      script.src = "map/clusters.js";
      script.onload = paintClusters;
      document.head.appendChild(script);
      return;
    }
    paintClusters();
  }
  clustersBox.addEventListener("change", function () { setClusters(clustersBox.checked); });

  // -- search works by author or title
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
    if (!hits.length) results.appendChild(el("li", t("no_match"), "hint"));
  });

  // -- the language: every word of the page, theme names and claims; remembered
  document.getElementById("lang").addEventListener("change", function (e) {
    lang = e.target.value;
    try { window.localStorage.setItem("litgraph-lang", lang); } catch (err) { /* (private mode) */ }
    translatePage();
    fillFilter();
    refresh();
    if (state.contested) setContested(state.contested, true);
    else if (state.selected) showDetails(state.selected); else if (!document.body.classList.contains("sheet-open")) showIntro();
    else fromHash();
  });

  network.on("afterDrawing", function () { labels.update(); });
  window.addEventListener("resize", function () { labels.refresh(); });
  translatePage();
  fillFilter();
  refresh();
  openingView();
  showIntro();
  if (location.hash) fromHash();
  network.once("afterDrawing", function () {  // (after the names of the first view are placed)
    window.litgraph.drawnAt = performance.now();
    window.litgraph.ready = true;
    document.body.setAttribute("data-drawn", "true");
    document.body.setAttribute("data-ready", "true");
  });
  network.redraw();
})();
