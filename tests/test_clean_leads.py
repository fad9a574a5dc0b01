"""bot.extract.clean: lead-in lines of press releases and lists at the top of an extracted body (synthetic pages)."""
from __future__ import annotations

from bot.extract.clean import clean_text
from bot.extract.html import HtmlExtraction, html_as_text

STATEMENT = ("Secretary of State spoke with the President-elect of the republic and offered congratulations to its "
             "people for an electoral process indicative of a strong and vibrant democracy. He thanked the country "
             "for its support in addressing the regional crisis and hoped it would keep a constructive role.")


def test_a_spokespersons_attribution_line_is_neither_body_nor_title():
    page = f"07/26/2021\n\nOffice of the Spokesperson\n\nThe below is attributable to Spokesperson Jane Roe:\n\n{STATEMENT}\n"
    clean = clean_text(page)
    assert "attributable" not in clean.body and "attributable" not in clean.title
    assert clean.body.startswith("Secretary of State spoke")


def test_the_spanish_attribution_formula_is_furniture_too():
    page = f"Lo siguiente es atribuible al portavoz Juan Pérez:\n\n{STATEMENT}\n"
    assert "atribuible" not in clean_text(page).body


def test_a_lead_in_ending_in_a_colon_is_never_the_headline():
    page = f"Here is what the minister told reporters:\n\n{STATEMENT}\n"
    clean = clean_text(page)
    assert not clean.title.endswith(":") and clean.title.startswith("Secretary of State")


def test_a_list_at_the_top_of_an_extracted_html_body_is_kept():
    items = ["- New tasks for the game", "- More questions for your opponent", "- Better Android support"]
    body = "\n\n".join(["What is new in this version:", *items, STATEMENT])
    clean = clean_text(html_as_text(HtmlExtraction(body=body, title="Version 2 is out")))
    assert all(item[2:] in clean.body for item in items)


def test_a_list_at_the_top_of_a_text_page_is_still_a_menu():
    menu = ["- Home", "- World news today", "- Sport and weather"]
    clean = clean_text("\n\n".join([*menu, STATEMENT, STATEMENT.replace("He thanked", "She thanked")]))
    assert "World news today" not in clean.body
