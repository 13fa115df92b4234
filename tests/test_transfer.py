import numpy as np
import pytest
import torch
from scipy.optimize import minimize

from course_utils import transfer
from course_utils.identity_net import IdentityNet


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def _tiny_problem(seed=0, n=24, d=4, tasks=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    task = np.arange(n) % tasks
    y = rng.normal(size=n)
    return x, y, task, tasks


def test_multitask_closed_form_minimises_its_objective():
    x, y, task, T = _tiny_problem()
    lam_task, lam_shared = 2.0, 0.5
    w0, v = transfer.multitask_fit(x, y, task, T, lam_task, lam_shared)
    d = x.shape[1]

    def f(p):
        return transfer.multitask_objective(p[:d], p[d:].reshape(T, d), x, y, task, lam_task, lam_shared)

    direct = minimize(f, np.zeros(d * (T + 1)), method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(w0, direct[:d], atol=1e-5)
    np.testing.assert_allclose(v, direct[d:].reshape(T, d), atol=1e-5)
    assert f(np.r_[w0, v.ravel()]) <= f(direct) + 1e-9


def test_multitask_limits_are_pooled_and_independent():
    x, y, task, T = _tiny_problem(1)
    # λ₁ → ∞ forces every v_t to 0: one shared model, i.e. pooled ridge with penalty λ₂
    w0, v = transfer.multitask_fit(x, y, task, T, lam_task=1e9, lam_shared=0.7)
    np.testing.assert_allclose(w0, transfer.pooled_fit(x, y, 0.7), atol=1e-6)
    assert np.abs(v).max() < 1e-6
    # λ₂ → ∞ removes the shared part: independent ridges, each with penalty λ₁ / T
    w0, v = transfer.multitask_fit(x, y, task, T, lam_task=1.5, lam_shared=1e9)
    np.testing.assert_allclose(w0 + v, transfer.independent_fit(x, y, task, T, 1.5 / T), atol=1e-6)


def test_multitask_kernel_is_the_shared_plus_own_feature_map():
    x, _, task, T = _tiny_problem(2, n=6)
    lam_task, lam_shared = 3.0, 0.4
    # explicit features: [x / √λ₂, x in task t's block / √(λ₁/T)]
    phi = np.zeros((len(x), x.shape[1] * (T + 1)))
    phi[:, :x.shape[1]] = x / np.sqrt(lam_shared)
    for i, t in enumerate(task):
        phi[i, x.shape[1] * (t + 1):x.shape[1] * (t + 2)] = x[i] / np.sqrt(lam_task / T)
    np.testing.assert_allclose(transfer.multitask_kernel(x, task, x, task, T, lam_task, lam_shared), phi @ phi.T)


def test_multitask_beats_both_when_its_prior_is_true():
    # tasks drawn as the formulation assumes: w_t = w₀ + v_t, w₀ ~ N(0, 1), v_t ~ N(0, 0.3²), noise 0.5;
    # then multi-task with λ₂ = 0.5²/1, λ₁/T = 0.5²/0.3² is the Bayes estimate and must beat both baselines
    rng = np.random.default_rng(3)
    d, T, n, noise, spread = 8, 30, 4, 0.5, 0.3
    err = {"multitask": 0.0, "independent": 0.0, "pooled": 0.0}
    for _ in range(5):
        w = rng.normal(size=d) + spread * rng.normal(size=(T, d))
        x = rng.normal(size=(T * n, d))
        task = np.repeat(np.arange(T), n)
        y = np.sum(w[task] * x, 1) + noise * rng.normal(size=len(x))
        w0, v = transfer.multitask_fit(x, y, task, T, lam_task=T * noise**2 / spread**2, lam_shared=noise**2)
        err["multitask"] += np.sum((w0 + v - w) ** 2)
        err["independent"] += np.sum((transfer.independent_fit(x, y, task, T, noise**2 / spread**2) - w) ** 2)
        err["pooled"] += np.sum((transfer.pooled_fit(x, y, noise**2) - w) ** 2)
    assert err["multitask"] < 0.8 * min(err["independent"], err["pooled"]), err


def test_frozen_probe_recovers_a_linearly_separable_label():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 20))
    y = (x @ rng.normal(size=20) > 0).astype(int)
    fit = transfer.logistic_regression(x[:100], y[:100], l2=1e-3)
    assert np.mean(transfer.probe_scores(fit, x[100:]).argmax(1) == y[100:]) > 0.85
    assert np.mean(transfer.probe_scores(fit, x[:100]).argmax(1) == y[:100]) >= 0.98


def test_fine_tune_changes_the_last_block_but_never_the_pretrained_network():
    torch.manual_seed(0)
    net = IdentityNet().eval()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    crops = np.random.default_rng(0).integers(0, 256, (8, 64, 64, 3), dtype=np.uint8)
    labels = np.array([0, 1] * 4)
    feats = transfer.frozen_features(net, crops)
    assert feats["block3"].shape == (8, 128, 8, 8) and feats["block4"].shape == (8, 4096)
    assert feats["embedding"].shape == (8, 128)
    tuned = transfer.fine_tune(net, feats["block3"], labels, steps=3, lr=1e-2)
    assert any(not torch.equal(p, net.blocks[3].state_dict()[k]) for k, p in tuned.block.state_dict().items()
               if p.is_floating_point() and "running" not in k)
    for k, v in net.state_dict().items():  # the original network is untouched: fine-tuning works on a copy
        assert torch.equal(v, before[k]), k
    # frozen features are a function of the unchanged network: the same crops give the same numbers
    np.testing.assert_array_equal(transfer.frozen_features(net, crops)["block4"], feats["block4"])


def test_scratch_learner_fits_an_easy_task():
    crops = np.zeros((16, 64, 64, 3), np.uint8)
    labels = np.array([0, 1] * 8)
    crops[labels == 1, 40:56, 16:48] = 255  # a bright "mouth" for class 1
    model = transfer.train_scratch(crops, labels, steps=30, batch=16)
    assert np.all(transfer.predict_scratch(model, crops).argmax(1) == labels)


def test_few_shot_split_draws_k_per_class_from_the_pool_only():
    labels = np.array([0, 1] * 10)
    pool = np.arange(20) < 12
    idx = transfer.few_shot_split(labels, pool, 3, np.random.default_rng(0))
    assert len(idx) == 6 and pool[idx].all() and labels[idx].sum() == 3
    with pytest.raises(transfer.CourseError):
        transfer.few_shot_split(labels, pool, 7, np.random.default_rng(0))


def test_lfw_faces_are_identity_net_inputs():
    d = transfer.lfw_faces()
    assert d["crops"].shape == (200, 64, 64, 3) and d["crops"].dtype == np.uint8
    assert d["label"].sum() == 100 and d["label"][:100].all()


def test_bench_suite_skips_and_fails_without_the_identity_checkpoint(monkeypatch):
    from course_utils.bench import transfer as suite
    from course_utils.errors import CourseError

    def missing():
        raise CourseError("Checkpoint file checkpoints/identity.pt is missing; rebuild it with `python -m ...`.")

    monkeypatch.setattr("course_utils.identity_net.load_identity_net", missing)
    result = suite.run("quick")
    assert not result.ok
    rows = {r["figure"]: r["result"] for r in result.rows}
    assert rows["id_verification_accuracy"] == "SKIPPED"
    assert set(rows.values()) == {"SKIPPED"}
    assert any("identity.pt is missing" in n for n in result.notes)


def test_transfer_curves_and_related_tasks_plumbing():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    data = {"crops": rng.integers(0, 256, (3 * 6, 64, 64, 3), dtype=np.uint8), "person": np.repeat(np.arange(3), 6)}
    out = transfer.run_transfer_curves(IdentityNet().eval(), data, ks=(1, 2), seeds=2, n_test=3, finetune_steps=2)
    for name in transfer.LEARNERS:
        assert out[name].shape == (2, 2) and ((0 <= out[name]) & (out[name] <= 1)).all()
    assert out["n_way"] == 3
    feats = rng.normal(size=(60, 5))
    rel = transfer.run_related_tasks(feats, np.repeat(np.arange(6), 10), ns=(2, 4), seeds=3, n_test=4)
    assert rel["multitask"].shape == (3, 2) and rel["noise_floor"] > 0
    assert rel["multitask"].mean() < rel["independent"].mean()


def test_smile_crops_are_balanced_labelled_and_cached(isolated_cache):
    data = transfer.smile_crops(1, 4, verbose=False)
    assert data["crops"].shape == (4, 64, 64, 3) and data["crops"].dtype == np.uint8
    assert list(data["label"]) == [1, 0, 1, 0]  # every other frame smiles, clearly
    assert (data["smile"][::2] > 0.55).all() and (data["smile"][1::2] <= 0.3).all()
    assert len(list(isolated_cache.glob("transfer_faces_test_1x4_s0.npz"))) == 1
    again = transfer.smile_crops(1, 4, verbose=False)
    np.testing.assert_array_equal(again["crops"], data["crops"])
