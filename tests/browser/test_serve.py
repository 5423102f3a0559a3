"""`nshed serve` in a real browser (Debian's chromium, driven by Playwright): the page
loads, lights pathways, shows and clears diagnostics as the source changes, trains to
exactly the numbers of `nshed run`, draws its charts, saves the file, and refuses other
hosts and origins. Every test fails on a console error or a page exception."""

import json
import math
import re
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

from conftest import nshed, nshed_json, open_page


def firing(page):
    return sorted(page.eval_on_selector_all(
        '[data-testid="graph"] .node.fire', "els => els.map(e => e.dataset.node)"))


FIRE = re.compile(r"\bfire\b")


def hover_word(page, line_text, word):
    """Moves the mouse over `word` in the editor line that contains `line_text`."""
    box = page.evaluate(
        """([lineText, word]) => {
            const line = [...document.querySelectorAll('.cm-line')].find(l => l.textContent.includes(lineText));
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            let offset = line.textContent.indexOf(lineText) + lineText.indexOf(word);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                if (offset < n.length) {
                    const r = document.createRange();
                    r.setStart(n, offset); r.setEnd(n, offset + 1);
                    const b = r.getBoundingClientRect();
                    return {x: b.x + b.width / 2, y: b.y + b.height / 2};
                }
                offset -= n.length;
            }
            return null;
        }""", [line_text, word])
    page.mouse.move(box["x"] + 4, box["y"])


def wait_idle_at(page, step):
    expect(page.get_by_test_id("step")).to_have_text(str(step), timeout=30000)
    expect(page.get_by_test_id("step")).to_have_attribute("data-mode", "idle")


def test_the_page_loads_with_the_model(serve, page):
    server = serve("examples/fruit.nshed")
    started = time.monotonic()
    open_page(page, server)
    loaded = time.monotonic() - started
    expect(page.get_by_test_id("step")).to_have_text("0")
    expect(page.get_by_test_id("editor")).to_contain_text("model fruit {")
    expect(page.get_by_test_id("file")).to_have_text(str(server.path))
    nodes = page.eval_on_selector_all('[data-testid="graph"] [data-node]', "els => els.map(e => e.dataset.node)")
    assert nodes == ["round", "long", "red", "yellow", "green", "apple", "banana", "lime", "Apple", "Banana", "Lime"]
    # Before training every lambda of fruit is 0: no sample reaches a class.
    expect(page.get_by_test_id("accuracy")).to_have_attribute("data-value", "0")
    expect(page.get_by_test_id("diagnostics").locator("li")).to_have_count(0)
    # Every control says what it does.
    for control in page.locator("button, select, input, a.button").all():
        label = control.get_attribute("title") or control.get_attribute("aria-label")
        label = label or control.evaluate("e => e.closest('label') ? e.closest('label').title : ''")
        assert label, control.evaluate("e => e.outerHTML")
    timing = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    print(f"\npage load: loadEventEnd {timing:.0f} ms; graph drawn {loaded * 1000:.0f} ms after goto")


def test_a_sample_and_clicked_inputs_light_their_pathway(serve, page):
    server = serve("examples/fruit.nshed")
    open_page(page, server)
    page.get_by_test_id("input").select_option("banana")
    # The CLI's pathway of the same sample at the same (initial) state.
    answer = nshed_json("query", str(server.path), "pathway banana", "--no-train")
    want = sorted(n for level in answer["levels"] for n in level["nodes"])
    assert want == ["banana", "long", "yellow"]
    expect(page.locator('[data-testid="graph"] [data-node="banana"]')).to_have_class(FIRE)
    assert firing(page) == want
    expect(page.locator('[data-testid="graph"] [data-node="round"]')).not_to_have_class(FIRE)
    # Clicking input nodes makes a pattern: {long yellow} plus round and green fires lime too.
    page.locator('[data-testid="graph"] [data-node="round"]').click()
    page.locator('[data-testid="graph"] [data-node="green"]').click()
    expect(page.get_by_test_id("input")).to_have_value("{round long yellow green}")
    expect(page.locator('[data-testid="graph"] [data-node="lime"]')).to_have_class(FIRE)
    assert firing(page) == ["banana", "green", "lime", "long", "round", "yellow"]
    page.locator('[data-testid="graph"] [data-node="long"]').click()
    page.locator('[data-testid="graph"] [data-node="yellow"]').click()
    expect(page.locator('[data-testid="graph"] [data-node="banana"]')).not_to_have_class(FIRE)
    assert firing(page) == ["green", "lime", "round"]
    # Nothing reaches a class before training: no prediction.
    expect(page.get_by_test_id("predicted")).to_have_text("none (no class reached)")


def test_a_diagnostic_appears_and_clears_as_the_source_changes(serve, page):
    server = serve("examples/fruit.nshed")
    open_page(page, server)
    # `red` becomes `reed`, a child that does not exist: the checker's unknown name.
    page.locator(".cm-line", has_text="apple = all(round, red)").click()
    page.keyboard.press("Home")
    for _ in range(len("apple = all(round, re")):
        page.keyboard.press("ArrowRight")
    page.keyboard.type("e")
    problems = page.get_by_test_id("diagnostics").locator("li")
    expect(problems).to_have_count(1, timeout=10000)
    expect(problems.first).to_have_attribute("data-code", "nshed::check::unknown_name")
    expect(problems.first).to_contain_text("reed")
    expect(page.get_by_test_id("stale")).to_be_visible()
    expect(page.locator(".cm-lintRange-error")).to_have_count(1)
    page.keyboard.press("Backspace")
    expect(problems).to_have_count(0, timeout=10000)
    expect(page.get_by_test_id("stale")).to_be_hidden()
    expect(page.locator(".cm-lintRange-error")).to_have_count(0)
    # Nothing was written: the file changes only on save.
    assert server.path.read_text() == Path("examples/fruit.nshed").read_text()


def test_hover_and_completion_come_from_the_language_server(serve, page):
    server = serve("examples/fruit.nshed")
    open_page(page, server)
    hover_word(page, "Apple <- apple", "apple")
    tooltip = page.locator(".cm-tooltip-hover")
    expect(tooltip).to_contain_text("node apple · level 2 looks", timeout=10000)
    expect(tooltip).to_contain_text("apple = all(round, red)")
    page.locator(".cm-line", has_text="lime = atleast").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("pear = any(gr")
    options = page.locator(".cm-tooltip-autocomplete li")
    expect(options.first).to_be_visible(timeout=10000)
    labels = options.all_inner_texts()
    assert any(l.startswith("green") for l in labels), labels
    assert not any(l.startswith("apple") for l in labels), labels


def test_training_40_steps_gives_exactly_the_cli_numbers(serve, page):
    server = serve("examples/fig1.nshed")
    open_page(page, server)
    cli = nshed_json("run", str(server.path), "--stop-after", "40")
    page.get_by_test_id("steps-input").fill("40")
    page.get_by_test_id("train").click()
    wait_idle_at(page, 40)
    accuracy = page.get_by_test_id("accuracy").get_attribute("data-value")
    assert json.loads(accuracy) == cli["accuracy"] == 0.75
    # The loss is the mean of -ln p(label) over the samples of the same report.
    loss = json.loads(page.get_by_test_id("loss").get_attribute("data-value"))
    classes = cli["classes"]
    want = sum(-math.log(s["p"][classes.index(s["label"])]) for s in cli["samples"]) / len(cli["samples"])
    assert abs(loss - want) < 1e-9 * max(1, want), (loss, want)
    # The whole run report (every lambda, eta, logit and probability), bit for bit.
    with urllib.request.urlopen(server.url + "api/download/report.json") as r:
        assert json.load(r) == cli
    chart = page.locator('[data-testid="loss-chart"] svg')
    expect(chart).to_have_attribute("aria-label", "loss against the step")
    # Past 100 (a sample's wrong logits grow without bound) the loss is drawn on a log axis.
    page.get_by_test_id("step-100").click()
    wait_idle_at(page, 140)
    assert json.loads(page.get_by_test_id("loss").get_attribute("data-value")) > 100
    expect(chart).to_have_attribute("aria-label", "loss against the step, log scale")
    # Another seed, in steps of 10 + 10 + 20: the same numbers as one CLI run.
    page.get_by_test_id("seed").fill("7")
    page.get_by_test_id("reset").click()
    wait_idle_at(page, 0)
    page.get_by_test_id("step-10").click()
    wait_idle_at(page, 10)
    page.get_by_test_id("step-10").click()
    wait_idle_at(page, 20)
    page.get_by_test_id("steps-input").fill("20")
    page.get_by_test_id("train").click()
    wait_idle_at(page, 40)
    cli7 = nshed_json("run", str(server.path), "--stop-after", "40", "--seed", "7")
    with urllib.request.urlopen(server.url + "api/download/report.json") as r:
        assert json.load(r) == cli7
    assert json.loads(page.get_by_test_id("accuracy").get_attribute("data-value")) == cli7["accuracy"]


def test_the_charts_draw_as_training_goes(serve, page):
    server = serve("examples/fruit.nshed")
    open_page(page, server)
    page.get_by_test_id("train-schedule").click()
    wait_idle_at(page, 8)
    accuracy = page.locator('[data-testid="chart"] path.series')
    expect(accuracy).to_have_attribute("data-points", "9")
    expect(page.locator('[data-testid="loss-chart"] path.series')).to_have_attribute("data-points", "9")
    assert page.get_by_test_id("accuracy").get_attribute("data-value") == "1"
    expect(page.locator('[data-testid="info-plane"] path.series')).to_have_count(2)
    expect(page.locator('[data-testid="lambda-chart"] path.series')).to_have_count(3)
    expect(page.get_by_test_id("le-matrix")).to_have_attribute("data-step", "8")
    expect(page.locator('[data-testid="le-matrix"] rect[data-base]')).to_have_count(16)
    # Play runs until paused.
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("step")).to_have_attribute("data-mode", "play")
    expect(page.get_by_test_id("step")).not_to_have_text("8", timeout=10000)
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("step")).to_have_attribute("data-mode", "idle")
    stopped = int(page.get_by_test_id("step").inner_text())
    time.sleep(0.5)
    assert int(page.get_by_test_id("step").inner_text()) == stopped > 8


def test_saving_writes_the_file_and_asks_before_replacing_a_changed_one(serve, page):
    server = serve("examples/fruit.nshed")
    open_page(page, server)
    page.locator(".cm-line", has_text="grow = add 0.5").click()
    page.keyboard.press("End")
    page.keyboard.type("  // faster")
    expect(page.get_by_test_id("saved-state")).to_have_text("unsaved changes")
    assert "faster" not in server.path.read_text()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("saved-state")).to_have_text("saved")
    assert "grow = add 0.5  // faster" in server.path.read_text()
    # Someone else changes the file; the next save asks, and No leaves it alone.
    server.path.write_text(server.path.read_text() + "// edited elsewhere\n")
    page.locator(".cm-line", has_text="grow = add 0.5").click()
    page.keyboard.press("End")
    page.keyboard.type("!")
    page.once("dialog", lambda d: d.dismiss())
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("status")).to_contain_text("not saved")
    assert server.path.read_text().endswith("// edited elsewhere\n")
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("saved-state")).to_have_text("saved")
    assert "// faster!" in server.path.read_text()
    assert "edited elsewhere" not in server.path.read_text()
    # The 409 that asked is the one error the console shows.
    page.errors[:] = [e for e in page.errors if "409" not in e]


def test_other_hosts_and_origins_are_refused(serve, browser_context):
    server = serve("examples/fruit.nshed")
    page = browser_context.new_page()
    # DNS rebinding: a name that resolves to 127.0.0.1 is not this server's name.
    response = page.goto(f"http://rebind.test:{server.port}/")
    assert response.status == 421
    # A page of another origin (the same server under `localhost` on another port is
    # another origin; here, the rebinding name) cannot make it train.
    page.goto(server.url)
    status = page.evaluate(
        """async (url) => {
            const r = await fetch(url + 'api/session');
            return r.status;
        }""", server.url)
    assert status == 200
    for host, want in [("evil.example", 421), (f"localhost:{server.port}", 200)]:
        request = urllib.request.Request(server.url + "api/session", headers={"Host": host})
        try:
            with urllib.request.urlopen(request) as r:
                assert r.status == want
        except urllib.error.HTTPError as e:
            assert e.code == want, host
    request = urllib.request.Request(
        server.url + "api/train", data=b'{"how":"play"}', method="POST",
        headers={"Content-Type": "application/json", "Origin": "http://evil.example"})
    try:
        urllib.request.urlopen(request)
        raise AssertionError("a cross-origin POST was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 403
    with urllib.request.urlopen(server.url + "api/session") as r:
        assert json.load(r)["progress"]["step"] == 0
    page.close()


def test_the_downloads_are_the_cli_formats(serve, page):
    server = serve("examples/fruit.nshed")
    open_page(page, server)
    page.get_by_test_id("train-schedule").click()
    wait_idle_at(page, 8)
    with page.expect_download() as d:
        page.get_by_test_id("download-state").click()
    state = Path(d.value.path())
    assert d.value.suggested_filename == "fruit-step8.state.json"
    # `nshed run --resume` takes it: the schedule is done, so the report is the state's.
    resumed = nshed_json("run", str(server.path), "--resume", str(state))
    assert resumed == nshed_json("run", str(server.path))
    with page.expect_download() as d:
        page.get_by_test_id("download-graph").click()
    svg = Path(d.value.path()).read_text()
    assert svg.startswith("<?xml") and "fruit at step 8, pathway of red_apple" in svg
