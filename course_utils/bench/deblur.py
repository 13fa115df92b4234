"""Suite `deblur`: chapter 02's restorers on the same held-out blurred pictures (deblur.compare).

Figures, for blurred (no repair), wiener and richardson_lucy (both given the true kernel) and learned
(blind: it never sees the kernel):
    psnr_<method>, ssim_<method>     means over FaceWorld test faces (128 px) and the astronaut (256 px)
    psnr_astronaut_<method>          the one real photo on its own (reported: the learned model trained on
                                     FaceWorld and other photos, never on it)
    learned_minus_wiener_psnr        the bar of the issue: the learned de-blurrer beats Wiener on PSNR (> 0 dB)
"""

from __future__ import annotations

from .result import SuiteResult, check_bars

BARS = {"learned_minus_wiener_psnr": (">=", 0.001)}


def run(mode: str) -> SuiteResult:
    from ..deblur import METHODS, compare, load_deblurrer
    from ..errors import CourseError

    n = {"quick": 24, "standard": 96}.get(mode, 200)
    try:
        model = load_deblurrer()
    except CourseError as err:
        return check_bars({}, BARS, [f"learned de-blurrer skipped: {err}"])
    result = compare(n, model=model)
    figures: dict[str, float] = {}
    for m in METHODS:
        figures[f"psnr_{m}"] = result["mean"][m]["psnr"]
        figures[f"ssim_{m}"] = result["mean"][m]["ssim"]
    i = result["names"].index("astronaut")
    for m in METHODS:
        figures[f"psnr_astronaut_{m}"] = float(result["psnr"][m][i])
    figures["learned_minus_wiener_psnr"] = figures["psnr_learned"] - figures["psnr_wiener"]
    notes = [f"{result['n']} held-out pictures ({n} FaceWorld test faces + the astronaut), each blurred by a random "
             "Gaussian or motion kernel plus noise; Wiener and Richardson–Lucy get the true kernel, the learned model does not"]
    return check_bars(figures, BARS, notes)
