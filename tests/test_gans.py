"""Chapter 07's GAN pieces: losses, the projection critic, spectral norm, mode counting, a short 2-D run."""

import numpy as np
import pytest
import torch

from course_utils import gans


def test_hinge_losses_equal_their_formulas():
    real = torch.tensor([2.0, 0.5, -1.0])
    fake = torch.tensor([-2.0, 0.0, 1.5])
    # D: mean max(0, 1 − D(x)) + mean max(0, 1 + D(G(z)))
    expected_d = np.mean([0.0, 0.5, 2.0]) + np.mean([0.0, 1.0, 2.5])
    assert float(gans.d_hinge_loss(real, fake)) == pytest.approx(expected_d)
    assert float(gans.g_hinge_loss(fake)) == pytest.approx(-np.mean([-2.0, 0.0, 1.5]))
    # non-saturating: −log σ(D(G(z)))
    assert float(gans.g_nonsat_loss(fake)) == pytest.approx(np.mean(-np.log(1 / (1 + np.exp(-fake.numpy())))), rel=1e-5)
    expected_ns_d = np.mean(np.log1p(np.exp(-real.numpy()))) + np.mean(np.log1p(np.exp(fake.numpy())))
    assert float(gans.d_nonsat_loss(real, fake)) == pytest.approx(expected_ns_d, rel=1e-5)


def test_projection_score_is_psi_plus_inner_product():
    torch.manual_seed(0)
    critic = gans.ProjectionCritic(n_classes=5, width=16).eval()
    x, y = torch.randn(4, 3, 32, 32), torch.tensor([0, 3, 3, 4])
    with torch.no_grad():
        phi = critic.features(x)
        w0, b = critic.psi.weight[0], critic.psi.bias[0]
        W = critic.embed.weight
        by_hand = torch.stack([phi[n] @ w0 + b + phi[n] @ W[y[n]] for n in range(4)])
        assert torch.allclose(critic(x, y), by_hand, atol=1e-5)
        # the same as φᵀ(w₀ + W_y) + b, the talking-head paper's D(x, y, i)
        assert torch.allclose(critic(x, y), (phi * (w0 + W[y])).sum(1) + b, atol=1e-5)
        # the condition matters: another person, another score
        assert not torch.allclose(critic(x, y), critic(x, (y + 1) % 5))


def test_spectral_norm_keeps_largest_singular_value_near_one():
    torch.manual_seed(0)
    plain, normed = gans.PointCritic(spectral=False), gans.PointCritic(spectral=True)
    opt = torch.optim.Adam(normed.parameters(), lr=1e-3)
    for _ in range(20):  # each training-mode forward runs one power iteration
        loss = -normed(torch.randn(64, 2) * 3).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    normed.eval()
    sigmas = gans.largest_singular_values(normed)
    assert len(sigmas) == 4
    assert all(abs(s - 1) < 0.1 for s in sigmas), sigmas
    assert max(gans.largest_singular_values(plain)) > 1.5  # without it, nothing holds them at 1


def test_mode_stats_counts_modes_and_quality():
    gen = torch.Generator().manual_seed(0)
    everywhere = gans.ring_of_gaussians(2000, generator=gen).numpy()
    assert gans.mode_stats(everywhere) == (8, pytest.approx(0.989, abs=0.01))  # 1 − e^(−9/2) of a 2-D Gaussian lies within 3σ
    one = gans.ring_centers()[3] + 0.05 * np.random.default_rng(0).standard_normal((2000, 2))
    modes, quality = gans.mode_stats(one)
    assert modes == 1 and quality > 0.95
    assert gans.mode_stats(np.zeros((100, 2))) == (0, 0.0)  # the centre of the ring is no mode


def test_short_hinge_run_improves():
    torch.set_num_threads(1)
    run = gans.train_points("hinge", steps=800, snapshot_every=200, seed=0)
    target = gans.ring_centers()

    def mean_distance(pts):  # from each sample to its nearest mode centre
        return np.linalg.norm(pts[:, None] - target[None], axis=-1).min(1).mean()

    assert mean_distance(run.samples[-1]) < 0.5 * mean_distance(run.samples[0])
    assert run.modes[-1] > run.modes[0]
    assert len(run.d_loss) == 800 and np.isfinite(run.d_loss).all()


def test_face_generator_shapes_and_condition():
    torch.manual_seed(0)
    gen = gans.FaceGenerator(n_classes=3, z_dim=16, width=16)
    z = torch.randn(2, 16)
    out0, out1 = gen(z, torch.tensor([0, 0])), gen(z, torch.tensor([1, 1]))
    assert out0.shape == (2, 3, 32, 32) and out0.abs().max() <= 1
    assert not torch.allclose(out0, out1)
    assert gans.diversity(out0[:1].repeat(3, 1, 1, 1)) == pytest.approx(0.0, abs=1e-5)


def test_spectral_critic_slope_is_bounded_by_its_lipschitz_constant():
    torch.manual_seed(0)
    critic = gans.PointCritic(spectral=True, lipschitz=10.0)
    for layer in critic.net:  # sharpen the raw weights: the bound must hold anyway
        if hasattr(layer, "parametrizations"):
            layer.parametrizations.weight.original.data.mul_(50)
    with torch.no_grad():
        for _ in range(20):  # let power iteration settle
            critic(torch.randn(64, 2))
        critic.eval()
        a, b = torch.randn(2000, 2), torch.randn(2000, 2)
        ratio = (critic(a) - critic(b)).abs() / (a - b).norm(dim=1)
    assert float(ratio.max()) <= 10.0 * 1.01
    assert gans.PointCritic(spectral=False).scale == 1.0
