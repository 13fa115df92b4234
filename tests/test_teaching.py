"""Teaching conventions: "Think!" prompts inside every chapter, and a 90-minute executive plan with no code on screen."""

import re

import pytest

from course_utils.config import REPO_ROOT

CHAPTERS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
GUIDE = REPO_ROOT / "docs" / "instructor_guide.md"
PLAN_HEADING = "## A 90-minute executive workshop"
MIN_PROMPTS = 2

CELL = re.compile(r"^# %%(.*)$")
THINK = re.compile(r"^# > \*\*Think!\*\*\s*(\S.*)$")


def think_prompts(source: str) -> list[str]:
    """The text of each '> **Think!**' prompt in the markdown cells of a jupytext percent source, before '## Recap'."""
    prompts, in_markdown = [], False
    for line in source.splitlines():
        cell = CELL.match(line)
        if cell:
            in_markdown = cell.group(1).strip().startswith("[markdown]")
            continue
        if not in_markdown:
            continue
        if line.startswith("# ## Recap"):
            break
        think = THINK.match(line)
        if think:
            prompts.append(think.group(1))
    return prompts


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_chapter_has_think_prompts_before_its_recap(path):
    source = path.read_text()
    assert "# ## Recap" in source, f"{path.name} has no '## Recap' heading"
    prompts = think_prompts(source)
    assert len(prompts) >= MIN_PROMPTS, (
        f"{path.name} has {len(prompts)} '> **Think!**' prompt(s) before its '## Recap', not at least {MIN_PROMPTS}: "
        "add a markdown line '> **Think!** <a question>' just before the cell whose output answers it")


def test_the_think_prompt_count_can_fail():
    md, code = "# %% [markdown]\n", "# %%\n"
    tagged = '# %% [markdown] slideshow={"slide_type": "slide"}\n'
    source = (md + "# # 01 · Title\n"
              + md + "# Text.\n#\n# > **Think!** What will the next cell print?\n"
              + code + "# > **Think!** a code comment, not a prompt\nprint(1)\n"
              + tagged + "# > **Think!** Where is the error smallest?\n"
              + md + "# > Think! without the bold mark\n# > **Think!**\n"
              + md + "# ## Recap\n#\n# > **Think!** After the recap: does not count.\n")
    assert think_prompts(source) == ["What will the next cell print?", "Where is the error smallest?"]
    assert think_prompts(md + "# ## Recap\n# > **Think!** Too late?\n") == []


def plan_section(text: str) -> str:
    """The guide's 90-minute plan: from its heading to the next '## ' heading."""
    if PLAN_HEADING not in text:
        return ""
    rest = text.split(PLAN_HEADING, 1)[1]
    return PLAN_HEADING + rest.split("\n## ", 1)[0]


def plan_problems(text: str) -> list[str]:
    """What keeps the 90-minute plan from being a no-code plan on the workshop page and the leaders' boxes."""
    plan = plan_section(text)
    if not plan:
        return [f"no '{PLAN_HEADING}' section"]
    problems = []
    if "```" in plan:
        problems.append("the plan contains a code fence (```): no code goes on the projector")
    if "workshop page" not in plan or "make workshop" not in plan:
        problems.append("the plan does not use the workshop page (`make workshop`)")
    if "For leaders" not in plan:
        problems.append("the plan does not use the chapters' *For leaders* boxes")
    rows = [line for line in plan.splitlines() if re.match(r"\|\s*\d+\s*[–-]\s*\d+\s*\|", line)]
    if not rows:
        problems.append("the plan has no timed table (rows starting '| 0–5 |')")
    for row in rows:
        minutes = row.split("|")[1].strip()
        if not re.search(r"[Ww]orkshop page|deck", row):
            problems.append(f"block {minutes} shows neither the workshop page nor a deck")
        if not re.search(r"box|discussion question", row):
            problems.append(f"block {minutes} uses no leaders' box and no discussion question")
        if re.search(r"[Nn]otebook \d\d|projected", row):
            problems.append(f"block {minutes} projects a notebook")
    return problems


def test_the_executive_plan_uses_the_workshop_page_and_the_leaders_boxes_and_no_code():
    assert plan_problems(GUIDE.read_text()) == []


def test_the_executive_plan_check_can_fail():
    good = ("# Guide\n\n" + PLAN_HEADING + "\n\nThe workshop page (`make workshop`) and the *For leaders* boxes.\n\n"
            "| minutes | activity |\n| --- | --- |\n"
            "| 0–10 | Workshop page, *Make it talk*. | Chapter 04's box. |\n\n## Next section\n\n```\ncode\n```\n")
    assert plan_problems(good) == []  # a fence in another section is not the plan's
    fenced = good.replace("| Chapter 04's box. |\n", "| Chapter 04's box. |\n\n```python\nprint(1)\n```\n")
    assert any("code fence" in p for p in plan_problems(fenced))
    projected = good.replace("Workshop page, *Make it talk*.", "Notebook 01, projected, quick mode.")
    assert {"block 0–10 shows neither the workshop page nor a deck",
            "block 0–10 projects a notebook"} <= set(plan_problems(projected))
    assert any("leaders" in p for p in plan_problems(good.replace("*For leaders* boxes", "notebooks")))
    assert any("no leaders' box" in p for p in plan_problems(good.replace("Chapter 04's box.", "Run the cells.")))
    assert plan_problems("# Guide\n") == [f"no '{PLAN_HEADING}' section"]
