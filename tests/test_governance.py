"""Chapter 10's policy summary: every answer is shown, the risky ones are flagged, a missing one is one sentence."""

import pytest
from ipywidgets import Output

from course_utils import governance
from course_utils.errors import CourseError

CAREFUL = dict(use="multilingual dubbing of executives", decider="an AI ethics board",
               consent="written consent of every person shown or voiced",
               disclosure="visible label + invisible watermark + C2PA credentials",
               incident="call-back on a known number before any payment or data release", review="every year")


def test_careful_answers_raise_no_flag_and_are_all_shown():
    text = governance.policy_summary(**CAREFUL)
    assert "No red flags" in text and "Worth a second look" not in text
    for answer in CAREFUL.values():
        assert answer in text


@pytest.mark.parametrize("key, answer, words", [
    ("consent", "no consent needed", "unlawful"),
    ("disclosure", "watermark only", "visible label"),
    ("disclosure", "no disclosure", "visible label"),
    ("decider", "the team that wants it", "benefits also decides"),
    ("incident", "no procedure yet", "procedure"),
    ("review", "when something goes wrong", "first harm"),
])
def test_each_risky_answer_is_flagged_once(key, answer, words):
    assert answer in governance.POLICY_CHOICES[key]
    flags = governance.policy_flags(**{**CAREFUL, key: answer})
    assert len(flags) == 1 and words in flags[0]
    assert "Worth a second look" in governance.policy_summary(**{**CAREFUL, key: answer})


def test_every_flagged_answer_is_one_the_dropdowns_offer():
    for key, bad, _ in governance.FLAGS:
        assert bad <= set(governance.POLICY_CHOICES[key]), key


def test_a_missing_answer_is_one_sentence():
    with pytest.raises(CourseError, match="needs an answer for 'consent'"):
        governance.policy_summary(**{**CAREFUL, "consent": ""})


def test_widget_has_a_dropdown_per_question_and_a_place_for_the_summary():
    box = governance.policy_widget()
    dropdowns, out = box.children[:-1], box.children[-1]
    assert [d.description for d in dropdowns] == list(governance.POLICY_CHOICES)
    assert all(d.value == governance.POLICY_CHOICES[d.description][0] for d in dropdowns)
    assert isinstance(out, Output)   # where interactive_output draws the summary (only inside a kernel)
