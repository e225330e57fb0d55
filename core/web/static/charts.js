/* Charts of the results pages (and the goals' progress page), drawn with the vendored Apache ECharts.
   Each <div class="chart" data-chart="ID"> is drawn from <script type="application/json" id="ID">;
   the same numbers are in a table beside it, so nothing is lost without JavaScript.
   Shapes: {type: "bar", names, values, axis} (horizontal ranking, best on top),
   {type: "column", names, values, axis}, {type: "radar", indicators: [{name, max}], series: [{name, values}]},
   {type: "bubble", x, y, size, points: [{name, x, y, size}]},
   {type: "line", names, series: [{name, values, dashed, group}], axis, max} (a goal's plan against its actual
   progress; a value may be null, none there; series of one `group` share a colour). */
(function () {
  "use strict";
  var COLORS = ["#b71c1c", "#1c4f8a", "#2e7d32", "#d89614", "#6a1b9a", "#00838f"];

  function bar(d) {
    return {
      grid: {left: 8, right: 48, top: 8, bottom: 32, containLabel: true},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      // from 0: a bar's length is its score (an axis from 76 made 87.5 look seven times 76.25)
      xAxis: {type: "value", name: d.axis, nameLocation: "middle", nameGap: 26, min: 0},
      yAxis: {type: "category", data: d.names.slice().reverse(), axisLabel: {width: 110, overflow: "truncate"}},
      series: [{type: "bar", data: d.values.slice().reverse(), itemStyle: {color: COLORS[0]},
                label: {show: true, position: "right"}}]
    };
  }

  function column(d) {
    return {
      grid: {left: 8, right: 8, top: 36, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: d.names},
      yAxis: {type: "value", name: d.axis, minInterval: 1},
      series: [{type: "bar", data: d.values, itemStyle: {color: COLORS[1]}, label: {show: true, position: "top"}}]
    };
  }

  function radar(d) {
    return {
      color: COLORS,
      legend: {bottom: 0, data: d.series.map(function (s) { return s.name; })},
      tooltip: {trigger: "item"},
      radar: {indicator: d.indicators, radius: "62%", center: ["50%", "46%"], axisName: {color: "#333"}},
      series: [{type: "radar", data: d.series.map(function (s, i) {
        return {name: s.name, value: s.values, areaStyle: i === 0 ? {opacity: 0.15} : undefined};
      })}]
    };
  }

  function padded(v) {  // an axis bound a little beyond the data, so edge bubbles are not cut
    var pad = Math.max(1, (v.max - v.min) * 0.15);
    return {min: Math.floor(v.min - pad), max: Math.ceil(v.max + pad)};
  }

  function bubble(d) {
    var most = Math.max.apply(null, d.points.map(function (p) { return p.size; }).concat([1]));
    return {
      grid: {left: 8, right: 24, top: 36, bottom: 28, containLabel: true},
      tooltip: {formatter: function (p) {
        return p.data[3] + "<br>" + d.x + ": " + p.data[0] + "<br>" + d.y + ": " + p.data[1] + "<br>" + d.size + ": " + p.data[2];
      }},
      xAxis: {type: "value", name: d.x, nameLocation: "middle", nameGap: 28,
              min: function (v) { return padded(v).min; }, max: function (v) { return padded(v).max; }},
      yAxis: {type: "value", name: d.y, min: function (v) { return padded(v).min; },
              max: function (v) { return padded(v).max; }},
      series: [{type: "scatter", itemStyle: {color: COLORS[0], opacity: 0.7},
        data: d.points.map(function (p) { return [p.x, p.y, p.size, p.name]; }),
        symbolSize: function (v) { return 12 + 36 * Math.sqrt(v[2] / most); },
        label: {show: true, position: "top", formatter: function (p) { return p.data[3]; }}}]
    };
  }

  function line(d) {  // {type: "line", names, series: [{name, values, dashed, group}], axis, max}: e.g. plan against actual
    var grouped = d.series.some(function (s) { return s.group !== undefined; });
    return {
      color: COLORS,
      grid: {left: 8, right: 16, top: 36, bottom: 36, containLabel: true},
      tooltip: {trigger: "axis"},
      legend: {bottom: 0, data: d.series.map(function (s) { return s.name; })},
      xAxis: {type: "category", data: d.names, boundaryGap: false},
      yAxis: {type: "value", name: d.axis, min: 0, max: d.max},
      series: d.series.map(function (s) {
        var colour = grouped ? COLORS[(s.group || 0) % COLORS.length] : undefined;
        return {type: "line", name: s.name, data: s.values, symbolSize: 6, connectNulls: true,
                itemStyle: colour ? {color: colour} : undefined,
                lineStyle: s.dashed ? {type: "dashed", color: colour} : (colour ? {color: colour} : undefined)};
      })
    };
  }

  var BUILD = {bar: bar, column: column, radar: radar, bubble: bubble, line: line};
  var drawn = [];

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("div.chart[data-chart]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-chart"));
      var data;
      try { data = JSON.parse(source.textContent); } catch (e) { return; }
      var build = data && BUILD[data.type];
      if (!build) { return; }
      if (data.type === "bar") { box.style.height = Math.max(160, 36 * data.names.length + 40) + "px"; }
      box.hidden = false;
      var chart = echarts.init(box, null, {renderer: "canvas"});
      chart.setOption(build(data));
      drawn.push(chart);
    });
  }

  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
