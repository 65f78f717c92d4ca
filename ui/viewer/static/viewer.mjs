// The local source viewer: /viewer/?doc=<document id>&page=<n>&q=<quote>
// Fetches the mirrored file from GET /v1/documents/{id}/file; PDFs are shown with Mozilla's pdf.js
// (npm pdfjs-dist, served under /viewer/pdfjs/) at the cited page, HTML and text are shown inline;
// the quote is highlighted where it is found and scrolled into view.
//
// Quotes come from the index's cleaned text (NFKC, hyphenation rejoined, running headers removed),
// so they are matched on letters and digits only: whitespace, line breaks, hyphens and ligatures
// in the file do not matter. When the whole quote is not found, its longest found start (or end)
// is highlighted and the status says so.

const params = new URLSearchParams(location.search);
const doc = params.get("doc") || "";
const page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
const quote = params.get("q") || "";
const fileUrl = `/v1/documents/${encodeURIComponent(doc)}/file`;
const PDFJS = "/viewer/pdfjs";
const MIN_MATCH = 12; // folded characters: a shorter partial match is likely a coincidence

const $ = (id) => document.getElementById(id);
const body = document.body;

function status(text, match) {
  $("pa-viewer-status").textContent = text;
  if (match) body.dataset.match = match;
}

function fitBar() {
  document.documentElement.style.setProperty("--bar-h", `${$("pa-bar").offsetHeight}px`);
}
addEventListener("resize", fitBar);

// ---- matching ------------------------------------------------------------------------------
const WORD = /[\p{L}\p{N}]/u;

function fold(text, visit) {
  for (let j = 0; j < text.length; j++) {
    for (const ch of text[j].normalize("NFKC").toLowerCase()) {
      if (WORD.test(ch)) visit(ch, j);
    }
  }
}

function foldText(text) {
  const out = [];
  fold(text, (ch) => out.push(ch));
  return out.join("");
}

// Every text node under root, as one folded string with each character's (node, offset).
function textIndex(root) {
  const nodes = [], chars = [], where = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const i = nodes.push(node) - 1;
    fold(node.nodeValue, (ch, j) => { chars.push(ch); where.push([i, j]); });
  }
  return { nodes, text: chars.join(""), where };
}

// The quote's span in hay: whole, else its longest start or end found (prefix/suffix presence is monotonic).
function locate(hay, needle) {
  if (!needle) return null;
  const at = hay.indexOf(needle);
  if (at >= 0) return { start: at, end: at + needle.length, full: true };
  const longest = (piece) => {
    let lo = 0, hi = needle.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (hay.includes(piece(mid))) lo = mid; else hi = mid - 1;
    }
    return lo;
  };
  const head = longest((n) => needle.slice(0, n));
  const tail = longest((n) => needle.slice(needle.length - n));
  if (Math.max(head, tail) < Math.min(MIN_MATCH, needle.length)) return null;
  const piece = head >= tail ? needle.slice(0, head) : needle.slice(needle.length - tail);
  const start = hay.indexOf(piece);
  return { start, end: start + piece.length, full: false, head: head >= tail, length: piece.length };
}

// Wrap the located characters in elements of `tag` with `className`; returns the wrappers.
function highlight(index, span, tag, className) {
  const ranges = new Map();
  for (let k = span.start; k < span.end; k++) {
    const [i, j] = index.where[k];
    const r = ranges.get(i);
    if (r) r[1] = j + 1; else ranges.set(i, [j, j + 1]);
  }
  const marks = [];
  for (const [i, [a, b]] of ranges) {
    const range = document.createRange();
    range.setStart(index.nodes[i], a);
    range.setEnd(index.nodes[i], b);
    const mark = document.createElement(tag);
    mark.className = className;
    range.surroundContents(mark);
    marks.push(mark);
  }
  return marks;
}

function report(span, where) {
  // where: "on page 82" or "in this document"
  if (!quote) status(`No quote given: showing the document ${where}.`, "none");
  else if (!span) status(`The quote was not found ${where}; the passage may be laid out differently in the file.`, "none");
  else if (span.full) status(`Quote highlighted ${where}.`, "full");
  else status(`Only part of the quote was found ${where}; that part is highlighted.`, "partial");
}

// ---- header --------------------------------------------------------------------------------
async function describe() {
  let info = null;
  try {
    const res = await fetch("/v1/documents");
    if (res.ok) info = (await res.json()).documents.find((d) => d.id === doc) || null;
  } catch { /* the title is a nicety: the document still shows */ }
  $("pa-title").textContent = info ? info.title : doc;
  document.title = `${info ? info.title : doc} · source viewer`;
  const links = [[fileUrl, "Download the file"]];
  if (info && /^https?:\/\//.test(info.url)) links.unshift([info.url, "Official source ↗"]);
  for (const [href, text] of links) {
    const a = document.createElement("a");
    a.href = href; a.textContent = text; a.target = "_blank"; a.rel = "noopener noreferrer";
    $("pa-links").append(a);
  }
  fitBar();
  return info;
}

// ---- PDF: pdf.js at the cited page -----------------------------------------------------------
async function showPdf(data) {
  const pdfjsLib = await import(`${PDFJS}/build/pdf.min.mjs`);
  const { EventBus, PDFLinkService, PDFViewer } = await import(`${PDFJS}/web/pdf_viewer.mjs`);
  pdfjsLib.GlobalWorkerOptions.workerSrc = `${PDFJS}/build/pdf.worker.min.mjs`;
  const container = $("viewerContainer");
  container.hidden = false;
  const eventBus = new EventBus();
  const linkService = new PDFLinkService({ eventBus });
  const viewer = new PDFViewer({ container, eventBus, linkService });
  linkService.setViewer(viewer);
  const pdf = await pdfjsLib.getDocument({
    data, cMapUrl: `${PDFJS}/cmaps/`, cMapPacked: true, standardFontDataUrl: `${PDFJS}/standard_fonts/`,
    wasmUrl: `${PDFJS}/wasm/`, iccUrl: `${PDFJS}/iccs/`,
  }).promise;
  const target = Math.min(page, pdf.numPages);
  $("pa-where").textContent = `Page ${target} of ${pdf.numPages}`;
  body.dataset.page = String(target);
  const pending = new Map([[target, foldText(quote)]]); // page -> folded text still to highlight there
  let done = false;
  eventBus.on("pagesinit", () => {
    viewer.currentScaleValue = "page-width";
    viewer.currentPageNumber = target;
  });
  eventBus.on("textlayerrendered", ({ pageNumber, source }) => {
    const needle = pending.get(pageNumber); // kept: a page re-rendered (zoom) is highlighted again
    const layer = source.textLayer?.div || container.querySelector(`.page[data-page-number="${pageNumber}"] .textLayer`);
    if (needle === undefined || !layer || layer.querySelector(".pa-hl")) return;
    const index = textIndex(layer);
    const span = locate(index.text, needle);
    const marks = span ? highlight(index, span, "span", "highlight pa-hl") : [];
    if (pageNumber === target && !done) {
      report(span, `on page ${target}`);
      if (marks.length) marks[0].scrollIntoView({ block: "center" });
      // A quote that runs over the page break: highlight the rest at the top of the next page.
      if (span && !span.full && span.head && span.end >= index.text.length - 2 && target < pdf.numPages) {
        pending.set(target + 1, needle.slice(span.length));
      }
      done = true;
      body.dataset.state = "ready";
    }
  });
  viewer.setDocument(pdf);
  linkService.setDocument(pdf, null);
  setTimeout(() => { if (!done) { report(null, `on page ${target}`); body.dataset.state = "ready"; } }, 20000);
}

// ---- HTML and text: shown inline, scrolled to the quote ---------------------------------------
const DROP = "script, style, link, meta, base, iframe, frame, object, embed, form, input, button, select, " +
  "textarea, noscript, img, picture, source, video, audio, svg, canvas, template";

function safeHtml(html, officialUrl) {
  const parsed = new DOMParser().parseFromString(html, "text/html"); // inert: nothing runs or loads
  parsed.querySelectorAll(DROP).forEach((el) => el.remove());
  parsed.querySelectorAll("*").forEach((el) => {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name) || attr.name === "style" || attr.name === "srcset") el.removeAttribute(attr.name);
    }
  });
  parsed.querySelectorAll("a[href]").forEach((a) => {
    const href = a.getAttribute("href");
    if (href.startsWith("#")) return;
    try {
      const url = new URL(href, officialUrl || "https://invalid.example/");
      if (!/^https?:$/.test(url.protocol) || url.hostname === "invalid.example") a.removeAttribute("href");
      else { a.href = url.href; a.target = "_blank"; a.rel = "noopener noreferrer"; }
    } catch { a.removeAttribute("href"); }
  });
  const main = parsed.querySelector("main, #content, article") || parsed.body;
  return [...main.childNodes];
}

function showText(nodes) {
  const article = $("pa-text");
  article.hidden = false;
  article.replaceChildren(...nodes);
  const index = textIndex(article);
  const span = locate(index.text, foldText(quote));
  const marks = span ? highlight(index, span, "mark", "pa-hl") : [];
  report(span, "in this document");
  if (marks.length) marks[0].scrollIntoView({ block: "center" });
  body.dataset.state = "ready";
}

// ---- main ----------------------------------------------------------------------------------
async function main() {
  fitBar();
  if (!doc) throw new Error("no document given: open the viewer from a citation (?doc=…&page=…&q=…)");
  const [info, res] = await Promise.all([describe(), fetch(fileUrl)]);
  if (!res.ok) {
    let message = `the file could not be loaded (HTTP ${res.status})`;
    try { message = (await res.json()).error.message; } catch { /* keep the status */ }
    throw new Error(message);
  }
  const type = res.headers.get("content-type") || "";
  if (type.startsWith("application/pdf")) {
    const data = new Uint8Array(await res.arrayBuffer());
    try {
      await showPdf(data);
    } catch (exc) {
      if (String(exc).includes("import")) throw new Error("pdf.js is not installed on this server (run scripts/setup.sh)");
      throw exc;
    }
  } else if (type.startsWith("text/html")) {
    showText(safeHtml(await res.text(), info?.url));
  } else {
    const pre = document.createElement("pre");
    pre.textContent = await res.text();
    showText([pre]);
  }
  fitBar();
}

main().catch((exc) => {
  body.dataset.state = "error";
  status(`Cannot show the source: ${exc.message || exc}`, "none");
  fitBar();
});
