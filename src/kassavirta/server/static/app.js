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
  let run = 0; // a newer drop makes the older one's late answers irrelevant

  $("version").textContent = glossary.version || "";
  $("options-form").addEventListener("submit", (event) => event.preventDefault());
  tokenInput.value = sessionStorage.getItem("kassavirta-token") || "";
  tokenInput.addEventListener("change", () => {
    sessionStorage.setItem("kassavirta-token", tokenInput.value.trim());
  });
  if (glossary.token_required && !tokenInput.value) {
    $("options").open = true;
  }

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
    const mine = ++run;
    results.replaceChildren();
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
      if (mine === run) say("Could not check the files: " + problem.message, true);
      return;
    }
    if (mine !== run) return;
    const byName = new Map();
    for (const result of report.results) {
      if (!byName.has(result.path)) byName.set(result.path, []);
      byName.get(result.path).push(result);
    }
    const cards = [];
    files.forEach((file, i) => {
      const card = renderFile(file, names[i], byName.get(names[i]) || []);
      results.append(card.node);
      cards.push(card);
    });
    const s = report.summary;
    say(`Checked ${s.files} file${s.files === 1 ? "" : "s"}: ${s.route} routed, ${s.error} rejected, ${s.bypass} sent directly, ${s.invalid} unreadable.`);
    for (const note of s.notes || []) {
      results.prepend(el("p", { class: "muted", text: "Note: " + note }));
    }
    for (const card of cards) {
      if (mine !== run) return;
      if (card.routed) await addRewrite(card);
    }
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
          const where = [];
          if (f.line) where.push("line " + f.line);
          if (f.xpath) where.push(f.xpath);
          if (where.length) item.append(el("p", { class: "where" }, "In the file: ", el("code", { text: where.join(" · ") })));
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
          el("th", { scope: "col", text: "Line" }),
          el("th", { scope: "col", text: "Message" }))));
      const body = el("tbody");
      for (const f of others) {
        body.append(el("tr", { "data-rule": f.rule },
          el("td", { class: "sev-" + f.severity, text: f.severity === "info" ? "note" : f.severity }),
          el("td", {}, el("span", { text: words(f.rule) }), el("br"), el("code", { text: f.rule })),
          el("td", { text: f.line ? String(f.line) : "–" }),
          el("td", {}, f.message, f.detail ? el("div", { class: "muted", text: f.detail }) : null)));
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
      for (const c of outcome.changes) {
        body.append(el("tr", { "data-field": c.field },
          el("td", {}, el("span", { text: fieldWords(c.field) }), el("br"), el("code", { class: "muted", text: c.xpath })),
          el("td", { class: "old", text: c.old === null ? "(none)" : c.old }),
          el("td", { class: "new", text: c.new === null ? "(removed)" : c.new })));
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
    const frame = el("iframe", {
      class: "preview-frame",
      title: "Preview of " + card.name + " as the service will send it",
      sandbox: "",
      "data-role": "preview",
    });
    frame.srcdoc = html;
    box.append(frame);
    const stem = card.name.replace(/\.xml$/i, "");
    const actions = el("div", { class: "actions" });
    actions.append(
      downloadButton("Download the rewritten XML", card.file, "/v1/rewrite", "application/xml", stem + "-kassavirta.xml"),
      downloadButton("Download the PDF", card.file, "/v1/preview", "application/pdf", stem + "-kassavirta.pdf"));
    box.append(actions);
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
