// The validator table: weight = own deposit + lent + votes; power is the CometBFT voting power (0 outside the set).
import { amount, shortHex } from "./display-format.js";
import { codeCell, el, fillRows } from "./html-builder.js";

export function renderValidators(tbody, validators) {
  fillRows(
    tbody,
    validators.map((v) =>
      el(
        "tr",
        { "data-operator": v.operator, class: v.jailed ? "jailed" : undefined },
        el("th", { scope: "row" }, v.moniker || "—"),
        codeCell(v.operator, shortHex(v.operator, 8, 4)),
        el("td", { class: "num" }, amount(v.weight)),
        el("td", { class: "num" }, amount(v.deposit)),
        el("td", { class: "num" }, amount(v.lent)),
        el("td", { class: "num" }, amount(v.votes)),
        el("td", { class: "num" }, amount(v.power)),
        el(
          "td",
          {},
          v.jailed
            ? el(
                "span",
                { class: "badge failed", title: v.jailReason || undefined },
                `jailed until ${v.jailedUntil}`,
              )
            : el("span", { class: "badge ok" }, "no"),
        ),
      ),
    ),
    "No validators registered.",
  );
}

/** Consensus address → moniker, so blocks can name their proposer. */
export function proposerNames(validators) {
  const names = new Map();
  for (const v of validators) names.set(String(v.consensusAddress).toUpperCase(), v.moniker || v.operator);
  return names;
}
