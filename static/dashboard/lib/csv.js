// A table as a CSV file: its header and its rows' values exactly as the API gave them (not as the
// table formats them for the eye), written the way the API writes its own CSV.

const FORMULA_START = ["=", "+", "-", "@", "\t", "\r"];

function cell(value) {
  if (value === null || value === undefined) return "";
  let text;
  if (typeof value === "object") text = JSON.stringify(value);
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else {
    text = String(value);
    // A spreadsheet would run it as a formula (labels come from pages anyone can load).
    if (FORMULA_START.some((start) => text.startsWith(start))) text = "'" + text;
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvText(header, rows) {
  return [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** A file name in the API's own pattern: what, which scope, which days, which zone. */
export function fileName(what, { scope, from, to, zone }) {
  const safe = (text) => String(text).replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "-";
  const parts = ["video-metrics", what, safe(scope).slice(0, 60)];
  if (from && to) parts.push(from, "to", to);
  parts.push(safe(zone));
  return parts.join("_") + ".csv";
}

export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
