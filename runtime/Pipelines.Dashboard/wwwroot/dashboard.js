// Pipelines dashboard: fetches /api/snapshot whenever /api/events says something changed (or every 2 s if the
// event stream is unavailable) and draws it. No library, no network fetch beyond this server.
(function () {
  "use strict";
  var COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];
  var token = new URLSearchParams(location.search).get("token");
  var fetching = false, again = false, pollTimer = null;

  function $(id) { return document.getElementById(id); }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function round1(v) { return Math.round(v * 10) / 10; }
  function ms(v) { return v == null ? "–" : round1(v) + " ms"; }
  function num(v) { return typeof v === "number" ? (Number.isInteger(v) ? String(v) : String(round1(v))) : esc(v); }
  function pad(n, w) { n = String(n); while (n.length < (w || 2)) n = "0" + n; return n; }
  function clock(t) { var d = new Date(t); return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + "." + pad(d.getUTCMilliseconds(), 3); }
  function headers() { return token ? { "Authorization": "Bearer " + token } : {}; }

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch("api/snapshot", { headers: headers(), cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status + " " + r.statusText); return r.json(); })
      .then(render)
      // The server stops with its job: then nothing can be fetched and nothing can be stopped any more.
      .catch(function (e) { $("live").textContent = "disconnected (" + e.message + ")"; $("live").className = "live"; $("stop").hidden = true; })
      .then(function () { fetching = false; if (again) { again = false; refresh(); } });
  }

  function connect() {
    if (!window.EventSource) { poll(); return; }
    var events = new EventSource("api/events");
    events.addEventListener("changed", function () { $("live").textContent = "live"; $("live").className = "live on"; refresh(); });
    events.onerror = function () { $("live").textContent = "reconnecting…"; $("live").className = "live"; poll(); };
  }

  function poll() { if (!pollTimer) pollTimer = setInterval(refresh, 2000); }

  // Charts ---------------------------------------------------------------------------------------------------

  function niceMax(v) { if (!(v > 0)) return 1; var p = Math.pow(10, Math.floor(Math.log10(v))); var m = v / p; return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p; }

  function timeline(series, opts) {
    var w = opts.width || 560, h = opts.height || 130, l = 44, r = 8, t = 8, b = 18;
    var xs = [], ymax = 0;
    series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); if (p[1] > ymax) ymax = p[1]; }); });
    ymax = niceMax(ymax);
    var xmin = Math.min.apply(null, xs), xmax = Math.max.apply(null, xs);
    if (!xs.length) { xmin = 0; xmax = 1; }
    if (xmax === xmin) { xmax = xmin + 1; }
    function X(x) { return l + (x - xmin) / (xmax - xmin) * (w - l - r); }
    function Y(y) { return t + (1 - y / ymax) * (h - t - b); }
    var out = ['<svg width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + " " + h + '" role="img" aria-label="' + esc(opts.label) + '" class="chart timeline">'];
    for (var i = 0; i <= 2; i++) { var gy = Y(ymax * i / 2); out.push('<line class="grid" x1="' + l + '" x2="' + (w - r) + '" y1="' + gy + '" y2="' + gy + '"/><text x="' + (l - 4) + '" y="' + (gy + 3) + '" text-anchor="end">' + esc(num(ymax * i / 2)) + "</text>"); }
    out.push('<line class="axis" x1="' + l + '" x2="' + l + '" y1="' + t + '" y2="' + (h - b) + '"/><line class="axis" x1="' + l + '" x2="' + (w - r) + '" y1="' + (h - b) + '" y2="' + (h - b) + '"/>');
    if (xs.length) { out.push('<text x="' + l + '" y="' + (h - 4) + '">' + clock(xmin) + '</text><text x="' + (w - r) + '" y="' + (h - 4) + '" text-anchor="end">' + clock(xmax) + "</text>"); }
    series.forEach(function (s, k) {
      var color = s.color || COLORS[k % COLORS.length];
      var pts = s.points.map(function (p) { return X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1); });
      // Presentation attributes, not style attributes: the page's Content-Security-Policy forbids inline styles.
      if (pts.length) out.push('<polyline class="line" fill="none" stroke="' + color + '" points="' + pts.join(" ") + '"/>');
      if (s.points.length <= 120) s.points.forEach(function (p) { out.push('<circle class="dot" fill="' + color + '" r="2" cx="' + X(p[0]).toFixed(1) + '" cy="' + Y(p[1]).toFixed(1) + '"><title>' + clock(p[0]) + ": " + esc(num(p[1])) + "</title></circle>"); });
    });
    if (opts.avg != null && xs.length) { var ay = Y(opts.avg); out.push('<line class="avg" x1="' + l + '" x2="' + (w - r) + '" y1="' + ay + '" y2="' + ay + '"><title>average ' + esc(num(opts.avg)) + "</title></line>"); }
    out.push("</svg>");
    return out.join("");
  }

  function histogram(values, opts) {
    var w = opts.width || 260, h = opts.height || 130, l = 8, r = 8, t = 8, b = 18, bins = 10;
    var max = niceMax(Math.max.apply(null, values.concat([0])));
    var counts = []; for (var i = 0; i < bins; i++) counts.push(0);
    values.forEach(function (v) { counts[Math.min(bins - 1, Math.floor(v / max * bins))]++; });
    var cmax = Math.max.apply(null, counts.concat([1]));
    var bw = (w - l - r) / bins;
    var out = ['<svg width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + " " + h + '" role="img" aria-label="' + esc(opts.label) + ' histogram" class="chart histogram">'];
    counts.forEach(function (c, k) {
      var bh = c / cmax * (h - t - b);
      out.push('<rect class="bar" x="' + (l + k * bw + 1).toFixed(1) + '" y="' + (h - b - bh).toFixed(1) + '" width="' + (bw - 2).toFixed(1) + '" height="' + bh.toFixed(1) + '"><title>' + esc(num(max * k / bins)) + "–" + esc(num(max * (k + 1) / bins)) + ": " + c + " batches</title></rect>");
    });
    out.push('<line class="axis" x1="' + l + '" x2="' + (w - r) + '" y1="' + (h - b) + '" y2="' + (h - b) + '"/><text x="' + l + '" y="' + (h - 4) + '">0</text><text x="' + (w - r) + '" y="' + (h - 4) + '" text-anchor="end">' + esc(num(max)) + "</text></svg>");
    return out.join("");
  }

  // Rendering ------------------------------------------------------------------------------------------------

  function outputsCell(b) {
    if (!b.outputs.length) return "–";
    var done = b.outputs.filter(function (o) { return o.state === "succeeded"; }).length;
    var lines = b.outputs.map(function (o) { return "#" + o.id + " " + esc(o.name) + ": " + esc(o.state) + (o.durationMs != null ? " (" + ms(o.durationMs) + ")" : "") + (o.failure ? " – " + esc(o.failure.type + ": " + o.failure.message) : ""); });
    return '<details><summary>' + done + "/" + b.outputs.length + " succeeded</summary>" + lines.join("<br>") + "</details>";
  }

  function statusCell(b) {
    if (!b.failure) return '<span class="status-' + b.state + '">' + b.state + "</span>";
    return '<details><summary class="status-failed">failed: ' + esc(b.failure.type) + "</summary><div>" + esc(b.failure.message) + "</div><pre>" + esc(b.failure.detail) + "</pre></details>";
  }

  function batchRow(b, withTotal) {
    return '<tr data-time="' + b.time + '"><td>' + clock(b.time) + '</td><td class="num records">' + b.records + '</td><td class="num scheduling">' + ms(b.schedulingDelayMs) +
      '</td><td class="num processing">' + ms(b.processingTimeMs) + "</td>" + (withTotal ? '<td class="num total">' + ms(b.totalDelayMs) + "</td>" : "") +
      '<td class="outputs">' + outputsCell(b) + '</td><td class="status">' + statusCell(b) + "</td></tr>";
  }

  function bytes(v) {
    if (v == null) return "–";
    if (v < 1024) return v + " B";
    var units = ["KiB", "MiB", "GiB", "TiB"], u = -1;
    do { v /= 1024; u++; } while (v >= 1024 && u < units.length - 1);
    return round1(v) + " " + units[u];
  }

  function opt(v) { return v == null ? "–" : num(v); }

  function renderFigures(f) {
    var c = f.checkpoint;
    $("checkpoint").textContent = c ? ms(c.durationMs) + " · " + bytes(c.bytes) : "none";
    $("checkpoint").setAttribute("data-bytes", c ? c.bytes : "");
    $("checkpoint").setAttribute("data-duration-ms", c ? c.durationMs : "");
    $("checkpoint-note").textContent = c ? c.count + " written, avg " + ms(c.averageDurationMs) + ", last at " + clock(c.time) : "";
    $("wal").textContent = bytes(f.writeAheadLogBytes);
    $("wal").setAttribute("data-bytes", f.writeAheadLogBytes == null ? "" : f.writeAheadLogBytes);
    $("partitions").textContent = f.maxPartitions || "–";
    $("parallelism").textContent = f.parallelism;
    $("streams").tBodies[0].innerHTML = f.streams.map(function (s) {
      var held = s.windowBatches == null ? "–" : s.windowBatches + " batches · " + s.windowRecords + " records";
      return '<tr data-stream-id="' + s.id + '"><td>' + s.id + '</td><td class="name">' + esc(s.name) + "</td><td>" + esc(s.kind) + "</td><td>" + s.dependsOn.join(", ") +
        '</td><td class="num own-last" data-ms="' + (s.lastOwnTimeMs == null ? "" : s.lastOwnTimeMs) + '">' + ms(s.lastOwnTimeMs) +
        '</td><td class="num own-avg" data-ms="' + (s.averageOwnTimeMs == null ? "" : s.averageOwnTimeMs) + '">' + ms(s.averageOwnTimeMs) +
        '</td><td class="num records">' + opt(s.lastRecords) + '</td><td class="num partitions">' + opt(s.partitions) +
        '</td><td class="num remembered">' + s.rememberedBatches + " batches · " + s.rememberedRecords + ' records</td><td class="num state-keys">' + opt(s.stateKeys) +
        '</td><td class="num state-bytes" data-bytes="' + (s.stateBytes == null ? "" : s.stateBytes) + '">' + bytes(s.stateBytes) +
        '</td><td class="num window-held" data-batches="' + (s.windowBatches == null ? "" : s.windowBatches) + '">' + held + "</td></tr>";
    }).join("") || '<tr><td colspan="12">The job has not started.</td></tr>';
    $("inputs").tBodies[0].innerHTML = f.inputs.map(function (i) {
      return '<tr data-input-id="' + i.inputId + '"><td>' + i.inputId + "</td><td>" + esc(i.name) +
        '</td><td class="num last-records">' + opt(i.lastRecords) +
        '</td><td class="num records-per-second" data-rate="' + (i.recordsPerSecond == null ? "" : i.recordsPerSecond) + '">' + (i.recordsPerSecond == null ? "–" : round1(i.recordsPerSecond)) +
        '</td><td class="num total-records">' + num(i.totalRecords) +
        '</td><td class="num rate" data-rate="' + (i.rateLimit == null ? "" : i.rateLimit) + '">' +
        (i.rateLimit == null ? "unlimited" : num(i.rateLimit) + " records/s") + '</td><td class="num wal" data-bytes="' + (i.writeAheadLogBytes == null ? "" : i.writeAheadLogBytes) + '">' +
        (i.writeAheadLogBytes == null ? "none" : bytes(i.writeAheadLogBytes)) + "</td></tr>";
    }).join("") || '<tr><td colspan="7">No inputs.</td></tr>';
  }

  function average(values) { return values.length ? values.reduce(function (a, v) { return a + v; }, 0) / values.length : null; }

  function render(s) {
    var st = s.statistics, status = s.status, interval = st.batchIntervalMs;
    document.title = s.title + " – Pipelines dashboard";
    $("title").textContent = s.title;
    var verdict = $("verdict");
    verdict.textContent = status.verdict;
    verdict.className = "verdict " + status.verdict.replace(/ /g, "-");
    verdict.setAttribute("data-verdict", status.verdict);
    $("reasons").innerHTML = status.reasons.filter(function () { return status.verdict !== "waiting"; }).map(function (r) { return "<li>" + esc(r) + "</li>"; }).join("");
    $("state").textContent = status.state;
    $("interval").textContent = ms(interval);
    $("total-completed").textContent = st.totals.completedBatches;
    $("total-failed").textContent = st.totals.failedBatches;
    $("total-records").textContent = st.totals.records;
    $("active-count").textContent = st.active.length;
    $("stop").hidden = !s.stopEnabled || status.state === "Stopped";

    var done = st.completed;
    $("stats-window").textContent = done.length ? "last " + done.length + " batches (" + st.retainedBatches + " retained at most)" : "no batch completed yet";
    var metrics = [
      { key: "inputRate", name: "Input rate", unit: "records/s", get: function (b) { return b.records * 1000 / interval; } },
      { key: "schedulingDelay", name: "Scheduling delay", unit: "ms", get: function (b) { return b.schedulingDelayMs || 0; } },
      { key: "processingTime", name: "Processing time", unit: "ms", get: function (b) { return b.processingTimeMs || 0; } },
      { key: "totalDelay", name: "Total delay", unit: "ms", get: function (b) { return b.totalDelayMs || 0; } }
    ];
    $("charts").innerHTML = metrics.map(function (m) {
      var values = done.map(m.get), avg = average(values);
      var points = done.map(function (b, i) { return [b.time, values[i]]; });
      return '<tr data-metric="' + m.key + '"><td><div class="metric-name">' + m.name + '</div><div class="metric-avg">avg <span class="avg-value">' + (avg == null ? "–" : round1(avg)) + "</span> " + m.unit + "</div></td><td>" +
        timeline([{ points: points }], { label: m.name, avg: avg, height: 120 }) + "</td><td>" + histogram(values, { label: m.name, height: 120 }) + "</td></tr>";
    }).join("");

    $("active").tBodies[0].innerHTML = st.active.map(function (b) { return batchRow(b, false); }).join("");
    $("active-note").textContent = st.active.length + " batch" + (st.active.length === 1 ? "" : "es");
    $("completed").tBodies[0].innerHTML = done.slice().reverse().map(function (b) { return batchRow(b, true); }).join("");
    $("completed-note").textContent = done.length + " shown, newest first (at most " + st.retainedBatches + " retained)";
    var inputsById = {};
    ((s.figures && s.figures.inputs) || []).forEach(function (i) { inputsById[i.inputId] = i; });
    $("receivers").tBodies[0].innerHTML = st.receivers.length ? st.receivers.map(function (r) {
      var input = inputsById[r.streamId] || {};
      return '<tr data-stream="' + r.streamId + '"><td>' + r.streamId + "</td><td>" + esc(r.name) + "</td><td>" + esc(r.state) +
        '</td><td class="num receiver-rate" data-rate="' + (input.recordsPerSecond == null ? "" : input.recordsPerSecond) + '">' + (input.recordsPerSecond == null ? "–" : round1(input.recordsPerSecond) + " records/s") +
        '</td><td class="num receiver-total">' + (input.totalRecords == null ? "–" : num(input.totalRecords)) +
        '</td><td class="num errors">' + r.errors + "</td><td>" + esc(r.lastError || "") + "</td></tr>";
    }).join("") : '<tr><td colspan="7">No receivers (queue, file or direct inputs only).</td></tr>';

    renderFigures(s.figures);
    renderResults(s.results);
    document.body.setAttribute("data-version", s.version);
  }

  function renderResults(results) {
    var host = $("results");
    host.innerHTML = results.map(function (r) {
      var head = r.columns.map(function (c) { return "<th>" + esc(c) + "</th>"; }).join("");
      var rows = r.rows.map(function (row) { return "<tr>" + row.map(function (c) { return typeof c === "number" ? '<td class="num">' + num(c) + "</td>" : "<td>" + esc(c) + "</td>"; }).join("") + "</tr>"; }).join("");
      var legend = r.series.map(function (s, k) { return '<span><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="' + COLORS[k % COLORS.length] + '"/></svg>' + esc(s.label) + "</span>"; }).join("");
      var chart = r.series.length ? timeline(r.series, { label: r.title, width: 520, height: 180 }) + '<div class="legend">' + legend + "</div>" : "";
      return '<div class="result" data-board="' + r.id + '"><h2>' + esc(r.title) + " <small>" + (r.time == null ? "no batch yet" : "batch " + clock(r.time) + " · " + r.totalRows + " rows") +
        '</small></h2><div class="body"><table><thead><tr>' + head + "</tr></thead><tbody>" + rows + "</tbody></table><div>" + chart + "</div></div></div>";
    }).join("");
  }

  $("stop").addEventListener("click", function () {
    if (!token) token = prompt("The dashboard's token:");
    if (!token || !confirm("Stop the streaming job? Batches already cut finish first.")) return;
    fetch("api/stop", { method: "POST", headers: headers() }).then(function (r) {
      $("state").textContent = r.ok ? "Stopping…" : "Stop refused (" + r.status + ")";
      if (r.ok) $("stop").hidden = true;
      refresh();
    });
  });

  refresh();
  connect();
})();
