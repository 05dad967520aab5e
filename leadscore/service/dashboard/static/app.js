// The dashboard's own script: CSRF on every change, the live queue's badge, the lead's chart, the workbench.
(function () {
  "use strict";
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  document.addEventListener("htmx:configRequest", (e) => { e.detail.headers["X-CSRF-Token"] = csrf(); });
  document.addEventListener("htmx:responseError", (e) => {
    if (e.detail.xhr.status === 401) window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
  });
  // "N new since you looked": clicking marks them seen (the queue counts from now on).
  document.addEventListener("click", (e) => {
    const badge = e.target.closest("#new-badge");
    if (!badge) return;
    const since = document.getElementById("since");
    if (since) { since.value = badge.dataset.now; htmx.trigger("#queue", "every 2s"); htmx.ajax("GET", "/ui/queue", { target: "#queue", source: "#filters" }); }
  });

  async function post(url, body, type) {
    const response = await fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), "Content-Type": type || "application/yaml" },
    });
    if (response.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname); }
    return response;
  }

  function chart() {
    const rows = JSON.parse(document.getElementById("history-data").textContent);
    const target = document.getElementById("chart");
    if (!rows.length) { target.textContent = "No history yet."; return; }
    const xs = rows.map((r) => Date.parse(r.at) / 1000);
    const ys = rows.map((r) => r.score);
    const marks = rows.filter((r) => r.stage_changed);
    const markStages = {
      hooks: {
        draw: [(u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = "#b45309"; ctx.fillStyle = "#b45309"; ctx.lineWidth = 1; ctx.setLineDash([4, 3]);
          ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
          for (const m of marks) {
            const x = u.valToPos(Date.parse(m.at) / 1000, "x", true);
            ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
            ctx.fillText("→ " + m.stage, x + 4, u.bbox.top + 14 * devicePixelRatio);
          }
          ctx.restore();
        }],
      },
    };
    const width = () => Math.max(Math.min(target.clientWidth || 600, 900), 260);
    const plot = new uPlot({
      width: width(), height: 240, plugins: [markStages],
      series: [{}, { label: "score", stroke: "#1d4ed8", width: 2, points: { show: true } }],
      axes: [{}, { label: "score" }],
    }, [xs, ys], target);
    window.addEventListener("resize", () => plot.setSize({ width: width(), height: 240 }));
    window.leadscoreChart = plot;
  }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // Set a rule's points in the YAML text: the first `points:` after the line that names the rule.
  function setPoints(text, rule, points) {
    const lines = text.split("\n");
    const named = new RegExp("(^|[\\s{,-])name:\\s*[\"']?" + escapeRe(rule) + "[\"']?\\s*(,|}|$)");
    const start = lines.findIndex((l) => named.test(l));
    if (start < 0) return null;
    for (let i = start; i < Math.min(lines.length, start + 30); i++) {
      if (i > start && /^\s*-\s/.test(lines[i])) break;
      if (/(^|[\s{,])points:\s*-?[\d.]+/.test(lines[i])) {
        lines[i] = lines[i].replace(/((?:^|[\s{,])points:\s*)-?[\d.]+/, "$1" + points);
        return lines.join("\n");
      }
    }
    return null;
  }

  function workbench() {
    const host = document.getElementById("editor");
    const status = document.getElementById("status");
    const list = document.getElementById("problems");
    const rulesBody = document.querySelector("#rules-form tbody");
    let editor;
    const say = (text) => { status.textContent = text; };

    function showRules(rules) {
      rulesBody.innerHTML = "";
      for (const r of rules) {
        const tr = document.createElement("tr");
        const name = `${r.dimension}.${r.name}`;
        tr.innerHTML = `<td></td><td><input type="number" step="any" size="6"></td>`;
        tr.firstChild.textContent = name;
        const input = tr.querySelector("input");
        input.value = r.points == null ? "" : r.points;
        input.setAttribute("aria-label", `points of ${name}`);
        input.dataset.rule = r.name;
        input.addEventListener("change", () => {
          const next = setPoints(editor.get(), r.name, input.value);
          if (next == null) say(`Could not find the points of ${name} in the YAML: edit them there.`);
          else editor.set(next);
        });
        rulesBody.appendChild(tr);
      }
    }

    async function validate(text) {
      const response = await post("/ui/validate", text);
      const result = await response.json();
      if (!response.ok) { say(result.error ? result.error.message : "validation failed"); return []; }
      list.innerHTML = "";
      for (const p of result.problems) {
        const li = document.createElement("li");
        li.textContent = `line ${p.line}, column ${p.column}: ${p.message}`;
        li.dataset.line = p.line;
        list.appendChild(li);
      }
      for (const w of result.warnings) {
        const li = document.createElement("li");
        li.className = "warning"; li.textContent = "warning: " + w;
        list.appendChild(li);
      }
      say(result.ok ? `valid: ${result.rules.length} rules` : `${result.problems.length} problem(s)`);
      if (result.ok) showRules(result.rules);
      return result.problems;
    }

    const text = JSON.parse(document.getElementById("yaml-data").textContent);
    editor = LeadscoreEditor.create(host, text, validate);
    window.leadscoreEditor = editor;

    async function preview(name, version) {
      say(`previewing version ${version}…`);
      const response = await post(`/ui/scorecards/${encodeURIComponent(name)}/${version}/preview`, "");
      const card = document.getElementById("preview-card");
      const box = document.getElementById("preview");
      if (!response.ok) { const e = await response.json(); say(e.error.message); return; }
      box.innerHTML = await response.text();
      card.hidden = false;
      say(`preview of version ${version} ready`);
      box.querySelector("#activate").addEventListener("click", () => confirmActivate(box.querySelector("#preview-result")));
      card.scrollIntoView({ block: "nearest" });
    }

    function confirmActivate(result) {
      const dialog = document.getElementById("confirm");
      const n = Number(result.dataset.changing);
      document.getElementById("confirm-text").textContent =
        `Activating version ${result.dataset.version} of ${result.dataset.name} rescores every lead: ${n} lead${n === 1 ? "" : "s"} will change stage.`;
      dialog.returnValue = "";
      dialog.onclose = async () => {
        if (dialog.returnValue !== "ok") return;
        say("activating…");
        const response = await post(`/ui/scorecards/${encodeURIComponent(result.dataset.name)}/${result.dataset.version}/activate`, "");
        const body = await response.json();
        if (!response.ok) { say(body.error.message); return; }
        say(`version ${body.version} is active (${body.history_rows} history rows)`);
        window.location.href = `/workbench?scorecard=${encodeURIComponent(body.name)}&version=${body.version}&activated=1`;
      };
      dialog.showModal();
    }

    document.getElementById("save").addEventListener("click", async () => {
      const response = await post("/ui/scorecards", editor.get());
      const body = await response.json();
      if (!response.ok) {
        say(body.error.message.split("\n")[0]);
        editor.lint();
        return;
      }
      document.getElementById("draft").textContent = `saved as version ${body.version} (draft)`;
      await preview(body.name, body.version);
    });
    for (const button of document.querySelectorAll("button.preview")) {
      button.addEventListener("click", () => preview(host.dataset.name, button.dataset.version));
    }
  }

  window.LeadscoreDashboard = { chart, workbench, setPoints };
})();
