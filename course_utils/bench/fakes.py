"""Suite `fakes`: chapter 10's numbers — fake detectors per generator, the generalisation gap, the watermark.

Figures:
    acc_spectrum_<g>, auc_spectrum_<g>     the spectrum + logistic-regression detector on held-out FaceWorld
                                           people, per generator g (gan07, warp_tps, flow_warp, and
                                           talking_heads when its checkpoint ships): balanced accuracy vs
                                           the real test frames, and AUC. Bars: accuracy ≥ 0.9 for the GANs
                                           (their whole picture is upsampled), ≥ 0.75 for the warps (most
                                           of their pixels are real pixels, moved)
    acc_cnn_<g>, auc_cnn_<g>               the same for the small CNN (trained here for a fixed time)
    real_passed_spectrum, real_passed_cnn  share of real test frames not accused; bar ≥ 0.8
    resized_real_passed_spectrum, resized_real_passed_cnn
                                           the control for gan07's resize: the same detectors on the real test
                                           frames shrunk to 32 px and enlarged 2× exactly as gan07's fakes are
                                           (fakes.shrink_and_enlarge): the share still passed as real
    acc_spectrum_gan07_vs_resized, auc_spectrum_gan07_vs_resized, acc_cnn_gan07_vs_resized, auc_cnn_gan07_vs_resized
                                           each detector trained and tested on gan07's fakes against resized real
                                           frames (fakes.resize_control_set): what is left to catch when both
                                           sides went through the same resize. No bars: the control is measured
    acc_seen_without_<g>, acc_unseen_<g>, auc_unseen_<g>, generalisation_gap_<g>
                                           spectrum detector trained on every generator but g: mean accuracy
                                           on the generators it saw, accuracy and AUC on g, and the gap
                                           (seen − unseen). No bars: the gap is what is measured
    cross_detected_<a>_on_<b>              spectrum detector trained on generator a only: share of b's test
                                           fakes caught (the harsh gap: trained on a GAN, warps pass)
    cnn_acc_seen_gans, cnn_acc_unseen_warps, cnn_auc_unseen_warps, cnn_detected_unseen_warps,
    cnn_generalisation_gap_gans_to_warps   the CNN trained on the GANs' fakes only (gan07, talking_heads),
                                           tested on them and on the warps it never saw
    acc_spectrum_sharpened_<g>             detection after a sharpen filter on the fakes (the forger's move)
    acc_spectrum_photos                    real photo patches vs the same patches restored by chapter 02's
                                           de-blurrer, tested on a photo never seen (the astronaut)
    watermark_psnr                         mean PSNR (dB) of marked 256 px pictures; bar ≥ 38
    watermark_false_positive               share of unmarked pictures × keys flagged (designed 1e-4); bar ≤ 0.002
    watermark_detect_<attack>, watermark_bit_acc_<attack>
                                           share of marked pictures found / message bits right after
                                           JPEG at quality q (jpeg<q>) or resizing by f and back (resize<f>).
                                           Bars: found ≥ 0.95 after jpeg75, jpeg50, resize0.5, resize1.5;
                                           bits ≥ 0.95 after jpeg50 and ≥ 0.9 after jpeg30
    seconds_image_set, seconds_cnn         wall time of building the fakes and of one CNN training (the suite trains
                                           the CNN three times, four with the control)
"""

from __future__ import annotations

import time

import numpy as np

from .result import SuiteResult, check_bars

BARS = {"real_passed_spectrum": (">=", 0.8), "real_passed_cnn": (">=", 0.8),
        "acc_spectrum_gan07": (">=", 0.9), "acc_cnn_gan07": (">=", 0.9),
        "acc_spectrum_warp_tps": (">=", 0.75), "acc_spectrum_flow_warp": (">=", 0.75),
        "acc_cnn_warp_tps": (">=", 0.75), "acc_cnn_flow_warp": (">=", 0.75),
        "watermark_psnr": (">=", 38.0), "watermark_false_positive": ("<=", 0.002),
        "watermark_detect_jpeg75": (">=", 0.95), "watermark_detect_jpeg50": (">=", 0.95),
        "watermark_detect_resize0.5": (">=", 0.95), "watermark_detect_resize1.5": (">=", 0.95),
        "watermark_bit_acc_jpeg50": (">=", 0.95), "watermark_bit_acc_jpeg30": (">=", 0.9)}
TALKING_HEADS_BARS = {"acc_spectrum_talking_heads": (">=", 0.9), "acc_cnn_talking_heads": (">=", 0.9)}

# mode -> (train people, test people, frames, CNN seconds, watermark faces, keys for false positives, photo patches)
SIZES = {"quick": (16, 8, 8, 15, 4, 100, 48), "standard": (40, 20, 10, 60, 10, 300, 128)}


def run(mode: str) -> SuiteResult:
    import cv2
    import torch

    from .. import fakes, watermark
    from ..errors import CourseError
    from ..tensors import n_params

    notes: list[str] = []
    figures: dict[str, float] = {}
    bars = dict(BARS)
    n_train, n_test, frames, cnn_seconds, n_faces, n_keys, n_photos = SIZES.get(mode, SIZES["standard"])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        start = time.perf_counter()
        data = fakes.build_image_set(n_train, n_test, frames, verbose=False)
        figures["seconds_image_set"] = time.perf_counter() - start
        notes += data.notes
        if "talking_heads" in data.generators:
            bars.update(TALKING_HEADS_BARS)
        notes.append(f"image set: {n_train} train / {n_test} test FaceWorld people × {frames} frames, "
                     f"sources {', '.join(data.generators)}")

        X = fakes.radial_spectrum(data.images)
        train = data.split == "train"
        model = fakes.fit_logistic(X[train], data.label[train])
        rep = fakes.evaluate(fakes.predict_logistic(model, X), data)
        figures["real_passed_spectrum"] = rep[fakes.REAL]["passed"]
        for g in data.generators:
            figures[f"acc_spectrum_{g}"], figures[f"auc_spectrum_{g}"] = rep[g]["accuracy"], rep[g]["auc"]

        start = time.perf_counter()
        cnn, info = fakes.train_cnn(data, seconds=cnn_seconds)
        figures["seconds_cnn"] = time.perf_counter() - start
        rep = fakes.evaluate(fakes.cnn_scores(cnn, data.images), data)
        figures["real_passed_cnn"] = rep[fakes.REAL]["passed"]
        for g in data.generators:
            figures[f"acc_cnn_{g}"], figures[f"auc_cnn_{g}"] = rep[g]["accuracy"], rep[g]["auc"]
        notes.append(f"CNN: {n_params(cnn):,} parameters, {info['steps']} steps in {info['seconds']:.0f} s")

        if "gan07" in data.generators:
            control = fakes.resize_control_set(data)
            C = fakes.radial_spectrum(control.images)
            for name, scores in (("spectrum", fakes.predict_logistic(model, C)), ("cnn", fakes.cnn_scores(cnn, control.images))):
                figures[f"resized_real_passed_{name}"] = fakes.evaluate(scores, control)[fakes.REAL]["passed"]
            rep = fakes.evaluate(fakes.spectrum_scores(control, features=C), control)["gan07"]
            figures["acc_spectrum_gan07_vs_resized"], figures["auc_spectrum_gan07_vs_resized"] = rep["accuracy"], rep["auc"]
            control_cnn, _ = fakes.train_cnn(control, seconds=cnn_seconds)
            rep = fakes.evaluate(fakes.cnn_scores(control_cnn, control.images), control)["gan07"]
            figures["acc_cnn_gan07_vs_resized"], figures["auc_cnn_gan07_vs_resized"] = rep["accuracy"], rep["auc"]
            notes.append("resize control: real frames shrunk to 32 px and enlarged 2× like gan07's fakes; "
                         f"{int((control.split == 'test').sum()) // 2} of each kind in the test split")

        for g in data.generators:
            gap = fakes.generalisation_gap(data, g, "spectrum", features=X)
            figures[f"acc_seen_without_{g}"], figures[f"acc_unseen_{g}"] = gap["seen_accuracy"], gap["unseen_accuracy"]
            figures[f"auc_unseen_{g}"] = gap["unseen_auc"]
            figures[f"generalisation_gap_{g}"] = gap["seen_accuracy"] - gap["unseen_accuracy"]
        for a, report in fakes.cross_generator(data, X).items():
            for b in data.generators:
                figures[f"cross_detected_{a}_on_{b}"] = report[b]["detected"]
        gan_sources = [g for g in data.generators if g in ("gan07", "talking_heads")]
        warp_sources = [g for g in data.generators if g not in gan_sources]
        gap = fakes.generalisation_gap(data, warp_sources, "cnn", trained_on=gan_sources, seconds=cnn_seconds)
        figures["cnn_acc_seen_gans"], figures["cnn_acc_unseen_warps"] = gap["seen_accuracy"], gap["unseen_accuracy"]
        figures["cnn_auc_unseen_warps"], figures["cnn_detected_unseen_warps"] = gap["unseen_auc"], gap["unseen_detected"]
        figures["cnn_generalisation_gap_gans_to_warps"] = gap["seen_accuracy"] - gap["unseen_accuracy"]

        blurred = np.stack([cv2.GaussianBlur(im, (0, 0), 1.0) for im in data.images]).astype(float)
        sharp = np.clip(data.images + 0.5 * (data.images - blurred), 0, 255).astype(np.uint8)
        attacked = np.where((data.label == 1)[:, None, None, None], sharp, data.images)
        rep = fakes.evaluate(fakes.predict_logistic(model, fakes.radial_spectrum(attacked)), data)
        for g in data.generators:
            figures[f"acc_spectrum_sharpened_{g}"] = rep[g]["accuracy"]

        try:
            photos = fakes.photo_set(n_photos, verbose=False)
            P = fakes.radial_spectrum(photos.images)
            ptrain = photos.split == "train"
            prep = fakes.evaluate(
                fakes.predict_logistic(fakes.fit_logistic(P[ptrain], photos.label[ptrain]), P), photos
            )
            figures["acc_spectrum_photos"], figures["auc_spectrum_photos"] = prep["deblur02"]["accuracy"], prep["deblur02"]["auc"]
        except CourseError as err:
            notes.append(f"photos skipped: {err}")

        start = time.perf_counter()
        pictures = watermark.test_pictures(n_faces=n_faces)
        rows = watermark.robustness(pictures, qualities=(95, 75, 50, 30), factors=(0.5, 0.75, 1.25, 1.5))
        figures["watermark_psnr"] = rows[0]["psnr"]
        for r in rows[1:]:
            name = f"{r['attack']}{r['param']:g}"
            figures[f"watermark_detect_{name}"], figures[f"watermark_bit_acc_{name}"] = r["detected"], r["bit_accuracy"]
        fp, checks = watermark.false_positive_rate(pictures, keys=range(1000, 1000 + n_keys))
        figures["watermark_false_positive"] = fp
        notes.append(f"watermark: {len(pictures)} pictures of 256 px, strength 2, {checks} unmarked checks "
                     f"({time.perf_counter() - start:.0f} s)")
    finally:
        torch.set_num_threads(threads)
    return check_bars(figures, bars, notes)
