"""Takes the screenshots of docs/serve.md: `python screenshots.py OUT_DIR` (run by
`NSHED_SCREENSHOTS=1 tests/browser/run.sh`). fruit trained by its schedule, with the
pathway of a sample; a diagnostic in the editor; fig1 training with its curves."""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from conftest import CHROMIUM, FLAGS, Server


def wait_idle_at(page, step):
    expect(page.get_by_test_id("step")).to_have_text(str(step), timeout=60000)
    expect(page.get_by_test_id("step")).to_have_attribute("data-mode", "idle")


def main(out):
    out.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp()
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            tempfile.mkdtemp(), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 960})
        page = context.new_page()
        fruit = Server("examples/fruit.nshed", tmp, shown="examples/fruit.nshed")
        page.goto(fruit.url)
        page.wait_for_selector('[data-testid="graph"] [data-node]')
        page.screenshot(path=out / "start.png")
        page.get_by_test_id("train-schedule").click()
        wait_idle_at(page, 8)
        page.get_by_test_id("input").select_option("banana")
        expect(page.locator('[data-testid="graph"] [data-node="banana"].fire')).to_have_count(1)
        page.screenshot(path=out / "trained.png")
        page.locator('[data-testid="le-matrix"]').scroll_into_view_if_needed()
        page.screenshot(path=out / "analyses.png", full_page=True)
        page.locator(".cm-line", has_text="apple = all(round, red)").click()
        page.keyboard.press("Home")
        for _ in range(len("apple = all(round, re")):
            page.keyboard.press("ArrowRight")
        page.keyboard.type("e")
        page.keyboard.press("Escape")
        expect(page.get_by_test_id("diagnostics").locator("li")).to_have_count(1)
        box = page.locator(".cm-lintRange-error").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(600)
        # The hover's tooltip reaches past the editor: the picture is a little wider than it.
        left = page.locator("#left").bounding_box()
        page.screenshot(path=out / "diagnostic.png", clip={
            "x": left["x"], "y": left["y"], "width": left["width"] + 24, "height": left["height"]})
        fruit.stop()
        fig1 = Server("examples/fig1.nshed", tmp, shown="examples/fig1.nshed")
        page.goto(fig1.url)
        page.wait_for_selector('[data-testid="graph"] [data-node]')
        page.get_by_test_id("steps-input").fill("600")
        page.get_by_test_id("train").click()
        wait_idle_at(page, 600)
        page.locator(".charts").scroll_into_view_if_needed()
        page.locator("#right").screenshot(path=out / "curves.png")
        fig1.stop()
        context.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
