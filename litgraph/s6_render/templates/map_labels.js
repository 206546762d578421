// litgraph map: the names on the map, drawn as text over vis-network's canvas at a fixed size in pixels.
// After each draw whose view changed, the names are chosen again: the selected node's first, then every
// theme's (most claims first), then the works' (most claims and citations first, at most MAX_WORKS);
// each at the first of ten places around its node (below, right, left, above, the corners, then a line
// further below or above) that lies inside the map
// and clear of every name already placed. So no two names ever overlap, at any zoom.
(function () {
  "use strict";
  var PAD = 3, MAX_WORKS = 30, LOOK_AT = 3000;

  function Labels(network, container, textOf) {
    this.network = network;
    this.container = container;
    this.textOf = textOf;  // node -> its name in the current language ("" for none)
    this.layer = document.createElement("div");
    this.layer.className = "labels";
    container.appendChild(this.layer);
    this.pool = {};        // id -> {el, w, h, text}
    this.shown = [];       // ids shown now
    this.order = [];       // candidate nodes, in the order they are given a place
    this.selected = null;
    this.viewKey = "";
  }

  // The candidates: visible themes and works, the selected one first (see the comment above).
  Labels.prototype.setNodes = function (nodes, selected) {
    this.selected = selected || null;
    var rank = { theme: 0, work: 1 };
    this.order = nodes.filter(function (n) { return n.kind === "theme" || n.kind === "work"; });
    this.order.sort(function (a, b) {
      if ((a.id === selected) !== (b.id === selected)) return a.id === selected ? -1 : 1;
      if (rank[a.kind] !== rank[b.kind]) return rank[a.kind] - rank[b.kind];
      if ((b.weight || 0) !== (a.weight || 0)) return (b.weight || 0) - (a.weight || 0);
      return a.id < b.id ? -1 : 1;
    });
    this.viewKey = "";
  };

  // The label of a node, made once (again when its text changes, as with the language).
  Labels.prototype.label = function (node) {
    var text = this.textOf(node), found = this.pool[node.id];
    if (found && found.text === text) return found;
    if (!found) {
      found = { el: document.createElement("div") };
      found.el.className = "label " + node.kind;
      found.el.setAttribute("data-id", node.id);
      found.el.style.display = "none";
      this.layer.appendChild(found.el);
      this.pool[node.id] = found;
    }
    found.text = text;
    found.el.textContent = text;
    var display = found.el.style.display;  // (measured as drawn: a theme's name may wrap)
    found.el.style.visibility = "hidden";
    found.el.style.display = "";
    found.w = found.el.offsetWidth + 1;
    found.h = found.el.offsetHeight;
    found.el.style.display = display;
    found.el.style.visibility = "";
    return found;
  };

  Labels.prototype.refresh = function () { this.viewKey = ""; this.network.redraw(); };

  // Choose and place the names for the current view (does nothing if the view is as before).
  Labels.prototype.update = function () {
    var net = this.network, scale = net.getScale(), view = net.getViewPosition();
    var width = this.container.clientWidth, height = this.container.clientHeight;
    var key = [scale, view.x, view.y, width, height].join(" ");
    if (key === this.viewKey) return;
    this.viewKey = key;
    var placed = [], shown = [], works = 0, looked = 0, self = this;
    var ids = this.order.map(function (n) { return n.id; });
    var at = net.getPositions(ids);
    for (var i = 0; i < this.order.length; i++) {
      var node = this.order[i];
      if (node.kind === "work" && node.id !== this.selected && (works >= MAX_WORKS || ++looked > LOOK_AT)) break;
      var p = at[node.id];
      if (!p) continue;
      var c = net.canvasToDOM(p), r = (node.size || 8) * scale;
      if (c.x < -200 || c.y < -50 || c.x > width + 200 || c.y > height + 50) continue;
      var label = this.label(node);
      if (!label.text) continue;
      var spots = [[c.x - label.w / 2, c.y + r + 2], [c.x + r + 4, c.y - label.h / 2],
                   [c.x - r - 4 - label.w, c.y - label.h / 2], [c.x - label.w / 2, c.y - r - 2 - label.h],
                   [c.x + r * 0.7, c.y + r * 0.7], [c.x - r * 0.7 - label.w, c.y + r * 0.7],
                   [c.x + r * 0.7, c.y - r * 0.7 - label.h], [c.x - r * 0.7 - label.w, c.y - r * 0.7 - label.h],
                   [c.x - label.w / 2, c.y + r + 4 + label.h], [c.x - label.w / 2, c.y - r - 4 - 2 * label.h]];
      for (var s = 0; s < spots.length; s++) {
        var box = { x: spots[s][0], y: spots[s][1], w: label.w, h: label.h };
        if (box.x < 0 || box.y < 0 || box.x + box.w > width || box.y + box.h > height) continue;
        if (placed.some(function (o) { return overlaps(o, box); })) continue;
        placed.push(box);
        shown.push(node.id);
        label.el.style.transform = "translate(" + Math.round(box.x) + "px," + Math.round(box.y) + "px)";
        label.el.style.display = "";
        if (node.kind === "work") works++;
        break;
      }
    }
    var now = {};
    shown.forEach(function (id) { now[id] = true; });
    this.shown.forEach(function (id) { if (!now[id]) self.pool[id].el.style.display = "none"; });
    this.shown = shown;
  };

  function overlaps(a, b) {
    return a.x < b.x + b.w + PAD && b.x < a.x + a.w + PAD && a.y < b.y + b.h + PAD && b.y < a.y + a.h + PAD;
  }

  window.LitgraphLabels = Labels;
})();
