"""Chapter 10's governance exercise: six answers about one use of synthetic media become a one-page policy
summary, with the answers worth a second look flagged. No code for the participants to read: the notebook
shows `policy_widget()`, six dropdowns and the summary they produce."""

from __future__ import annotations

from .errors import CourseError

POLICY_CHOICES = {
    "use": ["synthetic presenter for training videos", "multilingual dubbing of executives",
            "synthetic faces in marketing", "voice clone of a service agent", "deepfake-awareness training"],
    "decider": ["the team that wants it", "legal and compliance", "an AI ethics board", "the executive board"],
    "consent": ["written consent of every person shown or voiced", "consent of employees only", "no consent needed"],
    "disclosure": ["visible label + invisible watermark + C2PA credentials", "visible label only",
                   "watermark only", "no disclosure"],
    "incident": ["call-back on a known number before any payment or data release",
                 "report to security within 24 h", "no procedure yet"],
    "review": ["every 6 months", "every year", "when something goes wrong"],
}

# (question, answers that raise it, the sentence shown)
FLAGS = [
    ("consent", {"no consent needed"},
     "Using a real person's face or voice without consent is unlawful in many countries."),
    ("disclosure", {"no disclosure", "watermark only"},
     "People cannot see a watermark: without a visible label, viewers are not told."),
    ("decider", {"the team that wants it"},
     "The team that benefits also decides: who checks the risks to others?"),
    ("incident", {"no procedure yet"},
     "Detectors miss new fakes (section 6): a procedure is the defence that does not age."),
    ("review", {"when something goes wrong"},
     "Reviewing only after something goes wrong means the first harm is how you find out."),
]


def policy_flags(**answers: str) -> list[str]:
    """The sentences for the answers worth a second look (empty when none is)."""
    return [text for key, bad, text in FLAGS if answers.get(key) in bad]


def policy_summary(use: str, decider: str, consent: str, disclosure: str, incident: str, review: str) -> str:
    """A one-page policy summary (markdown) from the six answers; flags the answers worth a second look."""
    answers = dict(use=use, decider=decider, consent=consent, disclosure=disclosure, incident=incident, review=review)
    for key, value in answers.items():
        if not isinstance(value, str) or not value.strip():
            raise CourseError(f"The policy needs an answer for {key!r}; choose one of: "
                              f"{'; '.join(POLICY_CHOICES[key])}.")
    flags = policy_flags(**answers)
    lines = [f"### Policy: {use}", "",
             "| question | answer |", "| --- | --- |",
             f"| who approves | {decider} |", f"| consent | {consent} |", f"| disclosure | {disclosure} |",
             f"| if a fake is suspected | {incident} |", f"| reviewed | {review} |", ""]
    lines += ["**Worth a second look:**"] + [f"- {f}" for f in flags] if flags else ["No red flags in these answers."]
    return "\n".join(lines)


def policy_widget():
    """Six dropdowns and, below them, the summary they produce (re-drawn on every change)."""
    from IPython.display import Markdown, display
    from ipywidgets import Dropdown, VBox, interactive_output

    dropdowns = {k: Dropdown(options=v, description=k, style={"description_width": "80px"},
                             layout={"width": "560px"})
                 for k, v in POLICY_CHOICES.items()}
    out = interactive_output(lambda **answers: display(Markdown(policy_summary(**answers))), dropdowns)
    return VBox([*dropdowns.values(), out])
