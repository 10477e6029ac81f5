// backtutor explore: the page's inline script (render/explore.py puts it in the page, a module after
// explore_view.js). It reads two embedded JSON blocks, deflated: #solution (exactly `solve -f json`, the
// source of every computed number shown) and #page (the graph's layout, each step's place on it, the
// working in MathML). A computed number shows on the graph once the working reaches its step.

async function unpack(id) {  // an embedded block: JSON, deflated (zlib) and in base64 (explore.py's packed)
  const bytes = Uint8Array.from(atob(document.getElementById(id).textContent), c => c.charCodeAt(0));
  const json = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return JSON.parse(await new Response(json).text());
}
const S = await unpack("solution"), P = await unpack("page");
const steps = S.steps, info = P.steps, prec = P.precision;
const strip = s => s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
function fmt(v, p) {  // Python's format_number: integers in full, else %.{p}g
  if (v === null || v === undefined) return "—";
  if (v === "?") return "?";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const [m, e] = v.toExponential(p - 1).split("e"), x = +e;
  if (x < -4 || x >= p) return strip(m) + "e" + (x < 0 ? "-" : "+") + String(Math.abs(x)).padStart(2, "0");
  return strip(v.toFixed(Math.max(0, p - 1 - x)));
}
const esc = s => s.replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const math = inner => "<div class=\"math\"><math displaystyle=\"true\"><mrow>" + inner + "</mrow></math></div>";
const NS = "http://www.w3.org/2000/svg", W = 132, H = 56, GX = 40, GY = 14;
const outs = new Map(), ins = new Map(), nodeEl = new Map(), edgeEl = new Map(), byId = new Map(), pos = new Map();
let view = null;  // explore_view.js: zoom and pan
P.nodes.forEach(n => { byId.set(n.id, n); outs.set(n.id, []); ins.set(n.id, []); });
P.edges.forEach(([a, b]) => { outs.get(a).push(b); ins.get(b).push(a); });
const index = new Map();  // "kind|node|update|example" → the step's position
info.forEach((m, i) => {
  const s = steps[i], f = m.at;
  if (f[0] === "g" && f[3] !== P.loss) return;
  const key = f[0] + "|" + f[1] + "|" + s.update + "|" + s.example;
  if (!index.has(key)) index.set(key, i);
});
const examples = new Map();  // update → the examples worked in it (a batch's), in order
steps.forEach(s => {
  if (s.example === null) return;
  if (!examples.has(s.update)) examples.set(s.update, []);
  const ks = examples.get(s.update);
  if (!ks.includes(s.example)) ks.push(s.example);
});
let cur = 0, ctx = "", selected = null, practice = false;
const answered = new Map();  // practice: step position → right on the first try
function written(w) {  // check's rule: (the value, one unit in the last digit written), else null
  w = w.trim().replace(/−/g, "-").replace("×10^", "e").replace("*10^", "e");
  const m = /^[-+]?(\d+)?(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(w);
  if (!m || !(m[1] || m[2])) return null;
  const decimals = (m[2] || "").length, power = +(m[3] || "0");
  return [parseFloat(w), w.includes(".") || m[3] !== undefined ? 10 ** (power - decimals) : 1];
}
const tol = P.tolerance;  // the file's (rtol, atol): then a value within them is right, as in `check`
// the problem's assignment: per step [min_digits, decimals] asked, null where no question asks it
const need = P.asked, isAsked = i => !need || need[i] !== null;
const asking = [...steps.keys()].filter(isAsked);  // the steps practice asks
function tooFew(a, v, i) {  // fewer digits than the assignment asks, as `check` says (exact never is)
  if (!need || !need[i] || a[0] === v || !(a[1] > 0 && Number.isFinite(a[1]))) return "";
  const [figures, decimals] = need[i], written = Math.round(-Math.log10(a[1]));
  if (decimals !== null && written < decimals) return `at least ${decimals} decimals`;
  const significant = a[0] ? Math.floor(Math.log10(Math.abs(a[0]))) + written + 1 : 0;
  return figures !== null && significant < figures ? `at least ${figures} significant figures` : "";
}
const nextAsked = from => asking.find(i => i >= from && !answered.has(i)) ?? asking.find(i => !answered.has(i));
const asWritten = (a, v) => Math.abs(a[0] - v) <= 0.5 * a[1] * (1 + 1e-9);  // v rounded as a was written
const rounded = (a, v) => Number.isFinite(v) && (tol ? Math.abs(a[0] - v) <= tol[1] + tol[0] * Math.abs(v) : asWritten(a, v));
function wrong(text, a, v) {  // why a written number is not right: precision only when that is the reason
  if (tol) {
    const tolerance = `rtol ${tol[0]}, atol ${tol[1]}`;
    return asWritten(a, v) ? `✗ not right: ${text} has too few digits for this problem's tolerance (${tolerance}); write more.`
      : `✗ not right: ${text} is not within ${tolerance} of the value; see the hint.`;
  }
  for (const k of [1, 2]) {  // right rounded one or two digits coarser (that still keep a digit of the value)
    const u = a[1] * 10 ** k;
    if (u > Math.abs(v)) break;
    if (asWritten([Math.round(a[0] / u) * u, u], v)) {
      return `✗ not right: ${text} is the value only to ${k === 1 ? "one digit" : "two digits"} fewer than you wrote ` +
        "(rounded too early, or cut off?); see the hint.";
    }
  }
  return `✗ not right: ${text} is not the value; see the hint.`;
}
const hidden = i => practice && i !== undefined && isAsked(i) && !answered.has(i);
// A computed number shows once its step is reached (practice: once answered, or when no question
// asks it); "?" while practice hides it.
const reached = i => (practice ? answered.has(i) || !isAsked(i) : i <= cur);
const shown = i => (reached(i) ? steps[i].value : practice ? "?" : null);

function el(tag, attrs, parent) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function drawGraph() {
  const cols = [];
  P.nodes.forEach(n => { cols[n.col] = Math.max(cols[n.col] || 0, n.row + 1); });
  const most = Math.max(...cols);
  if (P.layout === "graphviz") P.nodes.forEach(n => pos.set(n.id, [GX / 2 + n.x - W / 2, GY + n.y - H / 2]));
  else P.nodes.forEach(n => pos.set(n.id, [GX / 2 + n.col * (W + GX), GY + (n.row + (most - cols[n.col]) / 2) * (H + GY)]));
  const corners = [...pos.values()];
  const vw = Math.max(...corners.map(p => p[0])) + W + GX / 2, vh = Math.max(...corners.map(p => p[1])) + H + GY;
  const svg = el("svg", {viewBox: `0 0 ${vw} ${vh}`, role: "group", "aria-label": "Computational graph"});
  const eg = el("g", {}, svg);
  P.edges.forEach(([a, b]) => {
    const [x1, y1] = pos.get(a), [x2, y2] = pos.get(b), sx = x1 + W, sy = y1 + H / 2, ty = y2 + H / 2, mx = (sx + x2) / 2;
    edgeEl.set(a + ">" + b, el("path", {class: "edge", d: `M${sx},${sy} C${mx},${sy} ${mx},${ty} ${x2},${ty}`,
      "data-from": a, "data-to": b}, eg));
  });
  P.nodes.forEach(n => {
    const [x, y] = pos.get(n.id);
    const g = el("g", {class: "node k-" + n.kind, "data-id": n.id, tabindex: "0", role: "button",
      transform: `translate(${x},${y})`}, svg);
    el("rect", {width: W, height: H}, g);
    const name = el("text", {x: 8, y: 17, class: "name"}, g);
    name.textContent = n.id.length > 15 ? n.id.slice(0, 14) + "…" : n.id;
    el("text", {x: 8, y: 34, class: "val"}, g);
    el("text", {x: 8, y: 50, class: "grad"}, g);
    g.addEventListener("click", () => select(n.id));
    g.addEventListener("keydown", ev => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(n.id); } });
    nodeEl.set(n.id, g);
  });
  document.getElementById("graph").appendChild(svg);
  document.getElementById("graph").style.setProperty("--aspect", String(vw / vh));  // a phone's graph box
  view = zoomable(svg, vw, vh);
  [["zoom-in", () => view.zoom(1.25)], ["zoom-out", () => view.zoom(0.8)], ["zoom-fit", () => view.fit()]]
    .forEach(([id, act]) => document.getElementById(id).addEventListener("click", act));
}
function stepOf(kind, node, update, example) {
  const k = kind + "|" + node + "|" + update + "|";
  const i = index.get(k + example);
  return i !== undefined ? i : index.get(k + "null");
}
function perExample(one, n, update, example) {  // a batch-level step: the node's value in each example
  const i = stepOf(one === oneValue ? "v" : "g", n, update, example);
  if (example !== null || i !== undefined || !examples.has(update)) return one(n, update, example);
  const vs = examples.get(update).map(k => one(n, update, k));
  return vs.every(v => v === vs[0]) ? vs[0] : vs;
}
function oneValue(n, update, example) {
  const i = stepOf("v", n, update, example);
  if (i !== undefined) return shown(i);
  const given = P.given[update + "|" + example] || P.given[update + "|null"] || {};
  return given[n];
}
function oneGrad(n, update, example) {
  const i = stepOf("g", n, update, example);
  return i === undefined ? null : shown(i);
}
const valueOf = (n, update, example) => perExample(oneValue, n, update, example);
const gradOf = (n, update, example) => perExample(oneGrad, n, update, example);
function brief(v) {  // a node's box: one number, or a batch's numbers (example 1, 2, …)
  if (!Array.isArray(v)) return fmt(v, 4);
  const parts = v.length > 3 ? v.slice(0, 2).map(x => fmt(x, 3)).concat("…") : v.map(x => fmt(x, 3));
  return "[" + parts.join(", ") + "]";
}
function full(v, update) {  // the details and screen readers: every number at the page's precision
  if (!Array.isArray(v)) return fmt(v, prec);
  const ks = examples.get(update);
  return v.map((x, j) => `example ${ks[j]}: ${fmt(x, prec)}`).join("; ");
}
const shownAs = new Map();  // node → the numbers its box shows: a step rewrites only the boxes that change
function label(update, example) {
  const key = [update, example, practice, answered.size, cur].join("|");
  if (key === ctx) return;
  ctx = key;
  nodeEl.forEach((g, n) => {
    const v = valueOf(n, update, example), d = gradOf(n, update, example), now = `${update}|${v}|${d}`;
    if (shownAs.get(n) === now) return;
    shownAs.set(n, now);
    g.querySelector(".val").textContent = v == null ? "" : "= " + brief(v);
    g.querySelector(".grad").textContent = d == null ? "" : "∂ " + brief(d);
    g.setAttribute("aria-label", `${n}${v == null ? "" : ", value " + full(v, update)}${d == null ? "" : ", gradient " + full(d, update)}`);
  });
}
function reach(start, next) {
  const seen = new Set([start]), todo = [start];
  while (todo.length) for (const m of next.get(todo.pop()) || []) if (!seen.has(m)) { seen.add(m); todo.push(m); }
  return seen;
}
function highlight(f) {
  document.querySelectorAll(".edge.hl").forEach(e => e.classList.remove("hl"));
  document.querySelectorAll(".node.cur, .node.on").forEach(e => e.classList.remove("cur", "on"));
  const [kind, node, from, to] = f;
  let on = [];
  if (kind === "v" && ins.has(to)) on = ins.get(to).map(a => [a, to]);
  if (kind === "g" && outs.has(from) && ins.has(to)) {
    const down = reach(from, outs), up = reach(to, ins);
    on = P.edges.filter(([a, b]) => down.has(a) && up.has(a) && down.has(b) && up.has(b));
  }
  on.forEach(([a, b]) => {
    edgeEl.get(a + ">" + b).classList.add("hl");
    nodeEl.get(a).classList.add("on"); nodeEl.get(b).classList.add("on");
  });
  const g = nodeEl.get(node);
  if (g) { g.classList.add("cur"); view.reveal(...pos.get(node), W, H); }
}
function line(i) {
  const s = steps[i], m = info[i], eq = "<mo>=</mo>";
  const head = `<div class="id" id="step-id">${esc(s.id)}</div>`;
  if (hidden(i)) {
    return head + math(m.target + eq + "<mi>?</mi>") +
      `<label>Your value: <input id="answer" inputmode="decimal" autocomplete="off"></label>` +
      ` <button type="button" id="hint-button">Hint</button>` +
      `<div id="hint" hidden>${math(m.target + eq + m.formula)}</div><p id="verdict" aria-live="polite"></p>`;
  }
  return head + math(m.target + eq + m.formula) + (m.substitution ? math(eq + m.substitution) : "") +
    `<div>= <span class="value" id="value">${fmt(s.value, prec)}</span></div>` +
    (practice && isAsked(i) ? `<p id="verdict">${answered.get(i) ? "✓ right" : "✗ answered after a miss"}</p>` : "") +
    (s.note ? `<p class="hint">${esc(s.note)}</p>` : "");
}
const misses = new Set();
function answer(text) {
  const a = written(text), v = steps[cur].value, verdict = document.getElementById("verdict");
  if (a === null) { verdict.textContent = "Write a number, e.g. 0.593 or 5.93e-1."; return; }
  const short = tooFew(a, v, cur);
  if (short) { verdict.textContent = `Not enough digits to judge: write ${short}.`; return; }
  if (!rounded(a, v)) {
    misses.add(cur);
    verdict.textContent = wrong(text.trim(), a, v);
    document.getElementById("hint").hidden = false;
    return;
  }
  answered.set(cur, !misses.has(cur));
  score();
  go(nextAsked(cur + 1) ?? cur);
}
function score() {
  const right = [...answered.values()].filter(x => x).length;
  const done = answered.size === asking.length ? "Done: " : "";
  document.getElementById("score").textContent = practice
    ? `${done}${right} of ${answered.size} right on the first try (${asking.length} steps)` : "";
}
function go(i) {
  cur = Math.max(0, Math.min(steps.length - 1, i));
  const s = steps[cur];
  label(s.update, s.example);
  highlight(info[cur].at);
  const where = [s.phase];
  if (S.updates > 1) where.push("update " + s.update);
  if (s.example !== null) where.push("example " + s.example);
  document.getElementById("counter").textContent = `Step ${cur + 1} of ${steps.length} · ${where.join(" · ")}`;
  document.getElementById("working").innerHTML = line(cur);
  const box = document.getElementById("answer");
  if (box) {
    box.addEventListener("keydown", ev => { if (ev.key === "Enter") answer(box.value); });
    document.getElementById("hint-button").addEventListener("click", () => {
      document.getElementById("hint").hidden = false;
    });
    box.focus({preventScroll: true});
  }
  if (selected) select(selected);
}
function select(n) {
  if (selected) nodeEl.get(selected).classList.remove("sel");
  selected = n;
  nodeEl.get(n).classList.add("sel");
  const s = steps[cur], node = byId.get(n);
  const v = valueOf(n, s.update, s.example), d = gradOf(n, s.update, s.example);
  const vi = stepOf("v", n, s.update, s.example), gi = stepOf("g", n, s.update, s.example);
  let html = `<h2 class="id" id="detail-id">${esc(n)} <small>(${node.kind})</small></h2><dl>` +
    `<dt>value</dt><dd class="value" id="detail-value">${v == null ? "—" : full(v, s.update)}</dd>` +
    `<dt>gradient</dt><dd class="value" id="detail-grad">${d == null ? "—" : full(d, s.update)}</dd>`;
  const formula = (what, m) => `<dt class="math-row">${what}</dt><dd class="math-row">${math(m)}</dd>`;
  if (node.expr) html += formula("defined as", node.expr);
  if (gi !== undefined && info[gi].closed) html += formula("closed form", info[gi].closed);
  if (gi !== undefined && info[gi].simplified) html += formula("simplified", info[gi].simplified);
  html += "</dl>";
  for (const [what, i] of [["value", vi], ["gradient", gi]]) {
    if (i === undefined) continue;
    html += `<div>${math(info[i].target + "<mo>=</mo>" + info[i].formula)}</div>` +
      `<button type="button" data-go="${i}">Go to the ${what} step</button> `;
  }
  const box = document.getElementById("details");
  box.innerHTML = html;
  box.querySelectorAll("button[data-go]").forEach(b => b.addEventListener("click", () => go(+b.dataset.go)));
}
function pathOptions() {
  const box = document.getElementById("path"), seen = new Set();
  info.forEach(m => {
    const [kind, node, , to] = m.at;
    if (kind !== "g" || to !== P.loss || seen.has(node)) return;
    seen.add(node);
    box.add(new Option(`∂${P.loss}/∂${node}`, node));
  });
  box.addEventListener("change", () => {
    document.querySelectorAll(".path").forEach(e => e.classList.remove("path"));
    if (!box.value) return;
    const down = reach(box.value, outs), up = reach(P.loss, ins), on = n => down.has(n) && up.has(n);
    P.edges.forEach(([a, b]) => { if (on(a) && on(b)) edgeEl.get(a + ">" + b).classList.add("path"); });
    nodeEl.forEach((g, n) => { if (on(n)) g.classList.add("path"); });
  });
}
function curve() {  // runs of several updates: the loss after each (or each epoch), a slider through them
  const perUpdate = S.update_history.length > 0, h = perUpdate ? S.update_history : S.history;
  const box = document.getElementById("run");
  if (h.length < 3) return;
  box.hidden = false;
  document.getElementById("run-unit").textContent = perUpdate ? "Update" : "Epoch";
  const loss = h.map(e => e.loss), ok = loss.filter(Number.isFinite);
  const lo = Math.min(...ok), hi = Math.max(...ok), log = lo > 0 && hi / lo > 100;
  const y = v => { const t = log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo || 1); return 110 - 100 * t; };
  const x = k => 10 + 280 * k / (h.length - 1);
  const pts = h.map((e, k) => Number.isFinite(e.loss) ? `${x(k).toFixed(1)},${y(e.loss).toFixed(1)}` : "").join(" ");
  const svg = document.getElementById("curve");
  svg.setAttribute("aria-label", perUpdate ? "Loss after each update" : "Loss per epoch");
  svg.innerHTML = `<polyline points="${pts}" fill="none" stroke="#1f4fd1" stroke-width="1.5"/>` +
    `<circle id="mark" r="4" fill="#d62728"/>`;
  const slider = document.getElementById("epoch");
  slider.max = String(h.length - 1);
  const when = e => !perUpdate ? `epoch ${e.epoch}` : e.update === 0 ? "before training"
    : `after update ${e.update} (${e.epoch} epoch${e.epoch === 1 ? "" : "s"} done)`;
  const show = () => {
    const k = +slider.value, e = h[k], mark = document.getElementById("mark");
    mark.setAttribute("cx", x(k)); mark.setAttribute("cy", Number.isFinite(e.loss) ? y(e.loss) : 110);
    document.getElementById("epoch-loss").textContent =
      `${when(e)}${log ? " (log scale)" : ""}: loss ${fmt(e.loss, prec)}`;
    document.getElementById("epoch-params").innerHTML = Object.entries(e.parameters)
      .map(([n, v]) => `<dt>${esc(n)}</dt><dd>${fmt(v, prec)}</dd>`).join("");
  };
  slider.addEventListener("input", () => {
    show();
    const e = h[+slider.value], first = steps.findIndex(s => s.update === e.update + 1);
    if (perUpdate && first >= 0) go(first);  // the working of the update that comes next, when kept
  });
  show();
}
drawGraph();
pathOptions();
curve();
document.getElementById("prev").addEventListener("click", () => go(cur - 1));
document.getElementById("next").addEventListener("click", () => go(cur + 1));
document.getElementById("practice").addEventListener("click", ev => {
  practice = !practice;
  ev.currentTarget.setAttribute("aria-pressed", String(practice));
  document.body.classList.toggle("practice", practice);
  score();
  go(practice ? nextAsked(0) ?? cur : cur);
});
document.addEventListener("keydown", ev => {
  if (ev.target instanceof HTMLInputElement || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const to = {ArrowRight: cur + 1, ArrowLeft: cur - 1, Home: 0, End: steps.length - 1}[ev.key];
  const zoom = {"+": 1.25, "=": 1.25, "-": 0.8, "−": 0.8}[ev.key];
  if (to !== undefined) go(to);
  else if (zoom) view.zoom(zoom);
  else if (ev.key === "0") view.fit();
  else return;
  ev.preventDefault();
});
if (steps.length) go(0);
else document.getElementById("working").textContent = "No working was kept: write the page with --steps.";
document.body.dataset.ready = "1";
