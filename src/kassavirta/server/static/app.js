// kassavirta preflight page: drop invoices, show what the service will do with each.
// Plain browser JavaScript: no build step, no libraries, nothing fetched from elsewhere.
// Every text from a file or the server goes into the page as text (textContent), never as HTML.
"use strict";

(function () {
  const glossary = JSON.parse(document.getElementById("glossary").textContent);
  const $ = (id) => document.getElementById(id);
  const filesInput = $("files");
  const drop = $("drop");
  const statusLine = $("status");
  const results = $("results");
  const tokenInput = $("token");
  const todayInput = $("today");
  const channelInput = $("channel");
  const notesList = $("notes");
  const resultsBar = $("results-bar");
  const detailsInput = $("details");
  let generation = 0; // "Clear" makes the late answers of the runs before it irrelevant

  $("version").textContent = glossary.version || "";
  $("options-form").addEventListener("submit", (event) => event.preventDefault());
  tokenInput.value = sessionStorage.getItem("kassavirta-token") || "";
  tokenInput.addEventListener("change", () => {
    sessionStorage.setItem("kassavirta-token", tokenInput.value.trim());
  });
  if (glossary.token_required && !tokenInput.value) {
    $("options").open = true;
  }
  // Where in the file, rule names and command-line hints are for whoever maintains the
  // invoicing system: hidden until asked for, and the choice is remembered in this browser.
  function showDetails(on) {
    document.body.classList.toggle("show-details", on);
    detailsInput.checked = on;
  }
  showDetails(localStorage.getItem("kassavirta-details") === "1");
  detailsInput.addEventListener("change", () => {
    localStorage.setItem("kassavirta-details", detailsInput.checked ? "1" : "0");
    showDetails(detailsInput.checked);
  });
  $("clear").addEventListener("click", () => {
    generation++;
    results.replaceChildren();
    notesList.replaceChildren();
    say("");
    countResults();
    filesInput.value = "";
    filesInput.focus();
  });

  // -- small DOM helpers ------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function say(text, problem) {
    statusLine.textContent = text;
    statusLine.classList.toggle("problem", Boolean(problem));
  }

  function fieldWords(field) {
    return (glossary.fields || {})[field] || field.replace(/[._]/g, " ");
  }

  function words(slug) {
    return glossary.reasons[slug] || slug.replace(/-/g, " ");
  }

  // An IBAN (or an RF reference) as people read it: in groups of four. Only strings that
  // pass the ISO 7064 mod-97 check are grouped, so invoice numbers stay as they are.
  function mod97(text) {
    const moved = text.slice(4) + text.slice(0, 4);
    let rest = 0;
    for (const ch of moved) {
      const value = parseInt(ch, 36);
      rest = Number(String(rest) + String(value)) % 97;
    }
    return rest;
  }

  function readable(text) {
    if (text === null || text === undefined) return text;
    return String(text).replace(/\b[A-Z]{2}[0-9]{2}[A-Z0-9]{5,30}\b/g,
      (found) => (mod97(found) === 1 ? found.replace(/(.{4})(?=.)/g, "$1 ") : found));
  }

  // A command-line hint (a flag, a `kassavirta …` command, an environment variable) is a
  // detail: the person at the page cannot act on it.
  function isCliHint(note) {
    return /(^|\s)--[a-z]|`kassavirta |KASSAVIRTA_[A-Z]/.test(note);
  }

  // An XPath that may wrap after each step rather than inside an element's name.
  function pathCode(xpath) {
    const code = el("code", { class: "muted xpath" });
    xpath.split(/(?=\/)/).forEach((step, i) => {
      if (i) code.append(el("wbr"));
      code.append(step);
    });
    return code;
  }

  function tech(node) {
    node.classList.add("tech");
    return node;
  }

  // -- talking to the server ----------------------------------------------------------------------

  function query(extra) {
    const params = new URLSearchParams();
    if (todayInput.value) params.set("today", todayInput.value);
    if (channelInput.value) params.set("channel", channelInput.value);
    for (const [key, value] of Object.entries(extra || {})) params.set(key, value);
    const text = params.toString();
    return text ? "?" + text : "";
  }

  function headers(accept) {
    const h = { Accept: accept };
    const token = tokenInput.value.trim();
    if (token) h.Authorization = "Bearer " + token;
    return h;
  }

  class ServerProblem extends Error {
    constructor(status, body) {
      super((body && body.detail) || "the server answered " + status);
      this.status = status;
      this.body = body;
    }
  }

  async function post(path, body, accept, extra) {
    const response = await fetch(path + query(extra), {
      method: "POST",
      headers: headers(accept),
      body: body,
    });
    if (response.status === 401) {
      $("options").open = true;
      tokenInput.focus();
      throw new ServerProblem(401, { detail: "This server needs its access token: enter it under Options and drop the files again." });
    }
    return response;
  }

  async function readProblem(response) {
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    return new ServerProblem(response.status, body);
  }

  function single(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    return form;
  }

  // -- one run ------------------------------------------------------------------------------------

  async function checkFiles(fileList) {
    const files = Array.from(fileList).filter((f) => f.size > 0 || f.name);
    if (!files.length) return;
    const mine = generation;
    say(`Checking ${files.length} file${files.length === 1 ? "" : "s"}…`);
    // Each file goes under a name of its own, so that its results can be found again.
    const form = new FormData();
    const names = [];
    const used = new Set();
    for (const file of files) {
      let name = file.name || "invoice.xml";
      for (let n = 2; used.has(name); n++) {
        name = (file.name || "invoice.xml").replace(/(\.[^.]*)?$/, ` (${n})$1`);
      }
      used.add(name);
      names.push(name);
      form.append("files", file, name);
    }
    let report;
    try {
      const response = await post("/v1/check/batch", form, "application/json");
      if (!response.ok) throw await readProblem(response);
      report = await response.json();
    } catch (problem) {
      if (mine === generation) say("Could not check the files: " + problem.message, true);
      return;
    }
    if (mine !== generation) return;
    const byName = new Map();
    for (const result of report.results) {
      if (!byName.has(result.path)) byName.set(result.path, []);
      byName.get(result.path).push(result);
    }
    // The results of earlier drops stay, newest first, until "Clear"; a file checked again
    // replaces its earlier result (a person fixes an invoice and drops it again).
    const cards = [];
    const batch = document.createDocumentFragment();
    files.forEach((file, i) => {
      for (const old of results.querySelectorAll("article.file")) {
        if (old.dataset.file === names[i]) old.remove();
      }
      const card = renderFile(file, names[i], byName.get(names[i]) || []);
      batch.append(card.node);
      cards.push(card);
    });
    results.prepend(batch);
    countResults();
    const s = report.summary;
    say(`Checked ${s.files} file${s.files === 1 ? "" : "s"}: ${s.route} routed, ${s.error} rejected, ${s.bypass} sent directly, ${s.invalid} unreadable.`);
    notesList.replaceChildren();
    for (const note of s.notes || []) {
      const item = el("li", { class: "muted", text: "Note: " + note });
      notesList.append(isCliHint(note) ? tech(item) : item);
    }
    if (glossary.ledger) loadLedger();
    for (const card of cards) {
      if (mine !== generation) return;
      if (card.routed) await addRewrite(card);
    }
  }

  function countResults() {
    const shown = results.querySelectorAll("article.file").length;
    resultsBar.hidden = shown === 0;
    $("results-count").textContent = `Results for ${shown} file${shown === 1 ? "" : "s"}, newest first`;
  }

  // -- rendering a file's results ---------------------------------------------------------------------

  function renderFile(file, name, fileResults) {
    const worst = fileResults.find((r) => r.decision !== "route") || fileResults[0] || { decision: "invalid", reasons: [], findings: [] };
    const decision = worst.decision;
    const id = "file-" + Math.random().toString(36).slice(2, 10);
    const node = el("article", {
      class: "file " + decision,
      "aria-labelledby": id,
      "data-file": name,
      "data-decision": decision,
    });
    node.append(
      el("div", { class: "file-head" },
        el("h2", { id: id, text: name }),
        el("span", { class: "badge " + decision, "data-role": "decision", text: decision }))
    );
    for (const result of fileResults) node.append(renderResult(result, fileResults.length > 1));
    const routed = fileResults.length > 0 && fileResults.every((r) => r.decision === "route");
    const extra = el("div", { class: "rewrite" });
    node.append(extra);
    return { node, file, name, routed, extra, results: fileResults };
  }

  function renderResult(result, several) {
    const part = el("section", { class: "invoice-part", "data-decision": result.decision });
    if (several) part.append(el("h3", { text: `Invoice ${result.document || ""}` }));
    const meaning = glossary.decisions[result.decision] || { title: result.decision, text: "" };
    part.append(el("p", { class: "verdict " + result.decision },
      el("strong", { text: meaning.title }), meaning.text));
    const inv = result.invoice;
    if (inv) {
      const facts = el("dl", { class: "facts" });
      const add = (label, value) => {
        if (value) facts.append(el("div", {}, el("dt", { text: label }), el("dd", { text: value })));
      };
      add("Invoice number", inv.number);
      add("Invoice date", inv.date);
      add("Due date", inv.due_date);
      add("Total", inv.total ? `${inv.total} ${inv.currency || ""}`.trim() : null);
      add("Buyer", inv.buyer && inv.buyer.name);
      add("Buyer's business ID", inv.buyer && inv.buyer.business_id);
      add("Format", result.format);
      add("Channel", inv.channel);
      part.append(facts);
    } else if (result.format) {
      part.append(el("p", { class: "muted", text: "Format: " + result.format }));
    }
    const blocking = result.findings.filter((f) => result.reasons.includes(f.rule));
    const others = result.findings.filter((f) => !result.reasons.includes(f.rule));
    if (result.reasons.length) {
      part.append(el("h3", { text: result.decision === "error" ? "What the service rejects, and how to fix it" : "Why" }));
      const list = el("ul", { class: "reasons", "data-role": "reasons" });
      for (const slug of result.reasons) {
        const found = blocking.filter((f) => f.rule === slug);
        const item = el("li", { class: result.decision === "error" ? "error" : "", "data-rule": slug },
          el("span", { class: "reason-title", text: words(slug) }));
        for (const f of found.length ? found : [null]) {
          if (!f) continue;
          item.append(el("p", { class: "service-message", "data-role": "message", text: f.message }));
          if (f.detail) item.append(el("p", { class: "fix", text: f.detail }));
          if (f.line || f.xpath) {
            const where = el("p", { class: "where tech" }, "In the file: ");
            if (f.line) where.append("line " + f.line);
            if (f.line && f.xpath) where.append(" · ");
            if (f.xpath) where.append(pathCode(f.xpath));
            item.append(where);
          }
        }
        list.append(item);
      }
      part.append(list);
    }
    if (others.length) {
      part.append(el("h3", { text: "Other findings" }));
      const table = el("table", { "data-role": "findings" },
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", text: "Severity" }),
          el("th", { scope: "col", text: "What" }),
          el("th", { scope: "col", class: "tech", text: "Line" }),
          el("th", { scope: "col", text: "Message" }))));
      const body = el("tbody");
      for (const f of others) {
        body.append(el("tr", { "data-rule": f.rule },
          el("td", { class: "sev sev-" + f.severity, text: f.severity === "info" ? "note" : f.severity }),
          el("td", { class: "what" }, el("span", { text: words(f.rule) }), el("code", { class: "tech rule", text: f.rule })),
          el("td", { class: "line tech", text: f.line ? String(f.line) : "–" }),
          el("td", { class: "message" }, f.message, f.detail ? el("div", { class: "muted", text: f.detail }) : null)));
      }
      table.append(body);
      part.append(table);
    }
    if (result.schedule && result.schedule.length) {
      part.append(el("h3", { text: "If the buyer does not pay: the reminder schedule" }));
      const table = el("table", { "data-role": "schedule" },
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", text: "Step" }), el("th", { scope: "col", text: "Date" }),
          el("th", { scope: "col", text: "From" }))));
      const body = el("tbody");
      const from = { guide: "the guide", settings: "your settings", assumed: "assumed (the guide shows it only as a picture)" };
      for (const step of result.schedule) {
        body.append(el("tr", { "data-source": step.source },
          el("td", { text: step.step.replace(/_/g, " ") }), el("td", { text: step.date }),
          el("td", { text: from[step.source] || step.source })));
      }
      table.append(body);
      part.append(table);
    } else if (result.decision === "route" && Array.isArray(result.schedule)) {
      const rules = new Set((result.findings || []).map((f) => f.rule));
      const why = rules.has("credit-note") ? "a credit note is not reminded"
        : rules.has("service-level") ? "the buyer's service level"
        : rules.has("prepaid") ? "prepaid in full" : "none applies";
      part.append(el("p", { class: "muted", text: `No reminders from the service (${why}).` }));
    }
    return part;
  }

  // -- the rewrite, the preview and the downloads --------------------------------------------------------

  // Fields that are one thing to the person sending the invoice, though the file holds it twice
  // (a Finvoice has the reference in the bank-payment part and in the payment instructions).
  const A4_FRAME_WIDTH = 820; // 210 mm at 96 px per inch, and the preview's margin

  const SAME_AS = { "payment.epi_reference": "payment.reference" };

  function sameOnce(changes) {
    const rows = [];
    const byKey = new Map();
    for (const c of changes) {
      const field = SAME_AS[c.field] || c.field;
      const key = JSON.stringify([c.document || 0, field, c.old, c.new]);
      const earlier = byKey.get(key);
      if (earlier) {
        earlier.field = field;
        earlier.xpaths.push(c.xpath);
        continue;
      }
      const row = { field: c.field, old: c.old, new: c.new, xpaths: [c.xpath] };
      byKey.set(key, row);
      rows.push(row);
    }
    return rows;
  }


  async function addRewrite(card) {
    const box = card.extra;
    box.append(el("p", { class: "muted", text: "Preparing the invoice as the service will send it…" }));
    let outcome, html;
    try {
      const r1 = await post("/v1/rewrite", single(card.file), "application/json");
      if (!r1.ok) throw await readProblem(r1);
      outcome = await r1.json();
      const r2 = await post("/v1/preview", single(card.file), "text/html");
      if (!r2.ok) throw await readProblem(r2);
      html = await r2.text();
    } catch (problem) {
      box.replaceChildren(el("p", { class: "problem-text", text: "The rewrite could not be shown: " + problem.message }));
      return;
    }
    box.replaceChildren();
    if (!outcome.rewritten) {
      box.append(el("h3", { text: "What the service changes" }),
        el("p", { text: "Nothing: the company is the accountable party, so the invoice is sent as it is." }));
    } else {
      box.append(el("h3", { text: "What the service changes" }));
      const table = el("table", { "data-role": "changes" },
        el("caption", { text: "Fields of the invoice the service rewrites before sending it" }),
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", text: "Field" }),
          el("th", { scope: "col", text: "Now" }),
          el("th", { scope: "col", text: "Will be" }))));
      const body = el("tbody");
      for (const c of sameOnce(outcome.changes)) {
        const where = el("span", { class: "xpaths tech" });
        for (const xpath of c.xpaths) where.append(pathCode(xpath));
        body.append(el("tr", { "data-field": c.field },
          el("td", { class: "field" }, el("span", { text: fieldWords(c.field) }), where),
          el("td", { class: "old", "data-label": "Now" },
            el("span", { class: "value", text: c.old === null ? "(none)" : readable(c.old) })),
          el("td", { class: "new", "data-label": "Will be" },
            el("span", { class: "value", text: c.new === null ? "(removed)" : readable(c.new) }))));
      }
      table.append(body);
      box.append(table);
    }
    if (outcome.notes && outcome.notes.length) {
      const notes = el("ul", { class: "notes" });
      for (const n of outcome.notes) notes.append(el("li", { text: n }));
      box.append(notes);
    }
    box.append(el("h3", { text: "The invoice as it will be sent" }));
    // The image is A4 wide: drawn at that width and scaled down to fit a narrow screen whole,
    // so that the totals and the bank slip are on it. Same origin (so that its size can be
    // read) but sandboxed without scripts: nothing in it runs.
    const frame = el("iframe", {
      class: "preview-frame",
      title: "Preview of " + card.name + " as the service will send it",
      sandbox: "allow-same-origin",
      "data-role": "preview",
    });
    const holder = el("div", { class: "preview-box" }, frame);
    frame.addEventListener("load", () => fitPreview(holder, frame));
    new ResizeObserver(() => fitPreview(holder, frame)).observe(holder);
    frame.srcdoc = html;
    box.append(holder);
    const stem = card.name.replace(/\.xml$/i, "");
    const actions = el("div", { class: "actions" });
    actions.append(
      downloadButton("Download the rewritten XML", card.file, "/v1/rewrite", "application/xml", stem + "-kassavirta.xml"),
      downloadButton("Download the PDF", card.file, "/v1/preview", "application/pdf", stem + "-kassavirta.pdf"));
    box.append(actions);
  }

  function fitPreview(holder, frame) {
    const doc = frame.contentDocument;
    if (!doc || !doc.body || !doc.body.firstElementChild) return;
    const page = doc.documentElement;
    frame.style.height = page.scrollHeight + "px";
    const width = Math.max(page.scrollWidth, A4_FRAME_WIDTH);
    frame.style.width = width + "px";
    const scale = Math.min(1, holder.clientWidth / width);
    frame.style.transform = scale < 1 ? `scale(${scale})` : "";
    holder.style.height = Math.ceil(page.scrollHeight * scale) + "px";
    holder.dataset.scale = scale.toFixed(3);
  }

  function downloadButton(text, file, path, accept, name) {
    const button = el("button", { type: "button", class: "button", "data-download": accept, text: text });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const response = await post(path, single(file), accept);
        if (!response.ok) throw await readProblem(response);
        const blob = await response.blob();
        const url = URL.createObjectURL(blob);
        const link = el("a", { href: url, download: name });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        say("Downloaded " + name + ".");
      } catch (problem) {
        say("Could not download " + name + ": " + problem.message, true);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  // -- the ledger: the service's comments and the deliveries to reroute ------------------------------

  let ledgerAsked = 0;

  async function loadLedger() {
    const mine = ++ledgerAsked;
    let summary;
    try {
      const response = await fetch("/v1/ledger/summary", { headers: headers("application/json") });
      if (response.status === 401) return; // the checks ask for the token
      if (!response.ok) throw await readProblem(response);
      summary = await response.json();
    } catch (problem) {
      if (mine !== ledgerAsked) return;
      $("ledger").hidden = false;
      $("ledger-comments").textContent = "";
      $("ledger-failed").textContent = "";
      $("ledger-body").replaceChildren(el("p", { class: "problem-text", text: "The ledger could not be read: " + problem.message }));
      return;
    }
    if (mine === ledgerAsked) renderLedger(summary);
  }

  function renderLedger(summary) {
    const badge = $("ledger-comments");
    badge.dataset.comments = String(summary.comments);
    badge.dataset.unseen = String(summary.unseen_comments);
    badge.classList.toggle("attention", summary.unseen_comments > 0);
    badge.textContent = `${summary.comments} comment${summary.comments === 1 ? "" : "s"} from the service, ${summary.unseen_comments} unseen`;
    const failed = summary.failed_deliveries;
    const failedBadge = $("ledger-failed");
    failedBadge.dataset.failed = String(failed.length);
    failedBadge.classList.toggle("alarm", failed.length > 0);
    failedBadge.textContent = `${failed.length} failed deliver${failed.length === 1 ? "y" : "ies"}`;
    const body = $("ledger-body");
    body.replaceChildren();
    if (failed.length) {
      body.append(el("h3", { text: `Not delivered: reroute ${failed.length === 1 ? "this invoice" : "these invoices"} before the due date` }));
      const list = el("ul", { class: "failed", "data-role": "failed-deliveries" });
      for (const f of failed) {
        list.append(el("li", { "data-assignment": f.assignment },
          el("strong", { text: `Invoice ${f.number}` }),
          ` · ${f.debtor || "buyer unknown"} · dated ${f.invoice_date}` + (f.due_date ? ` · due ${f.due_date}` : ""),
          el("p", { class: "action", "data-role": "action", text: f.action_needed }),
          tech(el("code", { class: "muted", text: "assignment " + f.assignment }))));
      }
      body.append(list);
    } else {
      body.append(el("p", { class: "muted", text: "No failed deliveries: every invoice of an open assignment reached its receiver, as far as the ledger knows." }));
    }
    if (summary.unseen.length) {
      body.append(el("h3", { text: "Unseen comments from the service, newest first" }));
      const list = el("ul", { class: "comments", "data-role": "comments" });
      for (const c of summary.unseen) {
        list.append(el("li", { "data-assignment": c.assignment },
          el("span", { class: "muted", text: `${(c.at || "").slice(0, 10) || "undated"} · invoice ${c.number} · ${c.debtor || "buyer unknown"}` + (c.from === "service" ? "" : ` · from: ${c.from}`) }),
          el("p", { class: "comment", text: c.comment })));
      }
      body.append(list);
      if (summary.unseen_comments > summary.unseen.length) {
        body.append(el("p", { class: "muted", text: `… and ${summary.unseen_comments - summary.unseen.length} more.` }));
      }
      body.append(tech(el("p", { class: "help" }, "Mark them as seen with ", el("code", { text: "kassavirta ledger comments --mark-seen" }), ".")));
    }
    $("ledger").hidden = false;
  }

  if (glossary.ledger && (tokenInput.value || !glossary.token_required)) loadLedger();
  if (glossary.ledger) tokenInput.addEventListener("change", loadLedger);

  // -- input: choosing and dropping ------------------------------------------------------------------

  filesInput.addEventListener("change", () => {
    checkFiles(filesInput.files);
  });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) checkFiles(event.dataTransfer.files);
  });
  // A file dropped beside the zone must not make the browser open it instead.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
})();
