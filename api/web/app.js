// creator-match's planner page: a client of the /v1 API, with the key the user gives.
// Everything shown is built with DOM nodes and textContent: a creator's text never becomes markup.

const STORE = {
  key: "creator-match.key",
  draft: "creator-match.draft",
  shortlist: "creator-match.shortlist",
};
const COMPONENTS = [
  ["content", "similarity"], ["words", "keywords"], ["values", "values"],
  ["tier fit", "tier_fit"], ["engagement", "engagement"], ["authentic", "authenticity"],
];
// flags in a planner's words; the evidence that raised each comes from the API
const FLAGS = {
  sponsored_saturation: "Saturated with sponsored posts",
  engagement_anomaly: "Engagement out of line with the audience (bought followers or likes?)",
  comments_missing: "Likes without comments (bought likes?)",
  bio_mismatch: "Bio does not match what the posts are about (keyword stuffing?)",
  no_engagement_data: "Engagement counts hidden",
};
const PLATFORMS = ["instagram", "tiktok", "youtube", "x", "twitch", "linkedin", "pinterest",
  "facebook", "snapchat", "threads", "bluesky"];

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** An element: h("p", {class: "x"}, "text", child, ...); strings become text nodes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replace an element's children; null, undefined and false are left out. */
function put(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

const whole = new Intl.NumberFormat(document.documentElement.lang || "en");
const fmt = {
  int: (n) => (n === null || n === undefined ? "–" : whole.format(Math.round(n))),
  pct: (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`),
  num: (x, d = 2) => (x === null || x === undefined ? "–" : Number(x).toFixed(d)),
  money: (x, cur) => (x === null || x === undefined ? "–"
    : `${whole.format(Math.round(x))} ${cur || ""}`.trim()),
};

function load(name, fallback) {
  try {
    const raw = localStorage.getItem(name);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}
function save(name, value) {
  try {
    localStorage.setItem(name, JSON.stringify(value));
  } catch {
    banner("This browser does not keep data for the page (storage full or disabled): the " +
           "shortlist and the key last only until the page is closed.");
  }
}

// ---------------------------------------------------------------- the API

class ApiFailure extends Error {
  constructor(status, message, details = []) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

const state = { key: load(STORE.key, null), scope: null, canWrite: false, platforms: PLATFORMS };

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (state.key) headers.Authorization = `Bearer ${state.key}`;
  // a file (Blob) goes as its bytes; anything else as JSON
  const raw = body instanceof Blob;
  if (body !== undefined) headers["Content-Type"] = raw ? "application/octet-stream" : "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, "The creator-match server cannot be reached (connection lost). " +
      "Check that it is running, then try again: what you typed is kept.");
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiFailure(response.status, error.message || `${response.status} ${response.statusText}`,
      error.details || []);
  }
  return data;
}

function banner(message) {
  const el = $("#banner");
  el.textContent = message;
  el.hidden = !message;
}

/** What a failed call means for the user: the key dialog, a banner, or messages at fields. */
function failed(error, form, formError) {
  if (!(error instanceof ApiFailure)) throw error;
  if (error.status === 0) {
    banner(error.message);
  } else if (error.status === 401) {
    askKey(`${error.message}. Give a valid key.`);
  } else if (error.status === 503) {
    banner(`The server is unavailable (503): ${error.message}. Try again in a moment: what ` +
           "you typed is kept.");
  } else if (error.status === 403) {
    banner(`Refused (403): ${error.message}.`);
  } else if (error.status === 422 && form) {
    showFieldErrors(form, formError, error);
  } else {
    banner(`The server answered ${error.status}: ${error.message}`);
  }
}

// ---------------------------------------------------------------- field errors

function clearErrors(form, formError) {
  for (const el of $$(".field-error[data-generated]", form)) el.remove();
  for (const el of $$("[aria-invalid]", form)) el.removeAttribute("aria-invalid");
  if (formError) formError.textContent = "";
}

/** The field of an error, by the longest data-field prefix of its dotted name. */
function fieldFor(name, forms) {
  const parts = String(name || "").split(".");
  for (let n = parts.length; n > 0; n--) {
    const wanted = parts.slice(0, n).join(".");
    for (const form of forms) {
      const el = form.querySelector(`[data-field="${CSS.escape(wanted)}"]`);
      if (el) return el;
    }
  }
  return null;
}

function showFieldErrors(form, formError, error) {
  const forms = [form, $("#brief-form")];
  clearErrors($("#brief-form"));
  clearErrors(form, formError);
  const details = error.details.length ? error.details : [{ field: "", reason: error.message }];
  const unplaced = [];
  let first = null;
  for (const d of details) {
    const field = fieldFor(d.field, forms);
    if (!field) {
      unplaced.push(d.field ? `${d.field}: ${d.reason}` : d.reason);
      continue;
    }
    const control = field.matches("fieldset") ? field.querySelector("input")
      : field.querySelector("input, textarea, select");
    const id = `${control.id || control.name}-error`;
    let note = document.getElementById(id);
    if (!note) {
      note = h("p", { class: "field-error", id, "data-generated": true });
      field.append(note);
    }
    note.textContent = note.textContent ? `${note.textContent}; ${d.reason}` : d.reason;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", id);
    first = first || control;
  }
  if (formError) {
    formError.textContent = unplaced.length ? unplaced.join("; ")
      : `${error.message}: see the field${details.length > 1 ? "s" : ""} marked.`;
  }
  if (first) first.focus();
}

/** Numbers the browser could not read ("1e", "12,5" in some locales) would otherwise be sent
 *  as empty: name them at their field instead, and send nothing. */
function unreadable(form, formError) {
  const bad = $$("input[type=number]", form).filter((i) => i.validity.badInput);
  if (!bad.length) return false;
  const field = (i) => i.closest("[data-field]")?.dataset.field || i.name;
  showFieldErrors(form, formError, new ApiFailure(0, "some numbers cannot be read",
    bad.map((i) => ({ field: field(i), reason: "not a number" }))));
  return true;
}

// ---------------------------------------------------------------- the key

function askKey(message = "") {
  const dialog = $("#key-dialog");
  $("#key-error").textContent = message;
  $("#key-input").value = "";
  if (!dialog.open) dialog.showModal();
  $("#key-input").focus();
}

/** Connect with a key: true once the server knows it; else the failure (the key is kept
 *  only when the server accepted it). */
async function useKey(key) {
  const previous = state.key;
  state.key = key;
  try {
    const me = await api("GET", "/v1/me");
    state.scope = me.scope;
    // a write key on a server of shards still cannot write: offer no write action there
    state.canWrite = me.scope === "write" && me.writes !== false;
  } catch (error) {
    state.key = previous;
    if (!(error instanceof ApiFailure)) throw error;
    return error;
  }
  save(STORE.key, key);
  banner("");
  await connected();
  return true;
}

async function connected() {
  for (const el of $$("[data-write]")) el.hidden = !state.canWrite;
  if (!state.canWrite && currentView() === "add") show("search");
  let stats = null;
  try {
    stats = await api("GET", "/v1/stats");
  } catch (error) {
    failed(error);
    return;
  }
  $("#who").textContent = `${state.scope} key · ${fmt.int(stats.creators)} creators · ` +
    `model ${stats.model}`;
  const present = Object.keys(stats.platforms || {});
  if (present.length) state.platforms = present;
  renderPlatforms();
}

function renderPlatforms() {
  const box = $("#platforms");
  const ticked = new Set(load(STORE.draft, {}).platforms || []);
  put(box, ...state.platforms.map((p) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "platforms", value: p, checked: ticked.has(p) }), ` ${p}`)));
}

// ---------------------------------------------------------------- the brief and its draft

const list = (text) => String(text || "").split(",").map((s) => s.trim()).filter(Boolean);
const number = (text) => (String(text).trim() === "" ? undefined : Number(text));

function readDraft() {
  const f = $("#brief-form");
  const p = $("#plan-form");
  return {
    brief: f.brief.value, values: f.values.value, objective: f.objective.value,
    tiers: $$("input[name=tiers]:checked", f).map((c) => c.value),
    platforms: $$("input[name=platforms]:checked", f).map((c) => c.value),
    countries: f.countries.value, languages: f.languages.value,
    min_followers: f.min_followers.value, max_followers: f.max_followers.value,
    min_engagement: f.min_engagement.value, k: f.k.value,
    budget: p.budget.value, currency: p.currency.value, max_creators: p.max_creators.value,
    mix_nano: p.mix_nano.value, mix_micro: p.mix_micro.value, mix_macro: p.mix_macro.value,
    allow_flagged: p.allow_flagged.checked,
  };
}

function restoreDraft() {
  const d = load(STORE.draft, null);
  if (!d) return;
  const f = $("#brief-form");
  const p = $("#plan-form");
  for (const name of ["brief", "values", "objective", "countries", "languages", "min_followers",
    "max_followers", "min_engagement", "k"]) if (d[name] !== undefined) f[name].value = d[name];
  for (const c of $$("input[name=tiers]", f)) c.checked = (d.tiers || []).includes(c.value);
  for (const name of ["budget", "currency", "max_creators", "mix_nano", "mix_micro", "mix_macro"]) {
    if (d[name] !== undefined) p[name].value = d[name];
  }
  p.allow_flagged.checked = Boolean(d.allow_flagged);
}

/** The brief as POST /v1/match takes it; fields left empty are left out. */
function briefBody() {
  const d = readDraft();
  const filters = {};
  if (d.tiers.length) filters.tiers = d.tiers;
  if (d.platforms.length) filters.platforms = d.platforms;
  if (list(d.countries).length) filters.countries = list(d.countries);
  if (list(d.languages).length) filters.languages = list(d.languages);
  for (const name of ["min_followers", "max_followers"]) {
    if (number(d[name]) !== undefined) filters[name] = number(d[name]);
  }
  const engagement = number(d.min_engagement);
  if (engagement !== undefined) filters.min_engagement_rate = engagement / 100;
  const body = { brief: d.brief.trim(), filters };
  if (d.values.trim()) body.values = d.values.trim();
  if (d.objective) body.objective = d.objective;
  if (number(d.k) !== undefined) body.k = number(d.k);
  return body;
}

// ---------------------------------------------------------------- views

function currentView() {
  return ($("nav.tabs [aria-current=page]") || {}).dataset?.view || "search";
}

function show(view, focus = false) {
  for (const button of $$("nav.tabs button")) {
    if (button.dataset.view === view) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  for (const section of $$(".view")) section.hidden = section.id !== `view-${view}`;
  if (location.hash !== `#${view}`) history.replaceState(null, "", `#${view}`);
  if (focus) $(`#view-${view} h2`).focus();
}

// ---------------------------------------------------------------- shortlist

let shortlist = load(STORE.shortlist, []);

const listed = (id) => shortlist.some((c) => c.creator_id === id);

function toggleListed(match, on) {
  shortlist = shortlist.filter((c) => c.creator_id !== match.creator_id);
  if (on) {
    shortlist.push({
      creator_id: match.creator_id, handle: match.handle, platform: match.platform,
      tier: match.tier, followers: match.followers, engagement_rate: match.engagement_rate,
      country: match.country, language: match.language,
      score: match.score ?? null, brief: match.brief ?? $("#brief-form").brief.value.trim(),
      added_at: new Date().toISOString(),
    });
  }
  save(STORE.shortlist, shortlist);
  renderShortlist();
  for (const box of $$(`input[data-pick="${CSS.escape(match.creator_id)}"]`)) box.checked = on;
}

function pickBox(match) {
  return h("label", { class: "check pick" },
    h("input", {
      type: "checkbox", "data-pick": match.creator_id, checked: listed(match.creator_id),
      onchange: (e) => toggleListed(match, e.target.checked),
    }), " shortlist");
}

const SHORTLIST_COLUMNS = ["creator_id", "handle", "platform", "tier", "followers",
  "engagement_rate", "country", "language", "score", "brief", "added_at"];

function renderShortlist() {
  $("#shortlist-count").textContent = shortlist.length;
  const box = $("#shortlist");
  if (!shortlist.length) {
    put(box, h("p", { class: "muted" }, "No creator yet: tick “shortlist” on a result."));
    return;
  }
  put(box, h("div", { class: "scroll" }, h("table", {},
    h("caption", { class: "sr-only" }, "Shortlisted creators"),
    h("thead", {}, h("tr", {}, ["creator", "platform", "tier", "followers", "engagement",
      "where", "score", "brief", ""].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, shortlist.map((c) => h("tr", {},
      h("td", {}, profileLink(c.creator_id, c.handle)), h("td", {}, c.platform),
      h("td", {}, c.tier), h("td", { class: "n" }, fmt.int(c.followers)),
      h("td", { class: "n" }, fmt.pct(c.engagement_rate)),
      h("td", {}, [c.country, c.language].filter(Boolean).join("/") || "–"),
      h("td", { class: "n" }, fmt.num(c.score, 3)), h("td", {}, c.brief || ""),
      h("td", {}, h("button", {
        type: "button", class: "quiet", "aria-label": `Remove ${c.handle || c.creator_id}`,
        onclick: () => toggleListed(c, false),
      }, "Remove"))))))));
}

/** Spreadsheet-safe CSV: UTF-8 with a byte-order mark (Excel reads accents right), CRLF, and
 *  cells that a spreadsheet would run as a formula prefixed with an apostrophe. */
function csv(rows, columns) {
  const cell = (v) => {
    let s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s) && typeof v === "string") s = `'${s}`;
    return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\ufeff${[columns, ...rows.map((r) => columns.map((c) => r[c]))]
    .map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const stamp = () => new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");

// ---------------------------------------------------------------- results

function profileLink(id, handle) {
  return h("button", { type: "button", class: "link", onclick: () => openProfile(id) },
    handle || id);
}

// wordsRead: the brief's words were scored for some creator of the answer; one without words
// then writes in another language than the brief, and its content alone is its relevance
function bars(components, wordsRead) {
  return h("dl", { class: "bars" }, COMPONENTS.map(([label, key]) => {
    const v = components[key];
    const fill = h("span", { class: "fill" });
    if (v !== null && v !== undefined) fill.style.width = `${Math.max(0, Math.min(1, v)) * 100}%`;
    const unset = key === "keywords" && wordsRead ? "other language" : "not used";
    return h("div", { class: "bar-row" }, h("dt", {}, label),
      h("dd", {}, h("span", { class: "bar", "aria-hidden": "true" }, fill),
        h("span", { class: "v" }, v === null || v === undefined ? unset : fmt.num(v))));
  }));
}

function flagList(match) {
  if (!match.flags.length) return null;
  return h("ul", { class: "flags", "aria-label": "Warnings" }, match.flags.map((f) => h("li", {},
    h("strong", {}, FLAGS[f] || f.replace(/_/g, " ")),
    match.flag_details[f] ? `: ${match.flag_details[f]}` : "")));
}

function posts(title, items, cls) {
  // a post repeated word for word (reposts) is shown once
  const seen = new Set();
  const unique = (items || []).filter((e) => !seen.has(e.text) && seen.add(e.text));
  if (!unique.length) return null;
  return h("div", { class: `posts ${cls}` }, h("h4", {}, title),
    h("ul", {}, unique.map((e) => h("li", {}, h("q", {}, e.text),
      h("span", { class: "muted" }, ` closeness ${fmt.num(e.similarity)}`)))));
}

function card(match, rank, wordsRead) {
  const where = [match.country, match.language].filter(Boolean).join("/");
  return h("li", { class: "card", "data-id": match.creator_id },
    h("div", { class: "card-head" },
      h("span", { class: "rank" }, `${rank}`),
      h("h3", {}, profileLink(match.creator_id, match.handle)),
      h("span", { class: "score", title: "score" }, fmt.num(match.score, 3)),
      pickBox(match)),
    h("p", { class: "meta" }, [match.platform, match.tier, `${fmt.int(match.followers)} followers`,
      `${fmt.pct(match.engagement_rate)} engagement`, where].filter(Boolean).join(" · ")),
    bars(match.components, wordsRead),
    flagList(match),
    posts("Closest posts to the brief", match.evidence.slice(0, 2), "evidence"),
    posts(match.components.values !== null && match.components.values < 0.5
      ? "Its posts closest to your values (it holds them less than most candidates)"
      : "Posts that carry your values", match.values_evidence, "values"),
    match.matched_terms.length
      ? h("p", { class: "terms" }, "Brief's words used: ", match.matched_terms.join(", ")) : null,
    (match.matched_categories || []).length
      ? h("p", { class: "terms" }, "Filed under: ", match.matched_categories.join(", ")) : null);
}

async function search(event) {
  event.preventDefault();
  const form = $("#brief-form");
  clearErrors(form, $("#brief-error"));
  clearErrors($("#plan-form"), $("#plan-error"));
  banner("");
  if (unreadable(form, $("#brief-error"))) return;
  if (currentView() !== "search") show("search");
  const body = briefBody();
  const status = $("#results-status");
  status.textContent = "Searching…";
  $("#find").disabled = true;
  try {
    const answer = await api("POST", "/v1/match", body);
    const matches = answer.matches.map((m) => ({ ...m, brief: body.brief }));
    const wordsRead = matches.some((m) => typeof m.components.keywords === "number");
    put($("#results"), ...matches.map((m, i) => card(m, i + 1, wordsRead)));
    status.textContent = matches.length
      ? `${matches.length} creator${matches.length > 1 ? "s" : ""} for “${body.brief}” ` +
        `(${Math.round(answer.took_ms)} ms).`
      : `No creator: ${answer.empty_reason || "none matches this brief and its filters"}`;
    // how the brief was read, when the planner should know (a brief with no subject...)
    for (const note of answer.notes || []) status.textContent += ` Note: ${note}.`;
    $("#results-title").focus();
  } catch (error) {
    status.textContent = "The search did not run.";
    failed(error, form, $("#brief-error"));
  } finally {
    $("#find").disabled = false;
  }
}

// ---------------------------------------------------------------- profile

async function openProfile(id) {
  const dialog = $("#profile");
  const bodyEl = $("#profile-body");
  $("#profile-title").textContent = id;
  put(bodyEl, h("p", { class: "muted" }, "Loading…"));
  if (!dialog.open) dialog.showModal();
  let creator;
  let similar;
  try {
    [creator, similar] = await Promise.all([api("GET", `/v1/creators/${encodeURIComponent(id)}`),
      api("GET", `/v1/creators/${encodeURIComponent(id)}/similar?k=6`)]);
  } catch (error) {
    put(bodyEl, h("p", { class: "form-error" }, error.message));
    if (error.status === 401 || error.status === 0 || error.status === 503) {
      dialog.close();
      failed(error);
    }
    return;
  }
  const r = creator.record;
  const s = creator.signals;
  // a language the record did not give, detected in the creator's texts, is said to be so
  const detected = r.language ? null : (s.detected_language || {}).code;
  const language = r.language || (detected ? `${detected} (detected)` : null);
  $("#profile-title").textContent = r.handle || r.id;
  const flags = s.flags || [];
  const recent = [...r.posts].sort((a, b) => String(b.posted_at || "").localeCompare(
    String(a.posted_at || ""))).slice(0, 12);
  const summary = {
    creator_id: r.id, handle: r.handle, platform: r.platform, tier: creator.tier,
    followers: r.followers, engagement_rate: s.engagement_rate, country: r.country,
    language: r.language || detected || null, score: null, brief: "",
  };
  put(bodyEl, 
    h("p", { class: "meta" }, [r.platform, creator.tier, `${fmt.int(r.followers)} followers`,
      [r.country, language].filter(Boolean).join("/"), (r.categories || []).join(", ")]
      .filter(Boolean).join(" · ")),
    pickBox(summary),
    r.bio ? h("p", { class: "bio" }, r.bio) : null,
    h("h3", {}, "Signals"),
    h("dl", { class: "signals" },
      h("dt", {}, "engagement rate"), h("dd", {}, fmt.pct(s.engagement_rate)),
      h("dt", {}, "engagement vs. tier"), h("dd", {}, fmt.num(s.engagement)),
      h("dt", {}, "sponsored posts"), h("dd", {}, fmt.pct(s.sponsored_ratio)),
      h("dt", {}, "authenticity"), h("dd", {}, fmt.num(s.authenticity)),
      r.rate ? [h("dt", {}, "rate per post"), h("dd", {}, fmt.int(r.rate))] : null,
      h("dt", {}, "updated"), h("dd", {}, creator.updated_at.slice(0, 10))),
    flags.length ? h("ul", { class: "flags", "aria-label": "Warnings" }, flags.map((f) => h("li", {},
      h("strong", {}, FLAGS[f.name] || f.name), f.evidence ? `: ${f.evidence}` : ""))) : null,
    h("h3", {}, "Lookalike creators"),
    similar.matches.length ? h("ol", { class: "lookalikes" }, similar.matches.map((m) => h("li", {},
      profileLink(m.creator_id, m.handle), ` · ${m.platform} · ${m.tier} · ` +
      `${fmt.int(m.followers)} followers · ${fmt.pct(m.engagement_rate)}`)))
      : h("p", { class: "muted" }, "none"),
    h("h3", {}, `Recent posts (${recent.length} of ${r.posts.length})`),
    h("ul", { class: "recent" }, recent.map((p) => h("li", {},
      p.text ? h("p", {}, p.text) : h("p", { class: "muted" }, "(no caption)"),
      h("p", { class: "muted" }, [p.posted_at ? p.posted_at.slice(0, 10) : null,
        p.likes === null || p.likes === undefined ? "likes hidden" : `${fmt.int(p.likes)} likes`,
        p.comments === null || p.comments === undefined ? null : `${fmt.int(p.comments)} comments`,
        p.sponsored ? "sponsored" : null].filter(Boolean).join(" · "))))),
    state.canWrite ? h("div", { class: "actions danger" }, h("button", {
      type: "button", class: "quiet", id: "delete-creator",
      onclick: () => removeCreator(r.id, r.handle),
    }, "Delete this creator from the index")) : null);
}

async function removeCreator(id, handle) {
  if (!window.confirm(`Delete ${handle || id} from the index? This cannot be undone.`)) return;
  try {
    await api("DELETE", `/v1/creators/${encodeURIComponent(id)}`);
  } catch (error) {
    $("#profile-body").prepend(h("p", { class: "form-error", role: "alert" }, error.message));
    if (error.status !== 403 && error.status !== 404) failed(error);
    return;
  }
  $("#profile").close();
  for (const li of $$(`#results li[data-id="${CSS.escape(id)}"]`)) li.remove();
  banner(`${handle || id} was deleted.`);
}

// ---------------------------------------------------------------- plan

const TOTALS = [["creators", "creators", fmt.int], ["cost", "cost", null], ["reach", "reach", fmt.int],
  ["engagements", "engagements", fmt.int], ["UGC posts", "ugc", fmt.int],
  ["mean fit", "mean_fit", (x) => fmt.num(x)]];

function planBody() {
  const d = readDraft();
  const body = briefBody();
  delete body.k;
  body.budget = number(d.budget) ?? null;  // null: the API names the missing field
  if (d.currency.trim()) body.currency = d.currency.trim().toUpperCase();
  if (number(d.max_creators) !== undefined) body.max_creators = number(d.max_creators);
  const shares = { nano: number(d.mix_nano), micro: number(d.mix_micro), macro: number(d.mix_macro) };
  if (Object.values(shares).some((v) => v !== undefined)) {
    body.mix = Object.fromEntries(Object.entries(shares).map(([t, v]) => [t, (v || 0) / 100]));
  }
  body.allow_flagged = d.allow_flagged;
  return body;
}

function chart(alternatives, currency) {
  // one panel per measure, a bar per alternative, scaled to the largest of that measure
  const names = Object.keys(alternatives);
  const measures = [["reach", "reach"], ["engagements", "engagements"], ["ugc", "UGC posts"],
    ["cost", `cost ${currency}`]];
  const svgNS = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, text) => {
    const el = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const W = 640;
  const rowH = 22;
  const labelW = 190;
  const panelH = names.length * rowH + 26;
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${measures.length * panelH}`, class: "chart", role: "img",
    "aria-labelledby": "alt-chart-title",
  });
  svg.append(s("title", { id: "alt-chart-title" }, "The plan beside its alternatives"));
  measures.forEach(([key, label], m) => {
    const top = m * panelH;
    const max = Math.max(...names.map((n) => alternatives[n][key] || 0), 1);
    svg.append(s("text", { x: 0, y: top + 16, class: "chart-title" }, label));
    names.forEach((n, i) => {
      const y = top + 22 + i * rowH;
      const v = alternatives[n][key] || 0;
      const w = ((W - labelW - 90) * v) / max;
      svg.append(s("text", { x: labelW - 8, y: y + 14, "text-anchor": "end", class: "chart-label" }, n));
      svg.append(s("rect", { x: labelW, y: y + 3, width: Math.max(w, 1), height: rowH - 8,
        class: n === "the plan" ? "chart-bar plan" : "chart-bar" }));
      svg.append(s("text", { x: labelW + w + 6, y: y + 14, class: "chart-value" }, fmt.int(v)));
    });
  });
  return svg;
}

function totalsTable(caption, rows, currency) {
  return h("div", { class: "scroll" }, h("table", {}, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""),
      TOTALS.map(([label, key]) => h("th", { scope: "col" },
        key === "cost" ? `cost ${currency}` : label)))),
    h("tbody", {}, Object.entries(rows).map(([name, t]) => h("tr", {},
      h("th", { scope: "row" }, name),
      TOTALS.map(([, key, f]) => h("td", { class: "n" },
        key === "cost" ? fmt.int(t.cost) : f(t[key]))))))));
}

const PICK_COLUMNS = ["creator_id", "handle", "platform", "tier", "followers", "engagement_rate",
  "country", "language", "fit", "cost", "cost_source", "reach", "engagements", "ugc",
  "cost_per_engagement", "cpm"];

function renderPlan(plan, brief) {
  const out = $("#plan-out");
  const t = plan.totals;
  const cur = plan.currency;
  const picks = plan.picks.map((p) => ({ ...p, brief }));
  put(out, 
    h("h3", { id: "plan-summary", tabindex: "-1" },
      `${fmt.int(t.creators)} creators for ${fmt.money(t.cost, cur)} of ${fmt.money(plan.budget, cur)}`),
    h("p", { class: "meta" }, `forecast: ${fmt.int(t.reach)} reached · ${fmt.int(t.engagements)} ` +
      `engagements · ${fmt.int(t.ugc)} UGC posts · ${t.cost_per_engagement === null ? "–"
        : `${fmt.num(t.cost_per_engagement)} ${cur}`} per engagement · ` +
      `mix ${Object.entries(plan.mix).map(([k, v]) => `${k} ${Math.round(v * 100)}%`).join(", ")}` +
      `${plan.optimal ? "" : " · not proven optimal"}`),
    plan.notes.length ? h("ul", { class: "notes" }, plan.notes.map((n) => h("li", {}, n))) : null,
    totalsTable("Per tier", plan.by_tier, cur),
    h("h4", {}, "Creators"),
    h("div", { class: "scroll" }, h("table", { id: "plan-picks" },
      h("thead", {}, h("tr", {}, ["creator", "tier", "followers", "fit", `cost ${cur}`, "reach",
        "engagements", "UGC", ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, picks.map((p) => h("tr", {},
        h("td", {}, profileLink(p.creator_id, p.handle)), h("td", {}, p.tier),
        h("td", { class: "n" }, fmt.int(p.followers)), h("td", { class: "n" }, fmt.num(p.fit)),
        h("td", { class: "n", title: p.cost_source }, fmt.int(p.cost)),
        h("td", { class: "n" }, fmt.int(p.reach)), h("td", { class: "n" }, fmt.int(p.engagements)),
        h("td", { class: "n" }, fmt.int(p.ugc)), h("td", {}, pickBox(p))))))),
    h("div", { class: "actions" }, h("button", {
      type: "button", id: "plan-export",
      onclick: () => download(`plan-${stamp()}.csv`, csv(picks, [...PICK_COLUMNS, "brief"])),
    }, "Export the plan (CSV)")),
    h("h4", {}, "Beside the alternatives"),
    h("p", { class: "muted" }, "Each alternative spends the same budget another way."),
    chart(plan.alternatives, cur),
    totalsTable("The alternatives", plan.alternatives, cur),
    h("details", {}, h("summary", {}, "Assumptions behind the estimates"),
      h("pre", {}, JSON.stringify(plan.assumptions, null, 2))));
  $("#plan-summary").focus();
}

async function makePlan(event) {
  event.preventDefault();
  const form = $("#plan-form");
  clearErrors($("#brief-form"), $("#brief-error"));
  clearErrors(form, $("#plan-error"));
  banner("");
  if (unreadable($("#brief-form"), $("#brief-error")) || unreadable(form, $("#plan-error"))) return;
  const body = planBody();
  $("#make-plan").disabled = true;
  put($("#plan-out"), h("p", { class: "muted" }, "Planning…"));
  try {
    renderPlan(await api("POST", "/v1/plan", body), body.brief);
  } catch (error) {
    put($("#plan-out"), );
    failed(error, form, $("#plan-error"));
  } finally {
    $("#make-plan").disabled = false;
  }
}

// ---------------------------------------------------------------- add creators (write keys)

function parseRecords(name, text) {
  const trimmed = text.replace(/^\ufeff/, "").trim();
  if (!name.toLowerCase().endsWith(".json") || !trimmed.startsWith("[") && !trimmed.startsWith("{")) {
    return trimmed.split(/\r?\n/).map((line, i) => [i + 1, line]).filter(([, l]) => l.trim())
      .map(([n, line]) => {
        try {
          return { line: n, record: JSON.parse(line) };
        } catch (e) {
          throw new Error(`line ${n}: not JSON (${e.message})`);
        }
      });
  }
  let data;
  try {
    data = JSON.parse(trimmed);
  } catch (e) {
    throw new Error(`not JSON (${e.message})`);
  }
  const records = Array.isArray(data) ? data : data.creators;
  if (!Array.isArray(records)) throw new Error("expected a list of creators or {\"creators\": [...]}");
  return records.map((record, i) => ({ line: i + 1, record }));
}

async function addCreators(event) {
  event.preventDefault();
  const form = $("#add-form");
  const file = form.file.files[0];
  clearErrors(form, $("#add-error"));
  if (!file) {
    showFieldErrors(form, $("#add-error"), new ApiFailure(0, "no file",
      [{ field: "file", reason: "choose a .xlsx, .csv, .jsonl or .json file" }]));
    return;
  }
  if (/\.(xlsx|csv)$/i.test(file.name)) return importTable(form, file);
  let records;
  try {
    records = parseRecords(file.name, await file.text());
  } catch (e) {
    showFieldErrors(form, $("#add-error"), new ApiFailure(0, e.message,
      [{ field: "file", reason: `${file.name}, ${e.message}` }]));
    return;
  }
  const total = { added: 0, updated: 0, unchanged: 0, rejected: 0, ignored: {} };
  const errors = [];
  const sent = await sending(form, async (out) => {
    for (let start = 0; start < records.length; start += 500) {
      const batch = records.slice(start, start + 500);
      put(out, h("p", { class: "muted" }, `Sending ${start + batch.length} of ${records.length}…`));
      const answer = await api("POST", `/v1/creators${leaveOut(form)}`,
        { creators: batch.map((r) => r.record) });
      for (const k of ["added", "updated", "unchanged", "rejected"]) total[k] += answer[k];
      for (const [name, n] of Object.entries(answer.ignored || {})) {
        total.ignored[name] = (total.ignored[name] || 0) + n;
      }
      for (const e of answer.errors) errors.push({ ...e, line: batch[e.index].line });
    }
    return true;
  });
  if (sent) showAdded(file.name, total, errors.map((e) =>
    `line ${e.line}${e.id ? ` (${e.id})` : ""}, ${e.field}: ${e.reason}`));
}

/** A workbook or a CSV goes to the server as it is: it reads tables as `ingest` does. */
async function importTable(form, file) {
  const answer = await sending(form, (out) => {
    put(out, h("p", { class: "muted" }, `Sending ${file.name}…`));
    return api("POST", `/v1/creators/import?name=${encodeURIComponent(file.name)}` +
      leaveOut(form).replace("?", "&"), file);
  });
  if (answer) showAdded(file.name, answer, answer.errors.map((e) =>
    `${e.file.includes("#") ? `sheet ${e.file.split("#").pop()}, ` : ""}` +
    `${e.line ? `line ${e.line}` : "file"}${e.id ? ` (${e.id})` : ""}, ${e.field}: ${e.reason}`));
}

/** The query that asks the server to leave out what the ingest format does not have, when
 * the planner ticked it, and to give the platform chosen to the records naming none ("" when
 * neither). */
function leaveOut(form) {
  const query = new URLSearchParams();
  if (form.ignore_unknown.checked) query.set("ignore_unknown", "true");
  if (form.platform.value) query.set("platform", form.platform.value);
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** Send runs `work` with the button disabled; a failure is shown, and the answer is null. */
async function sending(form, work) {
  const out = $("#add-out");
  $("#add-send").disabled = true;
  try {
    return await work(out);
  } catch (error) {
    put(out, h("p", { class: "form-error" }, error.message));
    failed(error, form, $("#add-error"));
    return null;
  } finally {
    $("#add-send").disabled = false;
  }
}

/** What a file added: the counts, then each record refused and why. */
function showAdded(name, counts, problems) {
  const ignored = Object.entries(counts.ignored || {});
  put($("#add-out"),
    h("p", {}, `${name}: ${counts.added} added, ${counts.updated} updated, ` +
      `${counts.unchanged} unchanged, ${counts.rejected} rejected.`),
    ignored.length ? h("p", { class: "muted" }, "Left out, not read by creator-match: " +
      ignored.map(([field, n]) => `${field} (${n})`).join(", ") + ".") : null,
    problems.some((p) => /not a field of the ingest format|unknown column/.test(p))
      ? h("p", {}, "Some records carry fields or columns creator-match does not read: tick " +
        "“leave out the columns and fields…” and send the file again to read them without.")
      : null,
    problems.length ? h("ul", { class: "flags" }, problems.map((p) => h("li", {}, p))) : null);
  connected();
}

// ---------------------------------------------------------------- start

function start() {
  restoreDraft();
  renderPlatforms();
  renderShortlist();
  const saveDraft = () => save(STORE.draft, readDraft());
  for (const form of [$("#brief-form"), $("#plan-form")]) {
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
  }
  $("#brief-form").addEventListener("submit", search);
  $("#plan-form").addEventListener("submit", makePlan);
  $("#add-form").addEventListener("submit", addCreators);
  $("#key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = $("#key-input").value.trim();
    if (!key) {
      $("#key-error").textContent = "Paste a key first.";
      return;
    }
    const result = await useKey(key);
    if (result === true) $("#key-dialog").close();
    else $("#key-error").textContent = result.status === 401
      ? `${result.message}: this key is not accepted.` : result.message;
  });
  $("#key-forget").addEventListener("click", () => {
    localStorage.removeItem(STORE.key);
    state.key = null;
    state.scope = null;
    state.canWrite = false;
    $("#who").textContent = "Not connected";
    for (const el of $$("[data-write]")) el.hidden = true;
    $("#key-error").textContent = "The key is forgotten.";
  });
  $("#change-key").addEventListener("click", () => askKey());
  $("#profile-close").addEventListener("click", () => $("#profile").close());
  $("#shortlist-export").addEventListener("click", () => {
    if (!shortlist.length) {
      banner("The shortlist is empty: nothing to export.");
      return;
    }
    download(`shortlist-${stamp()}.csv`, csv(shortlist, SHORTLIST_COLUMNS));
  });
  $("#shortlist-clear").addEventListener("click", () => {
    if (shortlist.length && window.confirm(`Remove the ${shortlist.length} creators of the shortlist?`)) {
      shortlist = [];
      save(STORE.shortlist, shortlist);
      renderShortlist();
      for (const box of $$("input[data-pick]")) box.checked = false;
    }
  });
  window.addEventListener("storage", (e) => {  // another tab changed the shortlist
    if (e.key === STORE.shortlist) {
      shortlist = load(STORE.shortlist, []);
      renderShortlist();
    }
  });
  for (const button of $$("nav.tabs button")) {
    button.addEventListener("click", () => show(button.dataset.view, true));
  }
  const view = location.hash.slice(1);
  if (["search", "plan", "shortlist", "add"].includes(view)) show(view);
  if (state.key) {
    useKey(state.key).then((result) => { if (result !== true) failed(result); });
  } else {
    askKey();
  }
}

start();
