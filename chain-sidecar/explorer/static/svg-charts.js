// Two small inline-SVG charts (a step line and bars), written here because a charting library would be
// hundreds of KB for two charts and would need a bundler; this page has no build step.

const MARGIN = { top: 20, right: 20, bottom: 44, left: 84 };

/** Text for SVG/HTML markup: the page inserts these strings as markup, so every label goes through here. */
export function escapeMarkup(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** 1, 2 or 5 times a power of ten, at least `minStep`, so that about `count` steps cover `span`. */
export function niceStep(span, count, minStep = 0) {
  if (!(span > 0)) return Math.max(1, minStep);
  const raw = Math.max(span / Math.max(1, count), minStep);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Tick values from min to at least max, on nice steps of at least `minStep` (1 for counts). */
export function ticks(min, max, count, minStep = 0) {
  const step = niceStep(max - min, count, minStep);
  const first = Math.floor(min / step) * step;
  const values = [];
  for (let v = first; v <= max + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  if (values[values.length - 1] < max)
    values.push(Number((values[values.length - 1] + step).toPrecision(12)));
  return values;
}

const plainNumber = (n) => Math.round(n).toLocaleString("en-US");

function frame(id, width, height, title, description, body) {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" ` +
    `width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc">` +
    `<title id="${id}-title">${escapeMarkup(title)}</title>` +
    `<desc id="${id}-desc">${escapeMarkup(description)}</desc>${body}</svg>`
  );
}

function axisLabels(width, height, xLabel, yLabel) {
  return (
    `<text class="axis-label" x="${MARGIN.left + (width - MARGIN.left - MARGIN.right) / 2}" ` +
    `y="${height - 6}" text-anchor="middle">${escapeMarkup(xLabel)}</text>` +
    `<text class="axis-label" x="14" y="${MARGIN.top + (height - MARGIN.top - MARGIN.bottom) / 2}" ` +
    `text-anchor="middle" transform="rotate(-90 14 ${MARGIN.top + (height - MARGIN.top - MARGIN.bottom) / 2})">` +
    `${escapeMarkup(yLabel)}</text>`
  );
}

/**
 * A value that holds until the next point (step-after), e.g. escrow by block height.
 * points: [{ x, y }] sorted by x. Returns SVG markup.
 */
export function stepChart({
  id,
  title,
  description,
  points,
  xLabel,
  yLabel,
  width = 640,
  height = 260,
  formatY = plainNumber,
}) {
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = height - MARGIN.top - MARGIN.bottom;
  if (points.length === 0) {
    return frame(
      id,
      width,
      height,
      title,
      description,
      `<text class="empty" x="${width / 2}" y="${height / 2}" text-anchor="middle">no data yet</text>`,
    );
  }
  const xs = points.map((p) => p.x);
  let minX = Math.min(...xs);
  let maxX = Math.max(...xs);
  if (minX === maxX) {
    minX -= 1;
    maxX += 1;
  }
  const yTicks = ticks(0, Math.max(1, ...points.map((p) => p.y)), 4);
  const maxY = yTicks[yTicks.length - 1];
  const sx = (x) => MARGIN.left + ((x - minX) / (maxX - minX)) * innerW;
  const sy = (y) => MARGIN.top + innerH - (y / maxY) * innerH;
  const f = (n) => n.toFixed(1);

  let grid = "";
  for (const value of yTicks) {
    grid +=
      `<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${f(sy(value))}" y2="${f(sy(value))}"/>` +
      `<text class="tick" x="${MARGIN.left - 6}" y="${f(sy(value) + 4)}" text-anchor="end">${escapeMarkup(formatY(value))}</text>`;
  }
  const xStep = Math.max(1, Math.ceil(niceStep(maxX - minX, 6)));
  for (let x = Math.ceil(minX / xStep) * xStep; x <= maxX; x += xStep) {
    grid += `<text class="tick" x="${f(sx(x))}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${x}</text>`;
  }
  let path = `M${f(sx(points[0].x))},${f(sy(points[0].y))}`;
  for (const point of points.slice(1)) path += ` H${f(sx(point.x))} V${f(sy(point.y))}`;
  const dots = points
    .map(
      (p) =>
        `<circle class="point" cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="3.5">` +
        `<title>${escapeMarkup(`${xLabel} ${p.x}: ${formatY(p.y)}`)}</title></circle>`,
    )
    .join("");
  const axes =
    `<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${height - MARGIN.bottom}"/>` +
    `<line class="axis" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${height - MARGIN.bottom}" y2="${height - MARGIN.bottom}"/>`;
  return frame(
    id,
    width,
    height,
    title,
    description,
    grid +
      axes +
      `<path class="series" d="${path}" fill="none"/>` +
      dots +
      axisLabels(width, height, xLabel, yLabel),
  );
}

/** Vertical bars with their value on top; bars: [{ label, value, className? }]. Returns SVG markup. */
export function barChart({ id, title, description, bars, xLabel, yLabel, width = 480, height = 240 }) {
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const yTicks = ticks(0, Math.max(1, ...bars.map((b) => b.value)), 4, 1);
  const maxY = yTicks[yTicks.length - 1];
  const slot = innerW / Math.max(1, bars.length);
  const barW = Math.max(4, slot * 0.6);
  const sy = (y) => MARGIN.top + innerH - (y / maxY) * innerH;
  const f = (n) => n.toFixed(1);
  let body = "";
  for (const value of yTicks) {
    body +=
      `<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${f(sy(value))}" y2="${f(sy(value))}"/>` +
      `<text class="tick" x="${MARGIN.left - 6}" y="${f(sy(value) + 4)}" text-anchor="end">${plainNumber(value)}</text>`;
  }
  bars.forEach((bar, i) => {
    const x = MARGIN.left + i * slot + (slot - barW) / 2;
    const y = sy(bar.value);
    body +=
      `<rect class="bar ${bar.className ?? `bar-${i % 5}`}" x="${f(x)}" y="${f(y)}" width="${f(barW)}" height="${f(MARGIN.top + innerH - y)}">` +
      `<title>${escapeMarkup(`${bar.label}: ${bar.value}`)}</title></rect>` +
      `<text class="value" x="${f(x + barW / 2)}" y="${f(y - 4)}" text-anchor="middle">${bar.value}</text>` +
      `<text class="tick" x="${f(x + barW / 2)}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${escapeMarkup(bar.label)}</text>`;
  });
  body +=
    `<line class="axis" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${height - MARGIN.bottom}" y2="${height - MARGIN.bottom}"/>` +
    axisLabels(width, height, xLabel, yLabel);
  return frame(id, width, height, title, description, body);
}
