/* Draw every element with data-chart from the JSON in the element named by data-source (ECharts, local).
 *
 * data-chart: "bar" (default), "line", or "hbar" (horizontal bars, categories top to bottom).
 * JSON: {"labels": [...], "values": [...]} for one series, or {"labels": [...], "series": [{"name", "data"}]};
 * a series with "axis": 1 is drawn against a second value axis on the right; "axes" names the value axes.
 */
(function () {
  var PALETTE = ["#1d4f91", "#e07b39", "#2a9d8f", "#8a94a6"];
  var LABEL_WIDTH = 100;

  function valueAxes(data, series) {
    var names = data.axes || [];
    var dual = series.some(function (s) { return s.axis === 1; });
    var axes = [0, 1].slice(0, dual ? 2 : 1).map(function (i) {
      return { type: "value", minInterval: 1, name: names[i], splitLine: { show: i === 0 } };
    });
    return dual ? axes : axes[0];
  }

  function option(el, data) {
    var type = el.dataset.chart || "bar";
    var horizontal = type === "hbar";
    var series = data.series || [{ name: "", data: data.values }];
    var categories = { type: "category", data: data.labels, inverse: horizontal, axisTick: { show: false },
                       axisLabel: horizontal ? { width: LABEL_WIDTH, overflow: "break" } : {} };
    var values = valueAxes(data, series);
    return {
      color: PALETTE,
      // Horizontal bars reserve a fixed label column (long Chinese names wrap inside it); the rest size to fit.
      grid: { left: horizontal ? LABEL_WIDTH + 16 : 8, right: 24, top: series.length > 1 || data.axes ? 44 : 16,
              bottom: horizontal ? 24 : 8, containLabel: !horizontal },
      legend: series.length > 1 ? { top: 0 } : undefined,
      tooltip: { trigger: "axis" },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? categories : values,
      series: series.map(function (s) {
        return {
          type: horizontal ? "bar" : type, name: s.name, data: s.data, yAxisIndex: s.axis || 0,
          barMaxWidth: 36, connectNulls: true, symbolSize: 7,
          label: horizontal ? { show: true, position: "right" } : undefined
        };
      })
    };
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || !window.echarts) { return; }
    var chart = echarts.init(el);
    chart.setOption(option(el, JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
