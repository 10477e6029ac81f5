// backtutor explore: zoom and pan for the graph (render/explore.py puts it in the page before
// explore.js). The svg keeps its own size and a CSS transform (a scale in pixels per graph unit about
// a centre) places it in its box, so zooming a large graph repaints it without laying it out again.
// The page opens with the whole graph fitted to the box; wheel, pinch, drag, the buttons and + / − / 0
// move it.

function zoomable(svg, vw, vh) {
  const box = svg.parentElement;
  Object.assign(svg.style, {width: vw + "px", height: vh + "px"});
  let scale = 1, cx = vw / 2, cy = vh / 2, fitted = true;
  let size = [1, 1];  // the box's, read on resize only: reading it after a step's changes costs a layout
  const room = () => size;
  const fitScale = () => { const [w, h] = room(); return Math.min(w / vw, h / vh); };
  function apply() {
    const [w, h] = room();
    svg.style.transform = `translate(${w / 2 - cx * scale}px, ${h / 2 - cy * scale}px) scale(${scale})`;
  }
  function fit() {
    scale = fitScale(); cx = vw / 2; cy = vh / 2; fitted = true;
    apply();
  }
  function zoom(k, px, py) {  // by k, keeping the graph's point under (px, py) (svg pixels) in place
    const [w, h] = room(), least = fitScale() / 2, most = Math.max(4, fitScale());
    if (px === undefined) [px, py] = [w / 2, h / 2];
    const s = Math.min(most, Math.max(least, scale * k));
    const x = cx + (px - w / 2) / scale, y = cy + (py - h / 2) / scale;
    cx = x - (px - w / 2) / s; cy = y - (py - h / 2) / s; scale = s; fitted = false;
    apply();
  }
  function pan(dx, dy) {
    cx -= dx / scale; cy -= dy / scale; fitted = false;
    apply();
  }
  function reveal(x, y, w, h) {  // a box of the graph into view (centred), when it is not all in view
    const [rw, rh] = room(), hw = rw / scale / 2, hh = rh / scale / 2;
    if (x >= cx - hw && x + w <= cx + hw && y >= cy - hh && y + h <= cy + hh) return;
    cx = x + w / 2; cy = y + h / 2;
    apply();
  }
  const down = new Map();  // pointer id → where it was last
  let dragged = false;
  box.addEventListener("pointerdown", ev => {
    down.set(ev.pointerId, [ev.clientX, ev.clientY]);
    if (down.size === 1) dragged = false;
  });
  box.addEventListener("pointermove", ev => {
    const was = down.get(ev.pointerId);
    if (!was) return;
    const now = [ev.clientX, ev.clientY], others = [...down].filter(([id]) => id !== ev.pointerId);
    if (down.size === 1) {
      if (!dragged && Math.hypot(now[0] - was[0], now[1] - was[1]) < 4) return;  // a click, so far
      if (!dragged) box.setPointerCapture(ev.pointerId);
      dragged = true;
      pan(now[0] - was[0], now[1] - was[1]);
    } else if (others.length === 1) {  // a pinch: the distance between two fingers
      const o = others[0][1], r = box.getBoundingClientRect();
      const before = Math.hypot(was[0] - o[0], was[1] - o[1]), after = Math.hypot(now[0] - o[0], now[1] - o[1]);
      dragged = true;
      if (before > 0) zoom(after / before, (now[0] + o[0]) / 2 - r.left, (now[1] + o[1]) / 2 - r.top);
    }
    down.set(ev.pointerId, now);
  });
  const up = ev => down.delete(ev.pointerId);
  box.addEventListener("pointerup", up);
  box.addEventListener("pointercancel", up);
  box.addEventListener("click", ev => { if (dragged) { ev.stopPropagation(); dragged = false; } }, true);
  box.addEventListener("wheel", ev => {
    ev.preventDefault();
    const r = box.getBoundingClientRect(), step = ev.deltaMode ? 40 : 1;  // lines or pixels
    zoom(Math.exp(-ev.deltaY * step * 0.002), ev.clientX - r.left, ev.clientY - r.top);
  }, {passive: false});
  const measure = () => { size = [box.clientWidth || 1, box.clientHeight || 1]; };
  new ResizeObserver(() => { measure(); if (fitted) fit(); else apply(); }).observe(box);
  measure();
  fit();
  return {fit, zoom, reveal};
}
