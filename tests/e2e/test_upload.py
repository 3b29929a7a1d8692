"""Bring your own data through the page: upload a file (or drop it on the plot, or paste it), see
what was read before using it, train on it; and download any dataset as CSV."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import button, control, query

# Eight people, two measurements, a spreadsheet's way of writing them; "fit" splits on a line.
PEOPLE = ("height;weight;fit\r\n1,80;70;yes\r\n1,60;90;no\r\n1,85;75;yes\r\n1,55;80;no\r\n"
          "1,75;65;yes\r\n1,65;95;no\r\n1,90;80;yes\r\n1,50;70;no\r\n")  # fmt: skip


def preview(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#upload-dialog")


def test_an_uploaded_file_is_previewed_then_trained_on(pages: Pages, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(("\ufeff" + PEOPLE).encode())
    page = pages.new("/?dataset=and")
    page.get_by_label("Upload CSV").set_input_files(path)
    dialog = preview(page)
    expect(dialog).to_be_visible()
    expect(dialog.locator("#upload-summary")).to_have_text(
        "people: 8 rows × 2 features. Label column “fit”: class 0 is “no”, class 1 is “yes”.")
    expect(dialog.get_by_label("Label column", exact=True)).to_have_value("fit")
    expect(dialog.get_by_label("Class 1 is", exact=True)).to_have_value("yes")
    rows = dialog.locator("#upload-rows tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.first.locator("td")).to_have_text(["1.8", "70", "yes"])  # as written, 1,80 read
    expect(dialog.locator("#upload-rows thead")).to_have_text("heightweightfit")
    button(page, "Use this dataset").click()
    expect(dialog).to_be_hidden()
    page.wait_for_function("() => new URL(location).searchParams.get('dataset')?.startsWith('up_')")
    expect(control(page, "Dataset").locator("option:checked")).to_have_text("people (yours)")
    expect(page.locator("#legend-class1")).to_have_text("class 1: yes")
    expect(page.locator("#samples tbody tr").first.locator("td").nth(2)).to_have_text("yes")
    expect(page.locator("#samples thead")).to_contain_text("height")
    button(page, "Play").click()
    expect(page.get_by_role("status")).to_contain_text("Converged")
    expect(page.locator("#table-note")).to_have_text("All right.")


def test_a_link_to_an_uploaded_dataset_opens_it(pages: Pages, tmp_path: Path) -> None:
    described = httpx.post(f"{pages.server.url}/api/datasets?name=linked", content=PEOPLE.encode(),
                           headers={"Content-Type": "text/csv"}).json()  # fmt: skip
    page = pages.new(f"/?dataset={described['id']}")
    expect(control(page, "Dataset").locator("option:checked")).to_have_text("linked (yours)")
    expect(page.locator("#legend-class0")).to_have_text("class 0: no")


def test_a_pasted_csv_names_the_bad_cell_then_the_fixed_one_is_used(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    button(page, "Paste CSV").click()
    box = page.get_by_label("CSV text, with a header row")
    box.fill("a,b,label\n1,2,cat\n3,,dog\n")
    button(page, "Preview").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Not read: line 3, column “b”: the value is missing. Nothing was stored.")
    expect(button(page, "Use this dataset")).to_be_disabled()
    box.fill("a,b,label\n1,2,cat\n3,1,dog\n0,0,cat\n")
    button(page, "Preview").click()
    expect(page.locator("#upload-summary")).to_contain_text("class 0 is “cat”, class 1 is “dog”")
    page.get_by_label("Class 1 is", exact=True).select_option("cat")
    expect(page.locator("#upload-summary")).to_contain_text("class 0 is “dog”, class 1 is “cat”")
    page.get_by_label("Label column", exact=True).select_option("a")  # then "label" is a feature
    expect(page.get_by_role("alert")).to_have_text(
        "Not read: line 2, column “label”: “cat” is not a number. Nothing was stored. "
        "Still showing the reading before.")
    expect(page.get_by_label("Label column", exact=True)).to_have_value("label")
    button(page, "Use this dataset").click()
    expect(page.locator("#legend-class0")).to_have_text("class 0: dog")
    watch = pages.watches[-1]
    refused = [e for e in watch.errors if "status of 422" in e]
    assert len(refused) == 2  # the two refusals, and nothing else
    watch.errors[:] = [e for e in watch.errors if "status of 422" not in e]


def test_a_cancelled_preview_is_not_kept(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    button(page, "Paste CSV").click()
    page.get_by_label("CSV text, with a header row").fill("x,y\n1,a\n2,b\n")
    with page.expect_response(lambda r: r.url.split("?")[0].endswith("/api/datasets")) as posted:
        button(page, "Preview").click()
    upload_id = posted.value.json()["id"]
    expect(page.locator("#upload-summary")).to_contain_text("2 rows × 1 feature.")
    with page.expect_response(lambda r: r.request.method == "DELETE"):
        button(page, "Cancel").click()
    assert httpx.get(f"{pages.server.url}/api/datasets/{upload_id}").status_code == 404
    assert query(page)["dataset"] == "and"


def test_a_file_dropped_on_the_plot_is_previewed(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    page.evaluate(
        """(text) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
          const wrap = document.querySelector('.canvas-wrap');
          for (const type of ['dragenter', 'dragover', 'drop']) {
            wrap.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
          }
        }""",
        PEOPLE,
    )
    expect(page.locator("#upload-summary")).to_contain_text("dropped: 8 rows × 2 features")


def test_download_csv_of_a_built_in_dataset(pages: Pages) -> None:
    page = pages.new("/?dataset=or")
    with page.expect_download() as download:
        button(page, "Download CSV").click()
    assert download.value.suggested_filename == "or.csv"
    assert Path(download.value.path()).read_bytes().decode() == "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n".replace("\n", "\r\n")


def test_past_two_features_two_chosen_columns_are_plotted(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    button(page, "Paste CSV").click()
    page.get_by_label("CSV text, with a header row").fill(
        "a,b,c,label\n0,5,1,x\n1,3,2,y\n2,8,0,x\n3,1,4,y\n")
    button(page, "Preview").click()
    dialog = preview(page)
    expect(dialog.locator("#upload-summary")).to_contain_text("4 rows × 3 features")
    dialog.get_by_label("Plot across", exact=True).select_option(label="c")
    expect(button(page, "Use this dataset")).to_be_disabled()  # one axis chosen, not yet two
    dialog.get_by_label("and up", exact=True).select_option(label="a")
    button(page, "Use this dataset").click()
    plot = page.locator("#plot")
    expect(plot).to_have_attribute("aria-label", re.compile(r"^4 training points over c and a,"))
    setup = page.locator("#setup")
    expect(setup.get_by_label("Plot across", exact=True)).to_have_value("2")
    assert query(page)["plot"] == "2,0"
    setup.get_by_label("Plot across", exact=True).select_option(label="PC 1")
    setup.get_by_label("and up", exact=True).select_option(label="PC 2")
    expect(plot).to_have_attribute("aria-label", re.compile(r"over PC 1 and PC 2,"))
    assert "plot" not in query(page)


def test_other_pasted_data_that_fails_leaves_nothing_to_use(pages: Pages) -> None:
    """A refused text is no reason to offer the earlier one: its preview goes, and so does the
    button that would have used it."""
    page = pages.new("/?dataset=and")
    button(page, "Paste CSV").click()
    box = page.get_by_label("CSV text, with a header row")
    box.fill("a,b,label\n1,2,cat\n3,1,dog\n0,0,cat\n")
    button(page, "Preview").click()
    expect(page.locator("#upload-summary")).to_contain_text("class 0 is “cat”")
    expect(button(page, "Use this dataset")).to_be_enabled()
    box.fill("a,b,label\n1,2,cat\n3,,dog\n")
    button(page, "Preview").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Not read: line 3, column “b”: the value is missing. Nothing was stored.")
    expect(page.locator("#upload-preview")).to_be_hidden()
    expect(button(page, "Use this dataset")).to_be_disabled()
    watch = pages.watches[-1]
    watch.errors[:] = [e for e in watch.errors if "status of 422" not in e]
