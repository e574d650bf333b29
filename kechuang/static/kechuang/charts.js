/* Draw every element with data-chart from the JSON in the element named by data-source (ECharts, local).
 *
 * data-chart: "bar" (default), "line", "hbar" (horizontal bars, categories top to bottom), or "gauge"
 * (JSON {"value": completion %, "schedule": schedule %, "name"}: the completion arc with the schedule as a mark).
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

  function gauge(data) {
    var value = data.value === null ? 0 : Math.round(data.value * 10) / 10;
    var behind = data.value !== null && data.value < data.schedule;
    return {
      series: [{
        type: "gauge", min: 0, max: 120, startAngle: 200, endAngle: -20, radius: "95%",
        progress: { show: true, width: 12, itemStyle: { color: behind ? "#c0392b" : "#2a9d8f" } },
        axisLine: { lineStyle: { width: 12, color: [[Math.min(data.schedule / 120, 1), "#d6dbe3"], [1, "#eef1f5"]] } },
        axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
        anchor: { show: false }, title: { show: false },
        detail: { valueAnimation: false, offsetCenter: [0, "10%"], fontSize: 20,
                  formatter: data.value === null ? "暂缺" : "{value}%" },
        data: [{ value: value }]
      }]
    };
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || !window.echarts) { return; }
    var chart = echarts.init(el);
    var data = JSON.parse(source.textContent);
    chart.setOption(el.dataset.chart === "gauge" ? gauge(data) : option(el, data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
