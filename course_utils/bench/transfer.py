"""Suite `transfer`: chapter 06's numbers — the identity network, the transfer curves, multi-task learning.

Figures:
    id_verification_accuracy, id_auc   the identity network (checkpoints/identity.pt) on pairs of held-out
                                       FaceWorld test people, at the threshold chosen on validation people
                                       (identity_net.evaluate); bar: accuracy ≥ 0.9
    acc_<learner>_k<K>, …_sd           recognising 20 new people (test split) from K photos of each, named on
                                       16 other photos each: mean accuracy over seeds and its standard
                                       deviation, for learner in scratch / frozen / finetuned (chance 0.05)
    finetune_minus_scratch_k4          mean accuracy of fine-tuned minus from-scratch at K = 4; bar ≥ 0.05
    real_frozen_k<K>, real_scratch_k<K>, faceworld_frozen_k<K>, faceworld_scratch_k<K>
                                       faces vs not-faces from K examples per class, on real photos
                                       (lfw_subset) and on FaceWorld faces made to look like them
    strangers_<faceworld|faceworld_low|real_low>
                                       mean identity similarity of pairs of different people: FaceWorld at
                                       full quality, at lfw quality (grey, 25 px), real lfw faces (no bars:
                                       the domain gap, reported)
    mtl_error_n<n>, independent_error_n<n>, pooled_error_n<n>
                                       related regression tasks, one per person, on the network's real
                                       features with known truth (w_t = w₀ + v_t, transfer.related_tasks):
                                       squared error / target variance on other crops, mean over seeds
    mtl_advantage_n2                   the better baseline's error minus multi-task's at n = 2 photos per
                                       person; bar ≥ 0 (multi-task beats both)
    smile_<method>_error_n<n>          personal smile detectors (real labels), one per person: error rate
                                       (no bar: here people smile alike and pooled is nearly as good)
Without the identity checkpoint nothing here can be measured: every barred figure is SKIPPED and the
suite fails, with the reason in the notes.
"""

from __future__ import annotations

import time


from .result import SuiteResult, check_bars

BARS = {"id_verification_accuracy": (">=", 0.9), "finetune_minus_scratch_k4": (">=", 0.05),
        "mtl_advantage_n2": (">=", 0.0)}

# mode -> (people, frames per person, seeds for the curves, ks, seeds for multi-task)
SIZES = {"quick": (20, 80, 3, (1, 4, 16, 64), 10),
         "standard": (20, 80, 5, (1, 2, 4, 8, 16, 32, 64), 20)}


def run(mode: str) -> SuiteResult:
    import torch

    from .. import identity_net, transfer
    from ..errors import CourseError

    notes: list[str] = []
    figures: dict[str, float] = {}
    try:
        model = identity_net.load_identity_net()
    except CourseError as err:
        notes.append(f"identity network skipped: {err}")
        return check_bars(figures, BARS, notes)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        start = time.perf_counter()
        ver = identity_net.evaluate(model)
        figures["id_verification_accuracy"], figures["id_auc"] = ver["accuracy"], ver["auc"]
        figures["id_same_mean"], figures["id_different_mean"] = ver["same_mean"], ver["different_mean"]
        notes.append(f"verification: {ver['pairs']} pairs of {ver['test_identities']} test people, threshold "
                     f"{ver['threshold']:.3f} from validation people ({time.perf_counter() - start:.0f} s)")

        people, frames, seeds, ks, mtl_seeds = SIZES.get(mode, SIZES["standard"])
        data = transfer.smile_crops(people, frames, verbose=False)
        start = time.perf_counter()
        curves = transfer.run_transfer_curves(model, data, ks=ks, seeds=seeds)
        for name in transfer.LEARNERS:
            for k, m, sd in zip(ks, curves[name].mean(0), curves[name].std(0)):
                figures[f"acc_{name}_k{k}"], figures[f"acc_{name}_k{k}_sd"] = m, sd
        j = list(ks).index(4)
        figures["finetune_minus_scratch_k4"] = float((curves["finetuned"][:, j] - curves["scratch"][:, j]).mean())
        notes.append(f"transfer curves: {curves['n_way']} new people, K photos each to learn from, {curves['n_test']} "
                     f"others each to name; {seeds} seeds ({time.perf_counter() - start:.0f} s)")

        start = time.perf_counter()
        gap = transfer.run_domain_gap(model, ks=(1, 4, 16), seeds=seeds, faceworld=data)
        for key in ("real_frozen", "real_scratch", "faceworld_frozen"):
            for k, m in zip(gap["k"], gap[key].mean(0)):
                figures[f"{key}_k{k}"] = m
        notes.append(f"domain gap: lfw_subset faces vs not-faces, 50 + 50 held out ({time.perf_counter() - start:.0f} s)")

        for key, value in gap["strangers"].items():
            figures[f"strangers_{key}"] = value

        start = time.perf_counter()
        x64 = transfer.multitask_features(transfer.frozen_features(model, data["crops"]), 64)
        rel = transfer.run_related_tasks(x64[:, :8], data["person"], ns=(2, 4, 8, 16),
                                         seeds=mtl_seeds)
        for n, a, b, c in zip(rel["n"], rel["multitask"].mean(0), rel["independent"].mean(0), rel["pooled"].mean(0)):
            figures[f"mtl_error_n{n}"], figures[f"independent_error_n{n}"], figures[f"pooled_error_n{n}"] = a, b, c
        figures["mtl_advantage_n2"] = min(figures["independent_error_n2"], figures["pooled_error_n2"]) - figures["mtl_error_n2"]
        smile = transfer.run_multitask(x64, data["person"], data["label"],
                                       ns=(2, 4, 8, 16), seeds=mtl_seeds, n_test=16)
        for m in ("multitask", "independent", "pooled"):
            for n, e in zip(smile["n"], smile[m].mean(0)):
                figures[f"smile_{m}_error_n{n}"] = e
        notes.append(f"multi-task: {rel['tasks']} people = tasks, {mtl_seeds} seeds, noise floor "
                     f"{rel['noise_floor']:.3f} of the variance ({time.perf_counter() - start:.0f} s)")
    finally:
        torch.set_num_threads(threads)
    return check_bars(figures, BARS, notes)
