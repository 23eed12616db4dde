// 技术合同成交额看板: draws the charts with the vendored ECharts from the JSON the page embeds.
// The tables on the page carry the same numbers, so the page still reads (and prints) without this file.
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.echarts === "undefined") return;
  var data = JSON.parse(source.textContent || "{}");
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var BRAND = "#0b5cad";
  var charts = [];

  function number(value, places) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: places, maximumFractionDigits: places });
  }

  function base(extra) {
    var option = {
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", confine: true },
    };
    Object.keys(extra).forEach(function (key) {
      option[key] = extra[key];
    });
    return option;
  }

  var builders = {
    target: function () {
      var reached = data.cumulative_yi.filter(function (v) {
        return v !== null;
      });
      var top = Math.max(data.target_yi, reached.length ? Math.max.apply(null, reached) : 0);
      return base({
        legend: { top: 0, data: ["累计成交额", "按月均摊的目标进度"] },
        tooltip: {
          trigger: "axis",
          confine: true,
          valueFormatter: function (v) {
            return number(v, 2) + " 亿元";
          },
        },
        xAxis: { type: "category", data: data.months, boundaryGap: false },
        yAxis: { type: "value", name: "亿元", max: Math.ceil((top * 1.1) / 5) * 5 || 1 },
        series: [
          {
            name: "累计成交额",
            type: "line",
            data: data.cumulative_yi,
            symbolSize: 7,
            lineStyle: { width: 3, color: BRAND },
            itemStyle: { color: BRAND },
            areaStyle: { color: "rgba(11, 92, 173, 0.12)" },
            markLine: {
              symbol: "none",
              silent: true,
              lineStyle: { color: "#d4380d", width: 2, type: "solid" },
              label: { position: "insideEndTop", formatter: "年度目标 " + number(data.target_yi, 2) + " 亿元", color: "#d4380d" },
              data: [{ yAxis: data.target_yi }],
            },
          },
          {
            name: "按月均摊的目标进度",
            type: "line",
            data: data.pace_yi,
            symbol: "none",
            lineStyle: { type: "dashed", color: "#a15c00" },
            itemStyle: { color: "#a15c00" },
          },
        ],
      });
    },
    month: function () {
      return base({
        tooltip: {
          trigger: "axis",
          confine: true,
          valueFormatter: function (v) {
            return number(v, 2) + " 万元";
          },
        },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", name: "万元" },
        series: [
          {
            name: "成交额",
            type: "bar",
            data: data.monthly_wan,
            itemStyle: { color: BRAND, borderRadius: [3, 3, 0, 0] },
            label: {
              show: true,
              position: "top",
              formatter: function (p) {
                return p.value ? number(p.value, 0) : "";
              },
            },
          },
        ],
      });
    },
    types: function () {
      return base({
        tooltip: {
          trigger: "item",
          confine: true,
          formatter: function (p) {
            return p.name + "：" + number(p.value, 2) + " 万元（" + p.percent + "%）";
          },
        },
        series: [
          {
            name: "合同类别",
            type: "pie",
            radius: ["38%", "66%"],
            center: ["50%", "52%"],
            data: data.types,
            label: { formatter: "{b}\n{d}%" },
          },
        ],
      });
    },
    fields: function () {
      var rows = data.fields.slice(0, 10).reverse();
      return base({
        tooltip: {
          trigger: "axis",
          confine: true,
          valueFormatter: function (v) {
            return number(v, 2) + " 万元";
          },
        },
        grid: { left: 8, right: 48, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: "value", name: "万元" },
        yAxis: {
          type: "category",
          data: rows.map(function (r) {
            return r.name.replace(/（.*）$/, "");
          }),
        },
        series: [{ name: "成交额", type: "bar", data: rows.map(function (r) { return r.value; }), itemStyle: { color: "#0f7a55" } }],
      });
    },
    regions: function () {
      var labels = data.regions.labels.slice(0, 10).reverse();
      var count = labels.length;
      var out = data.regions.out_wan.slice(0, 10).reverse();
      var inward = data.regions.in_wan.slice(0, 10).reverse();
      return base({
        legend: { top: 0, data: ["技术输出", "技术吸纳"] },
        tooltip: {
          trigger: "axis",
          confine: true,
          valueFormatter: function (v) {
            return number(v, 2) + " 万元";
          },
        },
        xAxis: { type: "value", name: "万元" },
        yAxis: {
          type: "category",
          data: labels.map(function (name) {
            return name.replace(/^重庆市|^成都市/, "");
          }),
        },
        series: [
          { name: "技术输出", type: "bar", data: out, itemStyle: { color: BRAND } },
          { name: "技术吸纳", type: "bar", data: inward, itemStyle: { color: "#d48806" } },
        ],
        _rows: count,
      });
    },
  };

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var build = builders[element.getAttribute("data-chart")];
    if (!build) return;
    var option = build();
    if (option._rows) {
      element.style.height = Math.max(260, 60 + option._rows * 44) + "px";
      delete option._rows;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option);
    charts.push(chart);
  });

  function resize() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
