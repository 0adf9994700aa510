// caseflow charts: renders <div class="chart" data-chart="kind"> from the JSON in the
// <script type="application/json"> that follows it, with the vendored ECharts.
// No inline scripts or style attributes (CSP): tooltips render inside the canvas.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var PALETTE = { green: "#2e7d4f", orange: "#d97706", red: "#c62828", none: "#b8c0c8", ink: "#37474f" };
  var SERIES = ["#1f5fa8", "#c62828", "#2e7d4f", "#d97706", "#6a3d9a", "#00838f", "#8d6e63",
                "#ad1457", "#558b2f", "#455a64", "#ef6c00"];

  function colourOf(name, i) { return PALETTE[name] || SERIES[i % SERIES.length]; }

  function base(spec) {
    return {
      animation: false,
      aria: { enabled: true },
      color: SERIES,
      textStyle: { fontFamily: "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif" },
      tooltip: { renderMode: "richText", trigger: spec.type === "pie" ? "item" : "axis", confine: true },
      grid: { left: 8, right: 16, top: spec.legend === false ? 16 : 36, bottom: 8, containLabel: true }
    };
  }

  function pie(spec) {
    var option = base(spec);
    option.legend = { top: 0, type: "scroll" };
    option.series = [{
      type: "pie", radius: ["38%", "68%"], center: ["50%", "58%"],
      label: { formatter: "{b}: {c}" },
      data: spec.items.map(function (item, i) {
        return { name: item.name, value: item.value, itemStyle: { color: colourOf(item.colour, i) } };
      })
    }];
    return option;
  }

  function axes(spec, kind) {
    var option = base(spec);
    var category = { type: "category", data: spec.labels, axisLabel: { hideOverlap: true } };
    var value = { type: "value", min: spec.min, max: spec.max, minInterval: spec.integer ? 1 : 0 };
    option.xAxis = spec.horizontal ? value : category;
    option.yAxis = spec.horizontal ? Object.assign(category, { inverse: true }) : value;
    if (spec.legend !== false) { option.legend = { top: 0, type: "scroll" }; }
    option.series = spec.series.map(function (s, i) {
      var colour = colourOf(s.colour, i);
      var out = { type: kind, name: s.name, data: s.values, stack: s.stack, itemStyle: { color: colour } };
      if (s.itemColours) {
        out.data = s.values.map(function (v, j) {
          return { value: v, itemStyle: { color: colourOf(s.itemColours[j], i) } };
        });
      }
      if (kind === "line") {
        out.lineStyle = { color: colour };
        out.symbolSize = 7;
        if (s.pointColours) {
          out.data = s.values.map(function (v, j) {
            return { value: v, itemStyle: { color: colourOf(s.pointColours[j], i) } };
          });
        }
      }
      if (i === 0 && spec.marks) {
        out.markLine = { silent: true, symbol: "none", data: spec.marks.map(function (m) {
          return { yAxis: m.value, name: m.name, lineStyle: { color: colourOf(m.colour, 0), type: "dashed" },
                   label: { formatter: m.name, position: "insideStartTop" } };
        }) };
      }
      return out;
    });
    return option;
  }

  var BUILDERS = { pie: pie, bar: function (s) { return axes(s, "bar"); }, line: function (s) { return axes(s, "line"); } };

  function render(el) {
    var data = el.nextElementSibling;
    if (!data || data.type !== "application/json") { return; }
    var spec;
    try { spec = JSON.parse(data.textContent); } catch (e) { return; }
    var build = BUILDERS[spec.type];
    if (!build) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(spec));
    charts.push(chart);
  }

  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(render);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  // Printing shows the numbers too: open every chart's table.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table").forEach(function (d) { d.open = true; });
  });
})();
