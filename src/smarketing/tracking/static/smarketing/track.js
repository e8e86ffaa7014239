/*! Smarketing website tracking: a first-party, Segment-shaped snippet (no dependencies).
 *
 * <script src="https://SMARKETING/static/smarketing/track.js"
 *         data-write-key="WRITE_KEY" data-host="https://SMARKETING" async></script>
 *
 * - keeps an anonymous id in a first-party cookie (smk_aid, 2 years);
 * - sends page() on load with the page, referrer and UTM campaign (data-auto-page="false" to skip);
 * - window.smarketing.track(event, properties), .identify(userId, traits), .page(name, properties);
 * - forms marked data-smarketing-form (its value, e.g. "newsletter", becomes form_type) identify
 *   the visitor from their fields and send "Form Submitted" when submitted;
 * - messages are batched to /v1/batch with navigator.sendBeacon (fetch keepalive as a fallback).
 */
(function (window, document) {
  "use strict";
  if (window.smarketing && window.smarketing.loaded) return;
  var script = document.currentScript || document.querySelector("script[data-write-key]");
  var KEY = script && script.getAttribute("data-write-key");
  var HOST = (script && (script.getAttribute("data-host") || new URL(script.src).origin)) || "";
  var COOKIE = "smk_aid";
  var USER = "smk_uid";
  var SENSITIVE = /pass|card|cvc|cvv|iban|ssn|secret|token/i;
  var queue = [];
  var timer = null;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = (Math.random() * 16) | 0;
      return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
    });
  }

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function anonymousId() {
    var id = readCookie(COOKIE);
    if (!id) {
      id = uuid();
      document.cookie = COOKIE + "=" + encodeURIComponent(id) + "; max-age=63072000; path=/; SameSite=Lax";
    }
    return id;
  }

  function userId() {
    try { return window.localStorage.getItem(USER); } catch (e) { return null; }
  }

  function campaign() {
    var params = new URLSearchParams(window.location.search);
    var found = {};
    ["source", "medium", "term", "content"].forEach(function (key) {
      if (params.get("utm_" + key)) found[key] = params.get("utm_" + key);
    });
    if (params.get("utm_campaign")) found.name = params.get("utm_campaign");
    return found;
  }

  function context() {
    var ctx = {
      library: { name: "smarketing.js", version: "1" },
      page: {
        url: window.location.href, path: window.location.pathname,
        referrer: document.referrer, search: window.location.search, title: document.title
      },
      userAgent: navigator.userAgent,
      locale: navigator.language
    };
    var utm = campaign();
    if (Object.keys(utm).length) ctx.campaign = utm;
    return ctx;
  }

  function send(batch) {
    var body = JSON.stringify({ batch: batch, writeKey: KEY, sentAt: new Date().toISOString() });
    var url = HOST + "/v1/batch";
    var blob = new Blob([body], { type: "text/plain" });
    if (navigator.sendBeacon && navigator.sendBeacon(url, blob)) return;
    if (window.fetch) {
      window.fetch(url, { method: "POST", body: body, keepalive: true,
        headers: { "Content-Type": "text/plain" } });
    }
  }

  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    while (queue.length) send(queue.splice(0, 50));
  }

  function enqueue(type, fields) {
    var message = { type: type, messageId: uuid(), anonymousId: anonymousId(),
      timestamp: new Date().toISOString(), context: context() };
    var uid = userId();
    if (uid) message.userId = uid;
    for (var key in fields) if (fields[key] !== undefined) message[key] = fields[key];
    queue.push(message);
    if (!timer) timer = setTimeout(flush, 500);
  }

  var api = {
    loaded: true,
    anonymousId: anonymousId,
    flush: flush,
    page: function (name, properties) {
      var props = properties || {};
      props.url = window.location.href;
      props.path = window.location.pathname;
      props.referrer = document.referrer;
      props.title = document.title;
      enqueue("page", { name: name || undefined, properties: props });
    },
    track: function (event, properties) {
      enqueue("track", { event: event, properties: properties || {} });
    },
    identify: function (id, traits) {
      if (id && typeof id === "object") { traits = id; id = null; }
      if (id) {
        try { window.localStorage.setItem(USER, String(id)); } catch (e) { /* private mode */ }
      }
      enqueue("identify", { userId: id || userId() || undefined, traits: traits || {} });
    }
  };

  function formFields(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "password" || el.type === "file") return;
      if (SENSITIVE.test(el.name) || el.getAttribute("data-smarketing-ignore") !== null) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.value !== "") fields[el.name] = el.value;
    });
    return fields;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-smarketing-form")) return;
    var fields = formFields(form);
    if (fields.email) api.identify(fields);
    api.track("Form Submitted", {
      form_id: form.id || form.getAttribute("name") || "",
      form_type: form.getAttribute("data-smarketing-form") || "",
      fields: fields
    });
    flush();
  }, true);

  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  var pending = (window.smarketing && window.smarketing.q) || [];
  window.smarketing = api;
  pending.forEach(function (call) { api[call[0]].apply(api, call[1]); });
  if (!script || script.getAttribute("data-auto-page") !== "false") api.page();
})(window, document);
