"""Suite `quiz`: is the workshop's "spot the fake" quiz won without looking? Rounds of seeded quizzes (the page's
own code: workshop.Quiz, workshop.round_pictures), each scored by rules that use no eye and no detector.

Figures:
    quiz_blurrier_accuracy           'the blurrier picture is the fake': share of rounds right (chance 0.5)
    quiz_blurrier_accuracy_<kind>    the same per kind of round (warp, animator, detector, watermark)
    quiz_blurrier_gap                |quiz_blurrier_accuracy − 0.5|; bar ≤ 0.15 (near chance)
    quiz_open_mouth_accuracy         'the picture with the wider-open mouth is the fake' (dlib's landmarks), over the
                                     rounds where dlib finds both faces: a tell people can learn (half the fakes
                                     open the mouth; the photographs' own mouths are closed or smiling), no bar
    quiz_watermark_read_accuracy     watermark rounds where the reader finds the mark on the fake and not on the real
    quiz_detector_caught_rate        detector rounds where the GAN-trained detector calls the fake 'fake'
                                     (the lesson: it rarely does — it never saw this generator)
    quiz_rounds                      how many rounds were scored
Standard: 12 quizzes of 8 rounds (96); quick: 3 (24).
"""

from __future__ import annotations

import numpy as np

from .result import SuiteResult, check_bars

BARS = {"quiz_blurrier_gap": ("<=", 0.15)}


def run(mode: str) -> SuiteResult:
    from .. import judge, watermark
    from ..faces.measures import mouth_opening
    from ..workshop import WATERMARK_KEY, Quiz, detector_says, quiz_kinds, round_pictures, sharpness

    n_quizzes = 3 if mode == "quick" else 12
    hits: dict[str, list[bool]] = {}
    marks, caught, mouth = [], [], []
    for seed in range(n_quizzes):
        for rnd in Quiz(seed=seed, n_rounds=8, kinds=quiz_kinds()).rounds:
            a, b, _ = round_pictures(rnd)
            fake, real = (a, b) if rnd.fake_side == "A" else (b, a)
            hits.setdefault(rnd.kind, []).append(sharpness(fake) < sharpness(real))
            seen = [judge.look(x) for x in (fake, real)]
            if all(x is not None for x in seen):
                mouth.append(mouth_opening(seen[0].points) > mouth_opening(seen[1].points))
            if rnd.kind == "watermark":
                marks.append(watermark.read(fake, key=WATERMARK_KEY).found and not watermark.read(real, key=WATERMARK_KEY).found)
            if rnd.kind == "detector":
                caught.append(detector_says([fake])[0] >= 0.5)
    every = [h for v in hits.values() for h in v]
    figures = {"quiz_blurrier_accuracy": float(np.mean(every))}
    figures |= {f"quiz_blurrier_accuracy_{k}": float(np.mean(v)) for k, v in hits.items()}
    figures["quiz_blurrier_gap"] = abs(figures["quiz_blurrier_accuracy"] - 0.5)
    if mouth:
        figures["quiz_open_mouth_accuracy"] = float(np.mean(mouth))
    if marks:
        figures["quiz_watermark_read_accuracy"] = float(np.mean(marks))
    if caught:
        figures["quiz_detector_caught_rate"] = float(np.mean(caught))
    figures["quiz_rounds"] = float(len(every))
    notes = [f"{n_quizzes} seeded quizzes of 8 rounds (seeds 0-{n_quizzes - 1}), kinds {', '.join(quiz_kinds())}; "
             "photographs: " + ", ".join(sorted({r.photo for s in range(n_quizzes) for r in Quiz(seed=s).rounds}))]
    return check_bars(figures, BARS, notes)
