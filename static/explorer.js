/* Linkscope explorer: the page's behaviour on top of vis-network.
 *
 * Every string that comes from the data is put into the DOM with textContent or as a
 * vis-network label (drawn on canvas); nothing from the data is ever parsed as HTML.
 * Only http(s) URLs become links. Everything the user does is mirrored in the URL.
 */
"use strict";

(function () {
  const page = JSON.parse(document.getElementById("explorer-data").textContent);
  const DAY_MS = 86400000;

  // ---- state, mirrored in the URL -------------------------------------------------
  const state = {
    view: page.view.view,
    center: page.view.center || [],
    depth: Number(page.view.depth || 2),
    kinds: page.view.kinds || [],
    relations: page.view.relations || [],
    as_of: page.view.as_of || null,
    expand: page.view.expand || [],
    include: page.view.include || [], // members pulled out of a group into the view
    path_from: page.view.path_from || null,
    path_to: page.view.path_to || null,
    hide: page.view.hide || [], // "inferred" and/or "weak"
    via: page.view.via || "connections", // "shared": walks may pass through shared hubs
    compare: page.view.compare || null, // an earlier date: highlight what changed since
  };

  function queryString(s, extra) {
    const q = new URLSearchParams();
    q.set("view", s.view);
    s.center.forEach((c) => q.append("center", c));
    q.set("depth", String(s.depth));
    s.kinds.forEach((k) => q.append("kinds", k));
    s.relations.forEach((r) => q.append("relations", r));
    if (s.as_of) q.set("as_of", s.as_of);
    s.expand.forEach((e) => q.append("expand", e));
    (s.include || []).forEach((i) => q.append("include", i));
    s.hide.forEach((h) => q.append("hide", h));
    if (s.path_from && s.path_to) {
      q.set("path_from", s.path_from);
      q.set("path_to", s.path_to);
    }
    if (s.via === "shared") q.set("via", "shared");
    if (s.compare) q.set("compare", s.compare);
    Object.entries(extra || {}).forEach(([k, v]) => q.set(k, v));
    return q.toString();
  }
  function syncUrl() {
    history.replaceState(null, "", "/explore?" + queryString(state));
    updateExports();
  }
  function navigate(changes) {
    const next = Object.assign({}, state, { expand: [], include: [], path_from: null, path_to: null }, changes);
    next.hide = state.hide; // what the reader chose to hide follows them to the next view
    if (!("via" in changes)) next.via = state.via;
    window.location.assign("/explore?" + queryString(next));
  }

  // ---- small DOM helpers (text only) ----------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    children.flat().forEach((c) => {
      if (c === null || c === undefined || c === false) return;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    });
    return node;
  }
  function safeLink(url, text) {
    let parsed = null;
    try {
      parsed = new URL(url);
    } catch (e) {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      return el("span", { class: "badlink" }, text || String(url));
    }
    const a = el("a", { target: "_blank", rel: "noopener noreferrer" }, text || parsed.href);
    a.href = parsed.href;
    return a;
  }
  function fill(target, ...children) {
    target.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }
  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error((body.error && body.error.message) || response.statusText);
    return body;
  }

  // ---- dates and the as-of rule (same as the server's) ----------------------------
  function latest(value) {
    if (value.length === 10) return value;
    if (value.length === 7) {
      const [y, m] = value.split("-").map(Number);
      const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
      return value + "-" + String(last).padStart(2, "0");
    }
    return value + "-12-31";
  }
  function inForce(record, day) {
    if (!day) return true;
    const start = record.date || record.start;
    if (start && latest(start) > day) return false;
    if (record.end && !(day < latest(record.end))) return false;
    return true;
  }
  const toDays = (iso) => Math.floor(Date.parse(iso + "T00:00:00Z") / DAY_MS);
  const fromDays = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);

  // ---- the network ------------------------------------------------------------------
  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const records = new Map(); // edge id -> full edge record (attributes and sources)
  const baseStyle = new Map(); // id -> original colour/width, to undo highlighting
  const drawn = new Map(); // id -> the visibility (and sanctioned) state the DataSet last got
  const container = document.getElementById("graph");
  const changed = new Map(); // edge id -> "began" | "ended" since the compare date

  function addData(newNodes, newEdges, around) {
    const fresh = newNodes.filter((n) => !nodes.get(n.id));
    if (around) {
      const origin = network.getPositions([around])[around] || { x: 0, y: 0 };
      fresh.forEach((n, i) => {
        const angle = (2 * Math.PI * i) / Math.max(fresh.length, 1);
        const radius = 160 + 8 * fresh.length;
        n.x = origin.x + radius * Math.cos(angle);
        n.y = origin.y + radius * Math.sin(angle);
      });
    }
    fresh.forEach((n) => {
      baseStyle.set(n.id, { color: n.color, borderWidth: n.borderWidth });
      drawn.set(n.id, "true|false");
    });
    nodes.add(fresh);
    const freshEdges = newEdges.filter((e) => !edges.get(e.id));
    freshEdges.forEach((e) => {
      drawn.set(e.id, "true");
      records.set(e.id, e.record);
      baseStyle.set(e.id, { color: e.color, width: e.width, dashes: e.dashes });
      delete e.record;
    });
    edges.add(freshEdges);
    return fresh.length;
  }
  addData(page.nodes, page.edges);

  // ---- parallel edges: three or more between two entities are drawn as one counted edge ----
  const FOLD_FROM = 3;
  const foldOf = new Map(); // part edge id -> the id of the edge it is folded into
  const unfolded = new Set(); // folds the reader opened into their parts
  function foldParallel() {
    const byPair = new Map();
    edges.forEach((e) => {
      const record = records.get(e.id);
      if (!record || record.key === "group" || record.key === "folded" || foldOf.has(e.id)) return;
      const pair = [e.from, e.to].sort().join("\u0000");
      if (!byPair.has(pair)) byPair.set(pair, []);
      byPair.get(pair).push(e);
    });
    byPair.forEach((parts, pair) => {
      const id = "fold:" + pair;
      const existing = records.get(id);
      if (!existing && parts.length < FOLD_FROM) return;
      const ids = [...(existing ? existing.parts : []), ...parts.map((p) => p.id)];
      ids.forEach((part) => foldOf.set(part, id));
      const kinds = new Set(ids.map((part) => records.get(part).relation));
      const relation = kinds.size === 1 ? [...kinds][0] : "several";
      const first = edges.get(ids[0]);
      records.set(id, { id, key: "folded", relation, source: first.from, target: first.to, parts: ids });
      const drawnEdge = { id, from: first.from, to: first.to, label: `×${ids.length}`, width: 4,
        color: (baseStyle.get(ids[0]) || {}).color, arrows: first.arrows,
        title: `${ids.length} relations between these two: click to list them` };
      if (existing) edges.update(drawnEdge);
      else {
        drawn.set(id, "true");
        baseStyle.set(id, { color: drawnEdge.color, width: 4 });
        edges.add(drawnEdge);
      }
    });
  }
  function unfoldAround(ids) {
    ids.forEach((id) => { if (foldOf.has(id)) unfolded.add(foldOf.get(id)); });
  }
  foldParallel();

  const network = new vis.Network(container, { nodes, edges }, page.options);
  window.network = network;
  const linkscope = { state, nodes, edges, records, ready: false, highlighted: [], changed };
  window.linkscope = linkscope;

  function markReady() {
    if (linkscope.ready) return;
    linkscope.ready = true;
    document.body.dataset.ready = "true";
  }
  // ---- labels of big views: one size on screen, more of them as one zooms in ----------
  // In a view too big to pull apart, the server gives each label the zoom scale from which it
  // clears every more important label (label_zoom; null: never). Labels keep one size on
  // screen (the font is set to its size divided by the scale), so a label shown at one scale
  // is clear at every larger one; a highlighted path's labels are shown whatever the zoom.
  const FONT_SIZE = page.options.nodes.font.size;
  const zoomLabels = new Map(); // id -> the full label of a node whose label follows the zoom
  page.nodes.forEach((n) => { if ("label_zoom" in n) zoomLabels.set(n.id, n.hidden_label || n.label); });
  const pinnedLabels = new Set();
  let labelScale = null;
  let labelTimer = null;
  function fitLabels(force) {
    if (!zoomLabels.size) return;
    const scale = network.getScale();
    if (scale === labelScale && !force) return;
    if (scale !== labelScale) network.setOptions({ nodes: { font: { size: FONT_SIZE / scale } } });
    labelScale = scale;
    const updates = [];
    zoomLabels.forEach((text, id) => {
      const node = nodes.get(id);
      if (!node) return;
      const shown = pinnedLabels.has(id) || (node.label_zoom !== null && scale >= node.label_zoom);
      const label = shown ? text : "";
      if (node.label !== label) updates.push({ id, label });
    });
    if (updates.length) nodes.update(updates);
  }
  linkscope.fitLabels = fitLabels;
  linkscope.labelScale = () => labelScale;
  network.on("afterDrawing", () => {
    if (!zoomLabels.size || network.getScale() === labelScale) return;
    clearTimeout(labelTimer);
    labelTimer = setTimeout(() => fitLabels(false), 80); // once the zoom stops
  });

  // Positions come from the server (physics is off), so the first drawing is the final one.
  network.fit();
  network.moveTo({ scale: network.getScale() * 0.85 }); // room for the outer nodes' labels
  fitLabels(false);
  const firstDrawn = new Promise((resolve) => network.once("afterDrawing", resolve));

  // ---- filters: kinds, relations, as-of -----------------------------------------------
  const enabledKinds = () => new Set(state.kinds.length ? state.kinds : page.legend.kinds.map((k) => k.name));
  const enabledRelations = () =>
    new Set(state.relations.length ? state.relations : page.legend.relations.map((r) => r.name));

  const isInferred = (record) => !!(page.statuses[record.status] && page.statuses[record.status].inference);
  function evidenceShown(item) {
    if (state.hide.includes("weak") && item.weak_only) return false;
    if (state.hide.includes("inferred") && item.status && isInferred(item)) return false;
    return true;
  }
  function edgeShown(id, kinds, relations, ignoreFold) {
    const record = records.get(id);
    const edge = edges.get(id);
    if (!record || !edge) return false;
    if (record.key === "folded") {
      return !unfolded.has(id) && record.parts.some((part) => edgeShown(part, kinds, relations, true));
    }
    if (!ignoreFold && foldOf.has(id) && !unfolded.has(foldOf.get(id))) return false; // drawn as its fold
    if (!relations.has(record.relation) && page.legend.relations.some((r) => r.name === record.relation)) return false;
    if (record.key === "group" && record.count === 0) return false; // no member in force on the as-of day
    if ((!inForce(record, state.as_of) && changed.get(id) !== "ended") || !evidenceShown(record)) return false;
    const from = nodes.get(edge.from);
    const to = nodes.get(edge.to);
    return !!from && !!to && kindShown(from, kinds) && kindShown(to, kinds);
  }
  function kindShown(node, kinds) {
    const known = kinds.has(node.kind) || !page.legend.kinds.some((k) => k.name === node.kind);
    return known && evidenceShown(node);
  }

  function applyFilters() {
    const kinds = enabledKinds();
    const relations = enabledRelations();
    const visibleEdges = new Set();
    const linked = new Set();
    const edgeUpdates = [];
    edges.forEach((edge) => {
      const shown = edgeShown(edge.id, kinds, relations);
      if (shown) {
        visibleEdges.add(edge.id);
        linked.add(edge.from);
        linked.add(edge.to);
      }
      if (drawn.get(edge.id) !== String(shown)) {
        drawn.set(edge.id, String(shown));
        edgeUpdates.push({ id: edge.id, hidden: !shown });
      }
    });
    // Only what changed goes back into the DataSets: each update makes vis-network redo work.
    const nodeUpdates = [];
    nodes.forEach((node) => {
      const keep = kindShown(node, kinds) && (node.center || linked.has(node.id));
      const sanctioned = isSanctioned(node.id);
      const stateKey = `${keep}|${sanctioned}`;
      if (drawn.get(node.id) === stateKey) return;
      drawn.set(node.id, stateKey);
      const base = baseStyle.get(node.id) || {};
      const border = sanctioned ? "#dc2626" : (base.color && base.color.border) || "#1f2937";
      const color = Object.assign({}, base.color, { border });
      nodeUpdates.push({ id: node.id, hidden: !keep, borderWidth: sanctioned ? 5 : 2, color, sanctioned });
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    updateStatus(visibleEdges.size);
  }

  function isSanctioned(nodeId) {
    return network
      .getConnectedEdges(nodeId)
      .some((id) => {
        const r = records.get(id);
        return r && r.relation === "sanctioned" && r.target === nodeId && r.key !== "group" && inForce(r, state.as_of);
      });
  }

  function updateStatus(visibleEdgeCount) {
    const visible = nodes.get({ filter: (n) => !n.hidden });
    const groups = visible.filter((n) => n.group_of);
    const entities = nodes.get({ filter: (n) => !n.group_of }).length;
    const parts = [`${visible.length - groups.length} of ${entities} entities shown`, `${visibleEdgeCount} relations`];
    if (groups.length) {
      const members = groups.reduce((sum, n) => sum + (n.group_of.in_force ?? n.group_of.count), 0);
      parts.push(`${members.toLocaleString("en")} more in ${groups.length} groups`);
    }
    parts.push(state.as_of ? `as of ${state.as_of}` : "all dates");
    const status = document.getElementById("status");
    status.textContent = parts.join(" · ");
    if (page.truncated) {
      status.append(
        el("strong", { class: "warn" }, ` · view truncated (${page.truncated_reason}): not every neighbour is shown`),
      );
    }
  }

  // ---- legend with filter checkboxes ---------------------------------------------------
  function buildLegend() {
    const kindList = document.getElementById("legend-kinds");
    const kinds = enabledKinds();
    page.legend.kinds.forEach((k) => {
      const box = el("input", { type: "checkbox", value: k.name, "aria-label": k.label });
      box.checked = kinds.has(k.name);
      box.addEventListener("change", () => toggleFilter("kinds", page.legend.kinds, kindList));
      kindList.append(el("li", {}, el("label", {}, box, swatch(k.color, k.shape), k.label)));
    });
    const relationList = document.getElementById("legend-relations");
    const relations = enabledRelations();
    page.legend.relations.forEach((r) => {
      const box = el("input", { type: "checkbox", value: r.name, "aria-label": r.label });
      box.checked = relations.has(r.name);
      box.addEventListener("change", () => toggleFilter("relations", page.legend.relations, relationList));
      const line = el("span", { class: "line" });
      line.style.borderTopColor = r.color;
      line.style.borderTopWidth = Math.max(1, r.width) + "px";
      line.style.borderTopStyle = r.dashes ? "dashed" : "solid";
      relationList.append(el("li", {}, el("label", {}, box, line, r.label)));
    });
  }
  function buildEvidenceFilters() {
    const list = document.getElementById("legend-evidence");
    const options = [
      ["inferred", "Show inferred links (the curator's, not a party's claim)"],
      ["weak", "Show what rests only on weak sources"],
    ];
    options.forEach(([name, text]) => {
      const box = el("input", { type: "checkbox", value: name, "aria-label": text });
      box.checked = !state.hide.includes(name);
      box.addEventListener("change", () => {
        state.hide = box.checked ? state.hide.filter((h) => h !== name) : [...new Set([...state.hide, name])];
        applyFilters();
        syncUrl();
      });
      list.append(el("li", {}, el("label", {}, box, text)));
    });
  }
  function swatch(color, shape) {
    const s = el("span", { class: "swatch " + shape });
    s.style.background = color;
    return s;
  }
  function toggleFilter(name, all, list) {
    const checked = [...list.querySelectorAll("input:checked")].map((i) => i.value);
    state[name] = checked.length === all.length ? [] : checked;
    applyFilters();
    syncUrl();
    if (name === "kinds") refreshGroups();
  }

  // ---- as-of slider over the timeline ----------------------------------------------
  const slider = document.getElementById("asof");
  const dateInput = document.getElementById("asof-date");
  let eventDays = [];
  async function buildTimebar() {
    const timeline = await getJson("/api/timeline?summary=true&limit=100000");
    eventDays = [...new Set(timeline.dates.map((d) => toDays(latest(d.date))))].sort((a, b) => a - b);
    const today = toDays(page.today);
    slider.min = String((eventDays[0] || today) - 31);
    slider.max = String(today);
    const ticks = document.getElementById("rounds");
    eventDays.forEach((d) => ticks.append(el("option", { value: String(d) })));
    graphDates = timeline.dates.map((d) => d.date);
    drawHistogram();
    showAsOf();
  }
  // Above the slider: how many of the view's relations began in each month (each year when the
  // months would be too thin to see), so that rounds of sanctions show as peaks; a bar sets the
  // as-of date to the end of its month or year.
  let graphDates = [];
  function earliest(value) {
    return value.length === 4 ? value + "-01-01" : value.length === 7 ? value + "-01" : value;
  }
  function drawHistogram() {
    const histogram = document.getElementById("histogram");
    let dates = [...records.values()].map((r) => r.date || r.start).filter(Boolean);
    if (!dates.length) dates = graphDates; // nothing dated in view: the whole graph's dates
    const min = Number(slider.min);
    const max = Number(slider.max);
    const span = Math.max(max - min, 1);
    const monthly = (span / 30.4) * 2 <= (histogram.clientWidth || 800); // months while each gets 2 px
    const counts = new Map();
    dates.forEach((d) => {
      const key = monthly ? d.slice(0, 7) : d.slice(0, 4);
      if (key.length === (monthly ? 7 : 4)) counts.set(key, (counts.get(key) || 0) + 1);
    });
    const highest = Math.max(1, ...counts.values());
    const bars = [...counts.entries()].sort().map(([key, count]) => {
      const start = toDays(earliest(key));
      const end = toDays(latest(key)) + 1;
      const left = Math.max(0, (start - min) / span);
      const width = Math.max(0, (Math.min(end, max) - Math.max(start, min)) / span);
      const title = `${key}: ${count} dated relation${count === 1 ? "" : "s"} began`;
      const bar = el("button", { type: "button", class: "bar", title, "aria-label": title,
        dataset: { key, count: String(count) }, onclick: () => setAsOf(latest(key)) });
      bar.style.left = `${(100 * left).toFixed(3)}%`;
      bar.style.width = `${(100 * width).toFixed(3)}%`;
      bar.style.height = `${Math.max(12, Math.round((100 * count) / highest))}%`;
      return bar;
    });
    fill(histogram, bars);
  }
  linkscope.drawHistogram = drawHistogram;
  function showAsOf() {
    slider.value = String(state.as_of ? toDays(state.as_of) : Number(slider.max));
    dateInput.value = state.as_of || "";
    document.getElementById("asof-note").textContent = state.as_of
      ? `showing relations in force on ${state.as_of}`
      : "showing all relations, whatever their date";
  }
  function setAsOf(day) {
    state.as_of = day;
    showAsOf();
    applyFilters();
    syncUrl();
    refreshGroups();
    if (state.compare) showChanges().catch(showError);
    else if (state.view === "supply-chain" && panelShowsChain) showSupplyChain().catch(showError);
  }
  slider.addEventListener("input", () => {
    const value = Number(slider.value);
    setAsOf(value >= Number(slider.max) ? null : fromDays(value));
  });
  dateInput.addEventListener("change", () => setAsOf(dateInput.value || null));
  document.getElementById("asof-all").addEventListener("click", () => setAsOf(null));
  document.getElementById("prev-round").addEventListener("click", () => {
    const now = state.as_of ? toDays(state.as_of) : Infinity;
    const previous = eventDays.filter((d) => d < now).pop();
    if (previous !== undefined) setAsOf(fromDays(previous));
  });
  document.getElementById("next-round").addEventListener("click", () => {
    const now = state.as_of ? toDays(state.as_of) : -Infinity;
    const next = eventDays.find((d) => d > now);
    setAsOf(next === undefined ? null : fromDays(next));
  });

  // ---- compare with an earlier date --------------------------------------------------
  const compareInput = document.getElementById("compare-date");
  compareInput.value = state.compare || "";
  compareInput.addEventListener("change", () => setCompare(compareInput.value || null));
  document.getElementById("compare-clear").addEventListener("click", () => setCompare(null));
  function setCompare(day) {
    state.compare = day;
    compareInput.value = day || "";
    syncUrl();
    showChanges().catch(showError);
  }
  function clearChanges() {
    const restore = [...changed.keys()].filter((id) => edges.get(id)).map((id) => {
      const base = baseStyle.get(id);
      return { id, color: base.color, width: base.width, dashes: base.dashes };
    });
    changed.clear();
    if (restore.length) edges.update(restore);
  }
  // What began (green) or ended (dark red, dashed, shown although no longer in force) between
  // the compare date and the as-of date, within the view's neighbourhood, listed in the panel.
  async function showChanges() {
    clearChanges();
    if (!state.compare) {
      applyFilters();
      return null;
    }
    const to = state.as_of || page.today;
    if (state.compare >= to) {
      applyFilters();
      fill(details, el("p", { class: "warn" }, `Compare with a date before ${to}.`));
      return null;
    }
    const turn = claimPanel();
    const q = new URLSearchParams({ from: state.compare, to });
    state.center.forEach((c) => q.append("center", c));
    q.set("depth", String(state.view === "supply-chain" ? 4 : state.depth));
    if (state.via === "shared") q.set("via", "shared");
    const result = await getJson("/api/changes?" + q.toString());
    if (!stillMine(turn)) return result;
    const updates = [];
    result.rounds.forEach((r) => r.edges.forEach((e) => {
      if (!edges.get(e.id)) return;
      changed.set(e.id, r.change);
      updates.push(r.change === "began"
        ? { id: e.id, color: { color: "#16a34a", opacity: 1 }, width: 6 }
        : { id: e.id, color: { color: "#9f1239", opacity: 0.8 }, width: 5, dashes: [3, 6] });
    }));
    if (updates.length) edges.update(updates);
    unfoldAround(changed.keys()); // what changed is drawn edge by edge
    applyFilters();
    fill(details,
      el("h2", {}, `What changed from ${result.from} to ${result.to}`),
      el("p", { class: "note" }, `${result.began} began, ${result.ended} ended around this view: new links are green, `
        + "ended ones dark red and dashed."),
      result.rounds.length ? null : el("p", { class: "note" }, "Nothing began or ended in this period."),
      el("ul", { class: "changes" }, result.rounds.map((r) =>
        el("li", { class: r.change },
          el("details", {},
            el("summary", {}, `${r.date} · `, r.change === "ended" ? el("strong", {}, "ended ") : "", r.explanation),
            el("ul", {}, r.edges.map((e) => el("li", {}, el("details", {},
              el("summary", {}, `${label(e.source)} ${r.label} ${label(e.target)}`), evidence(e))))),
            r.count > r.edges.length ? el("p", { class: "note" }, `${r.count - r.edges.length} more`) : null)))),
      result.truncated ? el("p", { class: "note" }, `Not every change is listed (${result.truncated_reason}).`) : null,
    );
    return result;
  }
  linkscope.showChanges = showChanges;

  // ---- details panel -----------------------------------------------------------------
  const details = document.getElementById("details");
  const SKIP = new Set(["id", "source", "target", "key", "relation", "sources", "date", "start", "end", "status",
    "confidence", "claimed_by", "note", "quote", "derived", "weak_only", "measure", "end_basis", "document",
    "document_url", "reasoning", "paraphrase"]);

  function sourcesList(sources) {
    return el(
      "ul",
      { class: "sources" },
      (sources || []).map((s) =>
        el(
          "li",
          {},
          safeLink(s.url, s.publisher || s.url),
          s.type && page.source_types[s.type] ? el("span", { class: `srctype ${s.type}` }, ` [${page.source_types[s.type].label}]`) : null,
          s.title ? el("span", { class: "title" }, " — ", s.title) : null,
          el("span", { class: "date" }, s.published ? ` (${s.published})` : s.retrieved ? ` (retrieved ${s.retrieved})` : ""),
          s.quote ? el("blockquote", {}, s.quote) : null,
        ),
      ),
    );
  }
  function fact(name, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) return null;
    return el("div", { class: "fact" }, el("dt", {}, name), el("dd", {}, Array.isArray(value) ? value.join(", ") : String(value)));
  }
  function period(record) {
    if (record.date) return record.date;
    if (!record.start) return null;
    if (!record.end) return `from ${record.start}`;
    const basis = record.end_basis === "statutory" ? " (the statutory term; the end is not observed)" : "";
    return `${record.start} – ${record.end}${basis}`;
  }
  function evidence(record) {
    const extra = Object.entries(record)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => fact(k.replace(/_/g, " "), v));
    const measure = record.measure && page.measures[record.measure] ? page.measures[record.measure].label : record.measure;
    const status = page.statuses[record.status] ? page.statuses[record.status].label : record.status;
    return el(
      "div",
      { class: "evidence" },
      isInferred(record)
        ? el("p", { class: "inferred" }, "Inferred by the curator from the statement cited below; not a claim by any party.")
        : null,
      record.weak_only ? el("p", { class: "warn" }, "Rests only on weak sources.") : null,
      el("dl", {}, fact("in force", period(record)), fact("measure", measure), fact("status", status),
        fact("confidence", record.confidence), fact("claimed by", record.claimed_by),
        fact("reasoning", record.reasoning), extra, fact("quote", record.quote),
        fact("reported speech", record.paraphrase), fact("official document", record.document),
        record.document_url ? el("div", { class: "fact" }, el("dt", {}, "document"),
          el("dd", {}, safeLink(record.document_url, record.document_url))) : null,
        fact("note", record.note)),
      el("h4", {}, "Sources"),
      sourcesList(record.sources),
    );
  }
  function label(id) {
    const node = nodes.get(id);
    return node ? node.title.replace(/ \([^)]*\)$/, "") : id;
  }

  let panelShowsChain = false;
  let panelTurn = 0; // a slow answer must not overwrite what the user asked for since
  const claimPanel = () => ++panelTurn;
  const stillMine = (turn) => turn === panelTurn;

  async function showNode(id) {
    panelShowsChain = false;
    const turn = claimPanel();
    fill(details, el("p", { class: "note" }, "Loading…"));
    const asOf = state.as_of ? `&as_of=${state.as_of}` : "";
    const data = await getJson(`/api/entities/${encodeURIComponent(id)}?limit=15${asOf}`);
    if (!stillMine(turn)) return;
    const entity = data.entity;
    const known = new Set(["id", "label", "kind", "country", "aliases", "description", "note", "confidence", "sources",
      "same_as", "unresolved"]);
    const attrs = Object.entries(entity).filter(([k]) => !known.has(k)).map(([k, v]) => fact(k.replace(/_/g, " "), v));
    const actions = el(
      "div",
      { class: "actions" },
      el("button", { type: "button", onclick: () => expand(id) }, "Expand"),
      el("button", { type: "button", onclick: () => navigate({ view: "subgraph", center: [id] }) }, "Centre here"),
      el("button", { type: "button", onclick: () => navigate({ view: "supply-chain", center: [id] }) }, "Supply chain"),
      el("button", { type: "button", onclick: () => setPathEnd("from", id) }, "Path from here"),
      el("button", { type: "button", onclick: () => setPathEnd("to", id) }, "Path to here"),
    );
    const groups = data.relations.map((g) =>
      el(
        "section",
        { class: "group" },
        el("h3", {}, `${g.label} (${g.total})`),
        el(
          "ul",
          {},
          g.items.map((item) =>
            el(
              "li",
              {},
              el("details", {},
                el("summary", {}, item.other.label, item.edge.date || item.edge.start ? ` · ${item.edge.date || item.edge.start}` : "",
                  item.edge.status ? ` · ${item.edge.status}` : ""),
                evidence(item.edge)),
            ),
          ),
        ),
        g.total > g.items.length ? el("p", { class: "note" }, `${g.total - g.items.length} more: expand the node to add them`) : null,
      ),
    );
    fill(details, 
      el("h2", {}, entity.label),
      el("p", { class: "kind" }, [entity.kind, entity.country].filter(Boolean).join(" · ")),
      actions,
      el("dl", {}, fact("id", entity.id), fact("aliases", entity.aliases), fact("confidence", entity.confidence), attrs),
      entity.description ? el("p", {}, entity.description) : null,
      entity.note ? el("p", { class: "note" }, entity.note) : null,
      el("h4", {}, "Sources"),
      sourcesList(entity.sources),
      unresolvedList(entity.unresolved),
      matchesSection(entity),
      groups,
    );
  }
  // Curated entities: which imported list entries are probably them (the cross-reference).
  function matchesSection(entity) {
    if (!page.has_imports || entity.ftm_file || !page.matched_kinds.includes(entity.kind)) return null;
    const section = el("section", { class: "group matches" }, el("h3", {}, "Possible list entries"),
      el("p", { class: "note" }, "Looking…"));
    getJson(`/api/entities/${encodeURIComponent(entity.id)}/matches?limit=5`)
      .then((data) => {
        const items = data.candidates.map((c) =>
          el("li", {},
            el("details", {},
              el("summary", {}, `${c.score.toFixed(2)} · ${c.label} `,
                el("button", { type: "button", onclick: () => navigate({ view: "subgraph", center: [c.ftm_id] }) },
                  "Centre here")),
              el("ul", {}, c.reasons.map((r) => el("li", {}, r))))));
        fill(section, el("h3", {}, "Possible list entries"),
          items.length ? el("ul", {}, items) : el("p", { class: "note" }, "No loaded list entry scores above the threshold."));
      })
      .catch((error) => fill(section, el("h3", {}, "Possible list entries"), el("p", { class: "note" }, String(error.message || error))));
    return section;
  }
  function unresolvedList(references) {
    if (!references || !references.length) return null;
    return el("section", { class: "group unresolved" },
      el("h3", {}, `References to entities not loaded (${references.length})`),
      el("ul", {}, references.map((r) => el("li", {}, `${r.property}: refers to ${r.target} — not loaded`))));
  }

  function showEdge(id) {
    panelShowsChain = false;
    claimPanel();
    const record = records.get(id);
    if (!record) return;
    if (record.key === "folded") {
      fill(details,
        el("h2", {}, `${record.parts.length} relations between ${label(record.source)} and ${label(record.target)}`),
        el("div", { class: "actions" }, el("button", { type: "button", class: "unfold",
          onclick: () => { unfolded.add(id); applyFilters(); } }, "Draw them apart")),
        el("ul", { class: "parts" }, record.parts.map((part) => {
          const r = records.get(part);
          const spec = page.legend.relations.find((x) => x.name === r.relation);
          return el("li", {}, el("details", {},
            el("summary", {}, `${label(r.source)} ${spec ? spec.label : r.relation} ${label(r.target)}`,
              r.date || r.start ? ` · ${r.date || r.start}` : "", r.status ? ` · ${r.status}` : ""),
            evidence(r)));
        })));
      return;
    }
    const spec = page.legend.relations.find((r) => r.name === record.relation);
    fill(details, 
      el("h2", {}, `${label(record.source)} ${spec ? spec.label : record.relation} ${label(record.target)}`),
      el("p", { class: "kind" }, record.relation),
      evidence(record),
    );
  }

  // ---- groups: many neighbours through one relation, counted, listed on demand ----------
  // A group counts the members in force on the as-of day and of the ticked kinds: recounted
  // (by the server, which holds them) when either changes, a moment after the slider stops.
  let recount = null;
  let recountTurn = 0;
  // The members API's filters for the view: its day and, when some are unticked, its kinds
  // (false: every kind a member could have is unticked, so no group has a member left).
  function memberFilters() {
    const q = new URLSearchParams();
    if (state.as_of) q.set("as_of", state.as_of);
    if (state.kinds.length) {
      const known = state.kinds.filter((k) => page.legend.kinds.some((spec) => spec.name === k));
      if (!known.length) return false;
      known.forEach((k) => q.append("kinds", k));
    }
    return q;
  }
  function refreshGroups() {
    clearTimeout(recount);
    recount = setTimeout(async () => {
      const turn = ++recountTurn;
      const groups = nodes.get({ filter: (n) => n.group_of });
      const filters = memberFilters();
      const counts = await Promise.all(groups.map((n) => {
        if (!filters) return 0;
        const q = new URLSearchParams([...Object.entries(n.group_of.members), ...filters]);
        q.set("limit", "1");
        // past the time budget a group is not counted (truncated): it keeps the count it shows
        return getJson("/api/groups/members?" + q.toString()).then((data) => (data.truncated ? null : data.total));
      }));
      if (turn !== recountTurn) return; // the day changed again meanwhile
      nodes.update(groups.map((n, i) => {
        if (counts[i] === null) return { id: n.id };
        const count = counts[i].toLocaleString("en");
        edges.get({ filter: (e) => e.from === n.id || e.to === n.id }).forEach((e) => {
          records.get(e.id).count = counts[i];
          edges.update({ id: e.id, label: count });
        });
        if (zoomLabels.has(n.id)) zoomLabels.set(n.id, zoomLabels.get(n.id).replace(/^[\d,]+/, count));
        return { id: n.id, label: n.label.replace(/^[\d,]+/, count), title: n.title.replace(/^[\d,]+/, count),
          group_of: Object.assign({}, n.group_of, { in_force: counts[i] }) };
      }));
      applyFilters();
    }, 250);
  }
  linkscope.refreshGroups = refreshGroups;

  const MEMBERS_PAGE = 20;
  async function showGroup(id) {
    panelShowsChain = false;
    const turn = claimPanel();
    const group = nodes.get(id).group_of;
    const query = el("input", { type: "search", placeholder: "Find in this group", "aria-label": "Find in this group" });
    const list = el("ul", { class: "members" });
    const more = el("div", { class: "actions" });
    const splits = el("div", { class: "splits" });
    const narrow = new Map(); // facet -> value: the group split by other facets
    let offset = 0;
    function showSplits(facets) {
      const lines = Object.entries(facets)
        .filter(([name, counts]) => name !== group.facet && (Object.keys(counts).length > 1 || narrow.has(name)))
        .map(([name, counts]) => el("p", { class: "split", dataset: { facet: name } }, `by ${name}: `,
          Object.entries(counts).map(([value, count]) => el("button", {
            type: "button", class: narrow.get(name) === value ? "chip on" : "chip", dataset: { value },
            onclick: () => {
              if (narrow.get(name) === value) narrow.delete(name);
              else narrow.set(name, value);
              load(true).catch(showError);
            } }, `${value} ${count.toLocaleString("en")}`))));
      fill(splits, lines);
    }
    async function load(reset) {
      if (reset) offset = 0;
      const q = new URLSearchParams(Object.entries(group.members));
      narrow.forEach((value, name) => q.append("narrow", `${name}:${value}`));
      q.set("q", query.value.trim());
      q.set("limit", String(MEMBERS_PAGE));
      q.set("offset", String(offset));
      (memberFilters() || []).forEach(([name, value]) => q.append(name, value));
      const data = await getJson("/api/groups/members?" + q.toString());
      if (!stillMine(turn)) return;
      const items = data.results.map((m) =>
        el("li", { dataset: { id: m.id } },
          el("span", {}, m.label, m.country ? ` · ${m.country}` : ""), " ",
          el("button", { type: "button", class: "show-member",
            onclick: () => navigate({ center: state.center, view: state.view, include: [...state.include, m.id],
              expand: state.expand }) }, "Show in view"),
          el("button", { type: "button", onclick: () => navigate({ view: "subgraph", center: [m.id] }) }, "Centre here")));
      if (reset) {
        fill(list, items);
        showSplits(data.facets);
      } else list.append(...items);
      offset += data.results.length;
      fill(more,
        data.truncated
          ? el("p", { class: "note matched" }, "Too many members to search in time: type more of the name, or split the group.")
          : el("p", { class: "note matched" }, `${offset} of ${data.total.toLocaleString("en")}` +
            (data.q ? ` matching “${data.q}”` : "")),
        offset < data.total ? el("button", { type: "button", onclick: () => load(false).catch(showError) }, "More") : null);
    }
    let typing = null;
    query.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => load(true).catch(showError), 200);
    });
    const split = group.facet ? `${group.facet}: ${group.value}` : "all of them";
    fill(details,
      el("h2", {}, nodes.get(id).title),
      el("p", { class: "kind" }, `group of ${(group.in_force ?? group.count).toLocaleString("en")} · ${split}`),
      el("p", { class: "note" }, "Too many to draw one by one: find a member, then show it in the view or centre on it."),
      query, splits, list, more);
    await load(true);
  }
  linkscope.showGroup = showGroup;

  network.on("click", (params) => {
    if (params.nodes.length) {
      const node = nodes.get(params.nodes[0]);
      (node && node.group_of ? showGroup(node.id) : showNode(params.nodes[0])).catch(showError);
    } else if (params.edges.length) showEdge(params.edges[0]);
  });
  network.on("doubleClick", (params) => {
    if (params.nodes.length && !(nodes.get(params.nodes[0]) || {}).group_of) expand(params.nodes[0]);
  });
  function showError(error) {
    fill(details, el("p", { class: "warn" }, String(error.message || error)));
  }

  // ---- supply-chain panel --------------------------------------------------------------
  function designationState(d, day) {
    if (d.in_force) return "in force";
    const start = d.date || d.start;
    if (start && latest(start) > day) return "not yet in force";
    return d.end_basis === "statutory" ? "statutory term ended (renewal not known)" : "ended";
  }
  async function showSupplyChain() {
    panelShowsChain = true;
    const turn = claimPanel();
    const id = state.center[0];
    const q = state.as_of ? "?as_of=" + state.as_of : "";
    const chain = await getJson(`/api/entities/${encodeURIComponent(id)}/supply-chain${q}`);
    if (!stillMine(turn)) return;
    const entries = chain.upstream.map((u) =>
      el(
        "li",
        { class: u.sanctioned ? "sanctioned" : "" },
        el("details", {},
          el("summary", {}, u.entity.label, ` · ${u.roles.join(", ")}`,
            u.sanctioned ? el("strong", { class: "warn" }, " · sanctioned") : "",
            u.disputed ? el("span", { class: "note" }, " · disputed link") : "",
            u.inferred ? el("span", { class: "note" }, " · through an inferred link") : ""),
          el("ol", {}, u.chain.map((h) => el("li", {}, el("details", {}, el("summary", {}, h.explanation), evidence(h))))),
          u.designations.length ? el("h4", {}, "Designations") : null,
          el("ul", {}, u.designations.map((d) =>
            el("li", {}, el("details", {},
              el("summary", {}, `${label(d.source)} · ${d.date || d.start}`, ` · ${designationState(d, chain.as_of)}`),
              evidence(d))))),
        ),
      ),
    );
    fill(
      details,
      el("h2", {}, `Supply chain of ${chain.target.label}`),
      el("p", { class: "note" }, `As of ${chain.as_of}: ${chain.upstream.filter((u) => u.sanctioned).length} of `
        + `${chain.upstream.length} upstream entities under a designation in force.`),
      el("ul", { class: "chain" }, entries),
      el("div", { class: "actions" }, el("button", { type: "button", onclick: () => showNode(id).catch(showError) },
        `Details of ${chain.target.label}`)),
    );
  }

  // ---- expand (in pages, for hubs) --------------------------------------------------
  // Each expansion is one more page of neighbours; the URL lists a node once per page, so a
  // reload (or a shared link) draws the same pages.
  const EXPAND_PAGE = page.expand_page;
  const expandPages = new Map();
  state.expand.forEach((id) => expandPages.set(id, (expandPages.get(id) || 0) + 1));
  const expandedAll = new Set(); // nodes whose every neighbour is drawn: no further page
  async function expand(id) {
    if (expandedAll.has(id)) {
      document.getElementById("status").append(el("span", { class: "note" }, ` · every neighbour of ${label(id)} is shown`));
      return 0;
    }
    const pageNo = (expandPages.get(id) || 0) + 1;
    expandPages.set(id, pageNo);
    const q = new URLSearchParams([["view", "subgraph"], ["center", id], ["depth", "1"],
      ["max_nodes", String(1 + EXPAND_PAGE * pageNo)], ["via", state.via]]);
    const data = await getJson("/explore/data?" + q.toString());
    const added = addData(data.nodes.map((n) => Object.assign(n, { center: false })), data.edges, id);
    foldParallel();
    drawHistogram();
    state.expand.push(id);
    if (!data.truncated) expandedAll.add(id);
    applyFilters();
    syncUrl();
    const note = data.truncated
      ? `added ${added} neighbours of ${label(id)}; more remain: expand again for the next page`
      : `added ${added} neighbours of ${label(id)}`;
    document.getElementById("status").append(el("span", { class: "note" }, " · " + note));
    return added;
  }
  linkscope.expand = expand;

  // ---- paths -------------------------------------------------------------------------
  const pathFrom = document.getElementById("path-from");
  const pathTo = document.getElementById("path-to");
  function setPathEnd(end, id) {
    (end === "from" ? pathFrom : pathTo).value = id;
    if (pathFrom.value && pathTo.value) findPaths(pathFrom.value, pathTo.value).catch(showError);
  }
  document.getElementById("path-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (pathFrom.value && pathTo.value) findPaths(pathFrom.value.trim(), pathTo.value.trim()).catch(showError);
  });
  document.getElementById("path-clear").addEventListener("click", () => {
    clearHighlight();
    pinnedLabels.clear();
    fitLabels(true);
    state.path_from = state.path_to = null;
    pathFrom.value = pathTo.value = "";
    syncUrl();
  });

  function clearHighlight() {
    linkscope.highlighted.forEach((id) => {
      const base = baseStyle.get(id);
      if (edges.get(id)) edges.update({ id, color: base.color, width: base.width });
    });
    linkscope.highlighted = [];
  }

  async function findPaths(from, to) {
    const turn = claimPanel();
    const q = new URLSearchParams({ source: from, target: to, max_hops: "4", limit: "5", via: state.via });
    if (state.as_of) q.set("as_of", state.as_of);
    const result = await getJson("/api/paths?" + q.toString());
    state.path_from = from;
    state.path_to = to;
    const ids = [...new Set(result.paths.flatMap((p) => p.hops.flatMap((h) => [h.from, h.to])))].slice(0, 20);
    if (ids.length) {
      const extra = await getJson("/explore/data?" + new URLSearchParams(
        [["view", "subgraph"], ["depth", "0"], ...ids.map((i) => ["center", i])]).toString());
      addData(extra.nodes.map((n) => Object.assign(n, { center: false })), extra.edges, null);
    }
    foldParallel();
    clearHighlight();
    const onPath = new Set(result.paths.flatMap((p) => p.hops.map((h) => h.id)));
    unfoldAround(onPath); // a path's own edge is drawn, not the fold it is part of
    applyFilters();
    onPath.forEach((id) => {
      if (edges.get(id)) edges.update({ id, color: { color: "#111827", opacity: 1 }, width: 7, hidden: false });
    });
    linkscope.highlighted = [...onPath].filter((id) => edges.get(id));
    // a path's nodes are labelled, even those whose label a big view leaves out at this zoom
    nodes.update(ids.filter((i) => nodes.get(i)).map((i) => ({ id: i, hidden: false })));
    pinnedLabels.clear();
    ids.forEach((i) => pinnedLabels.add(i));
    fitLabels(true);
    syncUrl();
    fill(details, 
      el("h2", {}, `Paths from ${result.source.label} to ${result.target.label}`),
      result.paths.length ? null : el("p", { class: "note" }, "No path within 4 hops.",
        state.via === "shared" ? "" : " Paths through shared hubs (one authority, one country) are left out: "
          + "tick “Through shared hubs” to include them."),
      result.paths.map((p, i) =>
        el(
          "section",
          { class: "group path" + (p.connects ? "" : " shared") },
          el("h3", {}, `Path ${i + 1}: ${p.length} hop${p.length === 1 ? "" : "s"}`,
            p.weakest_confidence ? el("span", { class: "note" }, ` · weakest evidence: ${p.weakest_confidence}`) : null),
          p.connects ? null : el("p", { class: "warn" }, "Not a connection: passes through a shared hub."),
          p.shared.map((s) => el("p", { class: "sharedstep" }, s.explanation)),
          el("ol", {}, p.hops.map((h) => el("li", {}, el("details", {}, el("summary", {}, h.explanation), evidence(h))))),
        ),
      ),
      result.truncated ? el("p", { class: "note" }, `More paths exist (${result.truncated_reason}).`) : null,
    );
    if (linkscope.highlighted.length) network.fit({ nodes: ids.filter((i) => nodes.get(i)), animation: false });
    return result;
  }
  linkscope.findPaths = findPaths;

  // ---- search with suggestions ---------------------------------------------------------
  const search = document.getElementById("search");
  const suggestions = document.getElementById("suggestions");
  let searchTimer = null;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const q = search.value.trim();
      if (!q) {
        suggestions.hidden = true;
        return;
      }
      const data = await getJson("/api/entities?" + new URLSearchParams({ q, limit: "8" }).toString());
      suggestions.replaceChildren(
        ...data.results.map((r) =>
          el(
            "li",
            { role: "option", tabindex: "0", dataset: { id: r.id },
              onclick: () => navigate({ view: state.view === "supply-chain" && r.kind !== "programme" ? "subgraph" : state.view, center: [r.id] }) },
            el("span", { class: "label" }, r.label),
            el("span", { class: "kind" }, ` ${r.kind || ""}${r.country ? " · " + r.country : ""}`),
          ),
        ),
      );
      suggestions.hidden = data.results.length === 0;
    }, 150);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      const first = suggestions.querySelector("li");
      if (first) first.click();
    }
  });

  // ---- view controls and exports -----------------------------------------------------
  const viaShared = document.getElementById("via-shared");
  viaShared.checked = state.via === "shared";
  viaShared.addEventListener("change", () =>
    navigate({ via: viaShared.checked ? "shared" : "connections", expand: state.expand,
      path_from: state.path_from, path_to: state.path_to }));
  const depth = document.getElementById("depth");
  depth.value = String(state.depth);
  depth.disabled = state.view === "supply-chain";
  depth.addEventListener("change", () => navigate({ depth: Number(depth.value), expand: state.expand }));

  function updateExports() {
    let base;
    if (state.view === "supply-chain") {
      const q = new URLSearchParams();
      if (state.as_of) q.set("as_of", state.as_of);
      base = `/api/entities/${encodeURIComponent(state.center[0])}/supply-chain?` + q.toString();
    } else {
      const q = new URLSearchParams();
      state.center.forEach((c) => q.append("center", c));
      q.set("depth", String(state.depth));
      state.kinds.forEach((k) => q.append("kinds", k));
      state.relations.forEach((r) => q.append("relations", r));
      state.expand.forEach((e) => q.append("expand", e));
      if (state.as_of) q.set("as_of", state.as_of);
      if (state.via === "shared") q.set("via", "shared");
      base = "/api/subgraph?" + q.toString();
    }
    document.getElementById("export-graphml").href = base + "&format=graphml";
    document.getElementById("export-json").href = base + "&format=json";
    document.getElementById("brief").href = "/report?" + queryString(state);
  }
  document.getElementById("export-png").addEventListener("click", () => {
    const canvas = container.querySelector("canvas");
    const out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    const a = el("a", { download: `linkscope-${state.view}-${state.center.join("-")}.png` });
    a.href = out.toDataURL("image/png");
    document.body.append(a);
    a.click();
    a.remove();
  });

  // ---- start ---------------------------------------------------------------------------
  buildLegend();
  buildEvidenceFilters();
  applyFilters();
  updateExports();
  // Ready once drawn and the time bar is built, so the as-of controls show the URL's date.
  const timebar = buildTimebar().catch(showError);
  Promise.all([firstDrawn, timebar]).then(markReady);
  if (state.as_of || state.kinds.length) refreshGroups();
  if (state.path_from && state.path_to) {
    pathFrom.value = state.path_from;
    pathTo.value = state.path_to;
    findPaths(state.path_from, state.path_to).catch(showError);
  }
  if (state.path_from && state.path_to) {
    // the paths panel is shown
  } else if (state.compare) {
    showChanges().catch(showError);
  } else if (state.view === "supply-chain") {
    showSupplyChain().catch(showError);
  } else if (state.center.length === 1 && nodes.get(state.center[0])) {
    network.selectNodes([state.center[0]]);
    showNode(state.center[0]).catch(showError);
  }
})();
