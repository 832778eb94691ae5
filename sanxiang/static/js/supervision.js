/* 执法监督驾驶舱: reads the JSON the page put in #cockpit-data and draws two charts (ECharts,
   served from our own static files; no CDN). A click on a bar opens the cases behind it. */
(function () {
  "use strict";
  var source = document.getElementById("cockpit-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = echarts.init(el, null, { renderer: "svg" });
    option.aria = { enabled: true };
    option.animation = false;
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }
  var deadlines = chart("chart-deadlines", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: ["已超期", "临近期限", "在办"] },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.agencies, axisLabel: { interval: 0, width: 110, overflow: "truncate" } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "已超期", type: "bar", stack: "due", data: data.red, itemStyle: { color: "#b02a37" } },
      { name: "临近期限", type: "bar", stack: "due", data: data.yellow, itemStyle: { color: "#e0a800" } },
      { name: "在办", type: "bar", data: data.open, itemStyle: { color: "#12355b" } }
    ]
  });
  chart("chart-stages", {
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.stages, inverse: true, axisLabel: { width: 170, overflow: "truncate" } },
    series: [{ type: "bar", data: data.stage_counts, itemStyle: { color: "#12355b" },
               label: { show: true, position: "right" } }]
  });
  if (deadlines) {
    var rows = document.querySelectorAll("#cockpit-agencies tbody tr");
    deadlines.on("click", function (p) {
      var row = rows[p.dataIndex];
      if (!row) { return; }
      var figure = p.seriesName === "已超期" ? "red" : (p.seriesName === "临近期限" ? "yellow" : "open");
      window.location.href = "cases/?figure=" + figure + "&agency=" + row.getAttribute("data-agency");
    });
  }
})();
