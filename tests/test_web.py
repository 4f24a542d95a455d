"""The planner's web page in a real headless Chromium (Playwright for Python, the system's
browser: scripts/install-chromium), against a real `creator-match serve` on 127.0.0.1 with the
default encoder and the bundled sample.

CREATOR_MATCH_SCREENSHOTS=DIR saves the screenshots the README shows (search, profile, plan)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import DATA, creator, write_jsonl
from playwright.sync_api import expect
from serving import Server

from api.auth import KeyStore, StoredKey

pytestmark = pytest.mark.browser

WRITE, READ = "web-write-key-0123456789", "web-read-key-0123456789"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# as root and on a closed network Chromium needs these: no sandbox (root), and none of its
# background connections (each is refused here, and some are retried at every start)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
BRIEF = "launch of a plastic-free solid shampoo bar"
VALUES = "zero waste, honest reviews"
FRENCH = "recettes végétales anti-gaspi"


def chromium() -> str:
    for name in (os.environ.get("CREATOR_MATCH_CHROMIUM"), *BROWSERS):
        found = name and shutil.which(name)
        if found:
            return found
    pytest.fail("no Chromium for the browser tests: run scripts/install-chromium (Debian's "
                "chromium package) or set CREATOR_MATCH_CHROMIUM")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`creator-match serve` on the sample, ingested by the command line with the default
    encoder; a read key, a write key, and a keys file whose key a test may downgrade."""
    index = tmp_path_factory.mktemp("web") / "index"
    script = Path(sys.executable).with_name("creator-match")
    env = {k: v for k, v in os.environ.items() if k != "CREATOR_MATCH_MODEL"}
    subprocess.run([str(script), "ingest", str(DATA / "creators.jsonl"), "--index", str(index)],
                   env=env, check=True, capture_output=True, timeout=600)
    store = KeyStore()
    site_key = store.create("write", name="admin")
    store.save(index / "api-keys.json")
    srv = Server(index, {"CREATOR_MATCH_API_KEYS": f"write:{WRITE},read:{READ}"},
                 model=None).start()
    srv.file_key = site_key  # type: ignore[attr-defined]
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium_path = chromium()  # first: without it, say how to get one
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    """A fresh browser profile (no stored key, no shortlist) on the page; fails the test on any
    script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    # generous waits: a machine several times slower still passes (none is a speed check)
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # the browser's own log of a 4xx or 5xx answer is expected in the tests of errors
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and
            not m.text.startswith("Failed to load resource") else None)
    page.goto(site.url + "/")
    yield page
    context.close()
    assert not errors, errors


def api(site, method, path, key=READ, **kw):
    return httpx.request(method, site.url + path, headers={"Authorization": f"Bearer {key}"},
                         timeout=60, **kw)


def sign_in(page, key=READ, scope="read"):
    page.get_by_label("API key", exact=True).fill(key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#who")).to_contain_text(f"{scope} key")


def fill_brief(page, brief=BRIEF, values=VALUES, objective="ugc", k=8):
    page.get_by_label("Campaign brief").fill(brief)
    page.get_by_label("Brand values").fill(values)
    page.get_by_label("Objective").select_option(objective)
    page.get_by_label("Number of results").fill(str(k))


def search(page):
    page.get_by_role("button", name="Find creators").click()
    done = re.compile(r"creators? for|No creator|did not run")
    expect(page.locator("#results-status")).to_have_text(done)


def send_file(page, path):
    """The "Add creators" form sent with this file, signed in with the write key: its
    answer's element."""
    sign_in(page, WRITE, "write")
    page.get_by_role("button", name="Add creators").click()
    page.get_by_label("Creators file").set_input_files(str(path))
    page.get_by_role("button", name="Send").click()
    return page.locator("#add-out")


def handles(page):
    return page.locator("#results li.card h3").all_inner_texts()


def shoot(page, name, full_page=False):
    folder = os.environ.get("CREATOR_MATCH_SCREENSHOTS")
    if folder:
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def test_the_page_ships_with_the_server_and_loads_nothing_from_elsewhere(site, page):
    r = httpx.get(site.url + "/")
    assert r.status_code == 200 and "default-src 'none'" in r.headers["content-security-policy"]
    for asset in re.findall(r'(?:src|href)="(/web/[^"]+)"', r.text):
        assert httpx.get(site.url + asset).status_code == 200
    assert not re.search(r'(?:src|href)="(?:https?:)?//', r.text)
    # every control has a real <label>
    unlabelled = page.evaluate("""[...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && !e.labels.length).map(e => e.name || e.id)""")
    assert unlabelled == []
    assert page.get_by_role("dialog", name="Your API key").is_visible()


def test_a_search_shows_the_api_ranking_with_its_evidence(site, page):
    sign_in(page)
    fill_brief(page)
    search(page)
    want = api(site, "POST", "/v1/match", json={
        "brief": BRIEF, "values": VALUES, "objective": "ugc", "k": 8}).json()["matches"]
    assert handles(page) == [m["handle"] for m in want]
    first = page.locator("#results li.card").first
    assert first.locator(".score").inner_text() == f"{want[0]['score']:.3f}"
    # the post closest to the brief, its values evidence and the brief's words, in words
    assert first.locator(".posts.evidence li").first.locator("q").inner_text() == \
        want[0]["evidence"][0]["text"]
    # its values evidence, titled by how much it holds them: a creator holding them less
    # than the typical candidate is not said to carry them
    assert any(m["values_evidence"] for m in want)
    for card, m in zip(page.locator("#results li.card").all(), want, strict=True):
        if m["values_evidence"]:
            low = m["components"]["values"] < 0.5
            assert card.locator(".posts.values h4").inner_text() == (
                "Its posts closest to your values (it holds them less than most candidates)"
                if low else "Posts that carry your values")
    assert "shampoo" in first.locator(".terms").inner_text()
    assert first.locator(".bar-row").count() == 6
    shoot(page, "search")


def test_a_category_named_by_the_brief_is_shown_as_such(site, page):
    """A brief naming a category ("beauty"): a creator filed under it, whose posts do not
    use the word, shows "Filed under: beauty", not the word among those it used."""
    sign_in(page)
    fill_brief(page, brief="beauty routine for sensitive skin", values="", k=5)
    search(page)
    want = api(site, "POST", "/v1/match", json={
        "brief": "beauty routine for sensitive skin", "objective": "ugc", "k": 5}).json()
    assert handles(page) == [m["handle"] for m in want["matches"]]
    filed = [m for m in want["matches"] if m["matched_categories"] == ["beauty"]]
    assert filed
    for card, m in zip(page.locator("#results li.card").all(), want["matches"], strict=True):
        shown = card.locator(".terms").all_inner_texts()
        assert ("Filed under: beauty" in shown) == (m in filed)
        assert not any("used: " in t and "beauty" in t for t in shown if m in filed)


def test_a_creator_of_another_language_shows_why_it_has_no_words(site, page):
    """A French brief over French and English creators: the English ones' words bar says
    "other language" (its content alone is its relevance), the French ones' a number."""
    brief = "recettes végétales anti-gaspi"
    sign_in(page)
    fill_brief(page, brief=brief, values="", k=20)
    search(page)
    want = api(site, "POST", "/v1/match", json={
        "brief": brief, "objective": "ugc", "k": 20}).json()["matches"]
    assert handles(page) == [m["handle"] for m in want]
    other = [m["components"]["keywords"] is None for m in want]
    assert any(other) and not all(other)
    for card, unset in zip(page.locator("#results li.card").all(), other, strict=True):
        words = card.locator(".bar-row", has=page.locator("dt", has_text="words"))
        assert (words.locator(".v").inner_text() == "other language") == unset


def test_a_filter_is_honoured(site, page):
    sign_in(page)
    fill_brief(page, brief=FRENCH, values="", objective="engagement", k=10)
    page.get_by_label("micro (1,000–100,000)").check()
    page.get_by_label("Countries").fill("France")
    search(page)
    metas = page.locator("#results li.card .meta").all_inner_texts()
    assert metas and all(" micro " in f" {m} " and "FR/" in m for m in metas)
    want = api(site, "POST", "/v1/match", json={
        "brief": FRENCH, "objective": "engagement", "k": 10,
        "filters": {"tiers": ["micro"], "countries": ["France"]}}).json()["matches"]
    assert handles(page) == [m["handle"] for m in want]


def test_the_shortlist_survives_a_reload_and_exports_its_rows(site, page):
    sign_in(page)
    fill_brief(page, brief=FRENCH, values="", objective="ugc", k=6)
    search(page)
    picked = page.locator("#results li.card").evaluate_all("cs => cs.map(c => c.dataset.id)")[:2]
    for card in page.locator("#results li.card").all()[:2]:
        card.get_by_label("shortlist").check()
    page.reload()
    page.wait_for_selector("#who:has-text('creators')")  # the key was kept: no dialog
    assert page.get_by_label("Campaign brief").input_value() == FRENCH  # the draft too
    page.get_by_role("button", name=re.compile(r"Shortlist \(2\)")).click()
    rows = page.locator("#shortlist tbody tr")
    assert rows.count() == 2
    with page.expect_download() as got:
        page.get_by_role("button", name="Export CSV").click()
    raw = Path(got.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the mark that makes Excel read UTF-8
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["creator_id"] for r in table] == picked
    # a cell a spreadsheet would run as a formula (an @handle, =, +, -) is kept as text
    assert all(r["handle"].startswith("'@") for r in table)
    assert all(r["brief"] == FRENCH for r in table)  # accents intact
    page.locator("#shortlist tbody tr").first.get_by_role("button", name="Remove").click()
    assert page.locator("#shortlist tbody tr").count() == 1


def test_a_plan_stays_within_its_budget(site, page):
    sign_in(page)
    fill_brief(page, objective="awareness")
    page.get_by_role("button", name="Plan").click()
    page.get_by_label("Budget", exact=True).fill("20000")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("macro share").fill("60")
    page.get_by_label("micro share").fill("25")
    page.get_by_label("nano share").fill("15")
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_selector("#plan-summary")
    want = api(site, "POST", "/v1/plan", json={
        "brief": BRIEF, "values": VALUES, "objective": "awareness", "budget": 20000,
        "currency": "EUR", "mix": {"macro": 0.6, "micro": 0.25, "nano": 0.15},
        "max_creators": 30, "allow_flagged": False}).json()
    assert 0 < want["totals"]["cost"] <= 20000
    summary = page.locator("#plan-summary").inner_text()
    assert f"{want['totals']['creators']} creators" in summary and "of 20,000 EUR" in summary
    shown = page.locator("#plan-picks tbody tr td:first-child").all_inner_texts()
    assert shown == [p["handle"] for p in want["picks"]]
    assert page.locator("svg.chart rect").count() == 4 * len(want["alternatives"])
    with page.expect_download() as got:
        page.get_by_role("button", name="Export the plan (CSV)").click()
    table = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text("utf-8-sig"))))
    assert [r["creator_id"] for r in table] == [p["creator_id"] for p in want["picks"]]
    assert sum(float(r["cost"]) for r in table) <= 20000
    shoot(page, "plan", full_page=True)


def test_a_bad_field_shows_the_api_message_beside_it_and_keeps_the_input(site, page):
    sign_in(page)
    fill_brief(page)
    page.get_by_label("Countries").fill("Narnia")
    search(page)
    want = api(site, "POST", "/v1/match", json={"brief": BRIEF, "filters": {
        "countries": ["Narnia"]}}).json()["error"]["details"][0]["reason"]
    countries = page.get_by_label("Countries")
    assert countries.get_attribute("aria-invalid") == "true"
    note = page.locator(f"#{countries.get_attribute('aria-describedby')}")
    assert note.inner_text() == want and "NARNIA" in want.upper()
    assert page.get_by_label("Campaign brief").input_value() == BRIEF
    assert countries.input_value() == "Narnia"
    # a number the browser cannot read is named at its field, not sent as empty
    page.get_by_label("Followers from").press_sequentially("1e")
    page.get_by_role("button", name="Find creators").click()
    expect(page.locator("#f-min-followers-error")).to_have_text("not a number")
    page.get_by_label("Followers from").fill("")
    # a plan with a negative budget: the message is beside the budget
    page.get_by_label("Countries").fill("")
    page.get_by_role("button", name="Plan").click()
    page.get_by_label("Budget", exact=True).fill("-5")
    page.get_by_role("button", name="Make the plan").click()
    budget = page.get_by_label("Budget", exact=True)
    expect(budget).to_have_attribute("aria-invalid", "true")
    assert "greater than 0" in page.locator("#p-budget-error").inner_text()
    assert budget.input_value() == "-5"


def test_a_lost_connection_and_a_503_are_said_and_nothing_typed_is_lost(page):
    sign_in(page)
    fill_brief(page)
    page.route("**/v1/match", lambda route: route.abort("connectionrefused"))
    page.get_by_role("button", name="Find creators").click()
    banner = page.get_by_role("alert").filter(has_text="cannot be reached")
    banner.wait_for()
    page.unroute("**/v1/match")
    page.route("**/v1/match", lambda route: route.fulfill(status=503, json={"error": {
        "status": 503, "code": "unavailable", "message": "the index is being repaired",
        "details": []}}))
    page.get_by_role("button", name="Find creators").click()
    page.get_by_role("alert").filter(has_text="unavailable (503)").wait_for()
    assert "being repaired" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Campaign brief").input_value() == BRIEF
    assert page.get_by_label("Brand values").input_value() == VALUES


def test_a_profile_shows_signals_posts_and_lookalikes(site, page):
    sign_in(page)
    fill_brief(page)
    search(page)
    first = page.locator("#results li.card h3 button").first
    first.focus()
    page.keyboard.press("Enter")  # by keyboard
    dialog = page.get_by_role("dialog", name=first.inner_text())
    dialog.get_by_text("Lookalike creators").wait_for()
    assert dialog.locator(".recent li").count() >= 1
    assert dialog.locator(".lookalikes li").count() >= 1
    assert dialog.get_by_text("engagement rate").is_visible()
    assert dialog.locator("#delete-creator").count() == 0  # a read key: no write action
    shoot(page, "profile")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_accents_and_emoji_come_in_and_out_intact(site, page, tmp_path):
    bio = "Cuisine végétale zéro déchet 🌱 — épluchures, pain rassis, « anti-gaspi »"
    good = creator("web_accents", "soupe de fanes de carottes anti-gaspillage 🥕", bio=bio,
                   handle="@cuisine.élodie")
    good["posts"] += [  # posts that show what its bio says (else bio_mismatch flags it)
        {"id": "chips", "text": "chips d'épluchures de pommes de terre, rien ne se perd",
         "likes": 40, "comments": 2},
        {"id": "pudding", "text": "pudding au pain rassis, la recette anti-gaspi de mamie",
         "likes": 40, "comments": 2},
        {"id": "photo", "likes": 40, "comments": 2}]  # a photo, no caption
    del good["language"]  # detected in its texts, and said to be
    bad = creator("web_bad", followers=-1)
    out = send_file(page, write_jsonl(tmp_path / "new.jsonl", [good, bad]))
    out.get_by_text("1 added").wait_for()
    assert "line 2 (web_bad), followers" in out.inner_text()
    fill_brief(page, brief="soupe de fanes de carottes", values="", objective="ugc", k=3)
    search(page)
    assert "@cuisine.élodie" in handles(page)
    page.get_by_role("button", name="@cuisine.élodie").first.click()
    dialog = page.get_by_role("dialog", name="@cuisine.élodie")
    assert dialog.locator(".bio").inner_text() == bio
    assert "🥕" in dialog.locator(".recent").inner_text()
    assert "(no caption)" in dialog.locator(".recent").inner_text()
    assert "fr (detected)" in dialog.locator(".meta").inner_text()
    assert api(site, "GET", "/v1/creators/web_accents").json()["record"]["bio"] == bio


def test_a_planners_excel_list_goes_in_from_the_page(site, page, tmp_path):
    """An .xlsx goes to the server as it is; the page says what was added and names the bad
    row by its sheet and Excel's row number."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Creators"
    book.active.append(["id", "handle", "platform", "followers", "bio"])
    book.active.append(["web_xl", "@web.xl", "Instagram", "4,200", "Tricot et laine locale"])
    book.active.append(["web_xl_bad", "@web.bad", "myspace", 10, "bio"])
    posts = book.create_sheet("Posts")
    posts.append(["creator_id", "id", "caption", "likes", "comments"])
    posts.append(["web_xl", "p1", "Un pull tricoté avec la laine d'une ferme voisine", 90, 6])
    book.save(tmp_path / "list.xlsx")
    out = send_file(page, tmp_path / "list.xlsx")
    out.get_by_text("1 added").wait_for()
    assert "sheet Creators, line 3 (web_xl_bad), platform" in out.inner_text()
    assert api(site, "GET", "/v1/creators/web_xl").json()["record"]["followers"] == 4200


def test_an_exports_extra_fields_are_refused_then_left_out_when_asked(site, page, tmp_path):
    """A scraper's export carries fields creator-match does not read: the page names them,
    says to tick the box, and with it ticked reads the records without them."""
    record = creator("web_export", "soupe de fanes de carottes", full_name="Élodie",
                     posts=[{"id": "p1", "text": "soupe de fanes", "likes": 30, "url": "u"}])
    out = send_file(page, write_jsonl(tmp_path / "export.jsonl", [record]))
    out.get_by_text("1 rejected").wait_for()
    assert "full_name: not a field of the ingest format" in out.inner_text()
    assert "tick “leave out the columns and fields…”" in out.inner_text()
    page.get_by_label("leave out the columns and fields creator-match does not read").check()
    page.get_by_role("button", name="Send").click()
    out.get_by_text("1 added").wait_for()
    assert "Left out, not read by creator-match: full_name (1), posts.url (1)." in (
        out.inner_text())
    assert api(site, "GET", "/v1/creators/web_export").json()["record"]["posts"][0][
        "text"] == "soupe de fanes"


def test_a_file_of_one_platforms_profiles_is_given_the_platform_chosen(site, page, tmp_path):
    """A scraper's profiles name no platform: refused, saying so; with a platform chosen on
    the form, read with it (a JSON list, sent in batches, and a CSV, sent whole)."""
    record = creator("web_noplat", "tricot et laine locale")
    del record["platform"]
    out = send_file(page, write_jsonl(tmp_path / "profiles.jsonl", [record]))
    out.get_by_text("1 rejected").wait_for()
    assert "platform: Field required" in out.inner_text()
    page.get_by_label("Platform of the records that name none").select_option("tiktok")
    page.get_by_role("button", name="Send").click()
    out.get_by_text("1 added").wait_for()
    assert api(site, "GET", "/v1/creators/web_noplat").json()["record"]["platform"] == "tiktok"
    table = tmp_path / "profiles.csv"
    table.write_text("username,followers,bio\n@web.csvplat,900,Tricot et laine locale\n")
    page.get_by_label("Creators file").set_input_files(str(table))
    page.get_by_role("button", name="Send").click()
    out.get_by_text("1 added").wait_for()
    assert api(site, "GET", "/v1/creators/web.csvplat").json()["record"]["platform"] == "tiktok"


def test_a_read_key_sees_no_write_action_and_a_write_refused_is_said(site, page):
    sign_in(page)
    assert page.get_by_text("read key").is_visible()
    assert not page.get_by_role("button", name="Add creators").is_visible()
    # a write key of the keys file, downgraded to read while the page is open
    page.get_by_role("button", name="API key…").click()
    sign_in(page, site.file_key, "write")
    assert page.get_by_role("button", name="Add creators").is_visible()
    fill_brief(page, k=3)
    search(page)
    victim = page.locator("#results li.card").first.get_attribute("data-id")
    page.locator("#results li.card h3 button").first.click()
    page.locator("#delete-creator").wait_for()
    keys = site.index / "api-keys.json"
    store = KeyStore.load(keys)
    store.keys = [StoredKey(k.name, "read", k.sha256) for k in store.keys]
    store.save(keys)
    page.on("dialog", lambda d: d.accept())  # "Delete ...? This cannot be undone."
    page.locator("#delete-creator").click()
    refusal = page.locator("#profile-body .form-error")
    expect(refusal).to_contain_text("this key has the read scope; this endpoint needs write")
    assert api(site, "GET", f"/v1/creators/{victim}").status_code == 200  # nothing lost


def test_the_page_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page)
    fill_brief(page, k=3)
    search(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#results li.card").count() == 3


def test_the_key_is_asked_again_when_refused(site, page):
    page.get_by_label("API key", exact=True).fill("not-a-key-at-all-000")
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#key-error")).to_contain_text("unknown API key")
    assert page.evaluate("localStorage.getItem('creator-match.key')") is None
    sign_in(page)
    assert json.loads(page.evaluate("localStorage.getItem('creator-match.key')")) == READ


def test_a_server_of_shards_offers_search_and_no_write_action(browser, tmp_path):
    """`serve --shards`: the page searches the shards as one index and, the server writing
    nothing, shows a write key no write action."""
    from recommender.distributed import shard_of
    from recommender.embedding import HashEmbedder
    from recommender.service import Recommender

    records = (DATA / "creators.jsonl").read_text(encoding="utf-8").splitlines()
    dirs = []
    for s in range(2):
        part = [r for r in records if shard_of(json.loads(r)["id"], 2) == s]
        (tmp_path / f"part{s}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
        with Recommender(tmp_path / f"shard-{s}", create=True, embedder=HashEmbedder(64)) as rec:
            rec.ingest([tmp_path / f"part{s}.jsonl"])
        dirs.append(tmp_path / f"shard-{s}")
    srv = Server(dirs[0], {"CREATOR_MATCH_API_KEYS": f"write:{WRITE}"}, shards=dirs).start()
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        page = context.new_page()
        # the page fixture's generous waits, set here too: this test may run alone
        page.set_default_timeout(60_000)
        expect.set_options(timeout=30_000)
        page.goto(srv.url + "/")
        sign_in(page, WRITE, "write")
        expect(page.locator("#who")).to_contain_text("360 creators")
        assert not page.get_by_role("button", name="Add creators").is_visible()
        fill_brief(page, k=5)
        search(page)
        assert len(handles(page)) == 5
        page.locator("#results li.card h3 button").first.click()
        expect(page.locator("#profile-body")).to_contain_text("Recent posts")
        assert page.locator("#delete-creator").count() == 0
    finally:
        context.close()
        srv.stop()
