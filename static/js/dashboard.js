// Dashboard charts (ECharts): data and drill-down URLs come from json_script blocks.
// Each chart element names its data block in data-chart; a click on a bar opens its URL.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  const charts = [];

  function horizontal(element) {
    return element.dataset.chart === "chart-units" || element.dataset.chart === "chart-sectors";
  }

  document.querySelectorAll(".dashboard-chart[data-chart]").forEach(function (element) {
    const source = document.getElementById(element.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    if (!data.categories.length) {
      element.style.display = "none";
      return;
    }
    const flat = horizontal(element);
    const stacked = flat;
    const categoryAxis = {
      type: "category",
      data: data.categories,
      inverse: flat,
      axisLabel: { interval: 0, width: flat ? 110 : undefined, overflow: "truncate", rotate: element.dataset.chart === "chart-trend" ? 30 : 0 },
    };
    const valueAxis = { type: "value", minInterval: 1 };
    const chart = echarts.init(element);
    chart.setOption({
      animation: false,
      color: data.series.map(function (s) { return s.color; }),
      // Drawn on the canvas: the HTML tooltip carries style="" attributes, which the
      // Content-Security-Policy (style-src 'self') refuses.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { show: data.series.length > 1, top: 0, itemWidth: 12, itemGap: 8, textStyle: { fontSize: 11 } },
      grid: { left: 8, right: 16, top: data.series.length > 1 ? 46 : 8, bottom: 4, containLabel: true },
      xAxis: flat ? valueAxis : categoryAxis,
      yAxis: flat ? categoryAxis : valueAxis,
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: "bar",
          stack: stacked ? "open" : undefined,
          data: s.data,
          itemStyle: { color: s.color },
          cursor: "pointer",
          barMaxWidth: 28,
        };
      }),
    });
    chart.on("click", function (params) {
      const series = data.series[params.seriesIndex];
      const url = series && series.urls[params.dataIndex];
      if (url) window.location.href = url;
    });
    charts.push(chart);
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
