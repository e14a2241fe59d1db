// Builds DOM elements from data; text always goes in as text nodes, never as markup.

/** el("td", { class: "num" }, "42"): attributes (on* become listeners), then children (strings or nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Replaces a tbody's rows; one full-width row saying `emptyText` when there are none. */
export function fillRows(tbody, rows, emptyText) {
  if (rows.length > 0) {
    tbody.replaceChildren(...rows);
    return;
  }
  const columns = tbody.closest("table")?.querySelectorAll("thead th").length ?? 1;
  tbody.replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: columns }, emptyText)));
}

/** A cell holding a shortened value, with the whole value in its title and as copyable text. */
export function codeCell(full, short, tag = "td") {
  return el(tag, tag === "th" ? { scope: "row" } : {}, el("code", { title: full }, short));
}
