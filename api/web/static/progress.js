/* The run page (/planner/runs/<id>) follows its solve live: the server's events of the run
   (progress while it runs, then one summary) fill in the figures; at the summary the page
   reloads to show the result. The words come from the page (data-* attributes), so this
   script holds no language of its own. Without script the page refreshes itself instead. */
(function () {
  "use strict";
  var box = document.querySelector("[data-events]");
  if (!box || !window.EventSource) { return; }
  var limit = parseFloat(box.getAttribute("data-time-limit"));

  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }

  function fill(name, values) {
    var el = field(name);
    if (!el) { return; }
    if (values === null) { el.textContent = el.getAttribute("data-none"); return; }
    var text = el.getAttribute("data-words");
    Object.keys(values).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    el.textContent = text;
  }

  // 1254 as people write it: the page gives the thousands separator of its language.
  function grouped(minutes) {
    var sep = field("travel").getAttribute("data-thousands") || "";
    return String(Math.round(minutes)).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }

  function show(data) {
    var status = field("status");
    var word = status && status.getAttribute("data-word-" + data.status);
    if (word) { status.textContent = word; }
    fill("placed", data.placed != null && data.requests != null
      ? { n: data.placed, total: data.requests } : null);
    if (field("travel")) {
      fill("travel", data.group_travel_minutes != null && data.trainer_travel_minutes != null
        ? { groups: grouped(data.group_travel_minutes),
            trainers: grouped(data.trainer_travel_minutes) } : null);
    }
    var gap = field("gap");
    if (gap) {
      if (data.gap == null) {
        gap.textContent = gap.getAttribute("data-none");
      } else if (data.gap <= 0) {
        gap.textContent = gap.getAttribute("data-proven");
      } else {
        fill("gap", { percent: Math.max(1, Math.ceil(data.gap * 100)) });
      }
    }
    clock = { elapsed: data.elapsed_seconds, at: Date.now(), running: data.status === "running" };
    tick();
  }

  // Progress is written when the solver finds something; the clock goes on in between.
  var clock = { elapsed: null, at: 0, running: false };
  function tick() {
    var elapsed = clock.elapsed;
    if (elapsed != null && clock.running) { elapsed += (Date.now() - clock.at) / 1000; }
    fill("elapsed", elapsed != null ? { s: Math.floor(elapsed) } : null);
    fill("left", elapsed != null && clock.running && !isNaN(limit)
      ? { s: Math.max(0, Math.ceil(limit - elapsed)) } : null);
  }
  var timer = window.setInterval(tick, 1000);

  var source = new EventSource(box.getAttribute("data-events"));
  source.addEventListener("progress", function (event) { show(JSON.parse(event.data)); });
  source.addEventListener("summary", function () {
    source.close();
    window.clearInterval(timer);
    window.location.reload();
  });
}());
