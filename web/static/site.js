// 科技服务超市 — small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  var TYPE_LABELS = { achievement: "科技成果", instrument: "科研仪器", expert: "专家", agency: "科技服务机构" };

  // --- search suggestions: a combobox over /api/v1/search/suggest -----------------------------------
  function setUpSuggest(form) {
    var input = form.querySelector("input[name=q]");
    var list = form.querySelector(".suggest");
    if (!input || !list) return;
    var items = [];
    var active = -1;
    var timer = null;
    var lastQuery = "";
    var controller = null;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      items.forEach(function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
      else input.removeAttribute("aria-activedescendant");
    }

    function go(li) {
      window.location.href = li.getAttribute("data-href");
    }

    function show(suggestions) {
      list.innerHTML = "";
      items = suggestions.map(function (s, i) {
        var li = document.createElement("li");
        li.id = "suggest-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-href", "/listings/" + encodeURIComponent(s.type) + "/" + encodeURIComponent(s.id));
        var text = document.createElement("span");
        text.textContent = s.text;
        var kind = document.createElement("small");
        kind.textContent = TYPE_LABELS[s.type] || "";
        li.appendChild(text);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          go(li);
        });
        list.appendChild(li);
        return li;
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery) return;
      lastQuery = q;
      if (!q) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch("/api/v1/search/suggest?size=8&q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (body) {
          if (input.value.trim() === q) show(body.suggestions || []);
        })
        .catch(function () {
          /* suggestions are a convenience: a failed request just shows none */
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        go(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 120);
    });
  }

  // --- selects that apply at once (sort order, dashboard year) ------------------------------------
  function setUpAutosubmit(form) {
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        form.submit();
      });
    });
  }

  // --- booking: a live estimate from the fee schedule (the server's price is the one that counts) ---
  function yuan(fen) {
    var whole = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ("0" + (fen % 100)).slice(-2);
    return whole + "." + cents;
  }

  function setUpEstimate(form) {
    var out = form.querySelector("[data-estimate]");
    var fees;
    try {
      fees = JSON.parse(form.getAttribute("data-fees") || "[]");
    } catch (e) {
      return;
    }
    if (!out || !fees.length) return;
    var byUnit = {};
    fees.forEach(function (fee) {
      byUnit[fee.unit] = fee.price_fen;
    });

    function update() {
      var start = new Date(form.elements.start.value);
      var end = new Date(form.elements.end.value);
      var checked = form.querySelector("input[name=mode]:checked");
      var mode = checked ? checked.value : "self";
      var samples = form.elements.samples ? parseInt(form.elements.samples.value, 10) : NaN;
      var hours = (end - start) / 3600000;
      var price = null;
      if (mode === "commissioned" && samples > 0 && byUnit.sample !== undefined) {
        price = byUnit.sample * samples;
      } else if (hours > 0 && byUnit.hour !== undefined) {
        price = byUnit.hour * Math.ceil(hours);
      } else if (hours > 0 && byUnit.day !== undefined) {
        price = byUnit.day * Math.ceil(Math.ceil(hours) / 24);
      }
      out.hidden = price === null;
      if (price !== null) out.textContent = "预计费用：¥" + yuan(price) + (hours > 0 ? "（" + Math.ceil(hours) + " 小时）" : "");
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  // Notifications arrive live over server-sent events while a portal page is open.
  function setUpNotifications(bell) {
    if (!window.EventSource) return;
    var badge = bell.querySelector("[data-unread]");
    var area = document.querySelector("[data-live-notices]");
    // The server rendered the unread count; live events add to it.
    var unread = parseInt(badge.textContent, 10) || 0;
    var source = new EventSource("/api/v1/notifications/stream");
    source.addEventListener("notification", function (event) {
      var item = JSON.parse(event.data);
      unread += 1;
      badge.textContent = String(unread);
      badge.hidden = false;
      if (area) {
        var line = document.createElement("p");
        line.className = "notice live";
        var link = document.createElement("a");
        link.href = item.link || "/me/notifications";
        link.textContent = item.title;
        line.appendChild(link);
        area.appendChild(line);
      }
    });
  }

  document.querySelectorAll("[data-notifications]").forEach(setUpNotifications);

  // --- listing forms: the quality hints are recomputed by the server as the provider types ----------
  function setUpQuality(form) {
    var panel = document.querySelector("[data-quality]");
    if (!panel) return;
    var score = panel.querySelector("[data-quality-score]");
    var list = panel.querySelector("[data-quality-missing]");
    var done = panel.querySelector("[data-quality-done]");
    var timer = null;
    var asked = 0;

    function refresh() {
      var ticket = ++asked;
      fetch(form.getAttribute("data-quality-url"), {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (!result || ticket !== asked) return;
          score.textContent = String(result.score);
          list.textContent = "";
          result.missing.forEach(function (label) {
            var item = document.createElement("li");
            item.textContent = "待补充：" + label;
            list.appendChild(item);
          });
          done.hidden = result.missing.length > 0;
        })
        .catch(function () {});
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  document.querySelectorAll("form[data-quality-url]").forEach(setUpQuality);
  // --- decisions ask once before they are sent (approve, reject, register) ------------------------
  function setUpConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  }

  // --- print buttons -------------------------------------------------------------------------------
  function setUpPrint(button) {
    button.addEventListener("click", function () {
      window.print();
    });
  }

  // --- a form sent back with errors: the page opens at them (on a phone the form may be far down) -----
  function focusErrors(summary) {
    summary.scrollIntoView({ block: "start" });
    summary.focus({ preventScroll: true });
  }

  var formErrors = document.querySelector("[data-form-errors]");
  if (formErrors) {
    // After the load: the browser's own scroll to the form's #anchor comes first and would undo ours.
    window.addEventListener("load", function () {
      window.setTimeout(function () {
        focusErrors(formErrors);
      }, 0);
    });
  }

  document.querySelectorAll("form[data-confirm]").forEach(setUpConfirm);
  document.querySelectorAll("[data-print]").forEach(setUpPrint);
  document.querySelectorAll("form[data-suggest]").forEach(setUpSuggest);
  document.querySelectorAll("form[data-autosubmit]").forEach(setUpAutosubmit);
  document.querySelectorAll("form[data-fees]").forEach(setUpEstimate);
})();
