/* 年报 charts: reads the JSON that the page put in #report-data and draws two bar charts. */
(function () {
  "use strict";
  var source = document.getElementById("report-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  function bars(id, series, colour) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: series.labels, inverse: true,
               axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ type: "bar", data: series.values, itemStyle: { color: colour },
                 label: { show: true, position: "right" } }],
      aria: { enabled: true },
      animation: false
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bars("chart-penalty", data.penalty, "#8f1d1d");
  bars("chart-licence", data.licence, "#12355b");
})();
