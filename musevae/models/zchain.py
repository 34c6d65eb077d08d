"""SRNN's z-chain as one autograd Function with a hand-written backward pass.

The chain z_t ~ q(z_t | z_{t-1}, a_t) is the only sequential part of SRNN. Under plain
autograd every step records a dozen tiny ops and computes its own weight gradients with
16-row matmuls, so the chain's backward pass cost four times its forward pass. Here the
forward loop runs without autograd, and the backward loop carries only the adjoint of the
recurrence (three small matmuls and a few pointwise ops per step); weight gradients are
then one large matmul each over all steps. Per-step work touches (B, .) slices that stay in
cache; nothing streams a whole (T, B, 2H) tensor through pointwise ops.

Per step, with [prior | posterior] side by side (both MLPs have one hidden layer):
    h_t   = act(pre_seq_t + W_z z_{t-1})                  (B, 2H), z_0 = 0
    prior = W_p h_t[:H] + b_p = [mu_p | raw var_p]          (B, 2Z)
    post  = W_q h_t[H:] + b_q = [mu_q | raw var_q]          (B, 2Z), mu_q += mu_p (Resq)
    z_t   = mu_q + sqrt(variance(raw var_q) + floor) * eps_t     (variance: softplus or exp)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from musevae.models.full_precision import full_precision
from musevae.models.layers import (
    ACTIVATION_CLIP,
    LEAKY_SLOPE,
    activation_backward,
    std_from_raw,
    variance_slope,
)


class ChainWeights(NamedTuple):
    """The weights the chain uses inside its loop."""

    w_z: Tensor  # (2H, Z) z_{t-1} -> first layers of [prior MLP | posterior MLP]
    prior_w: Tensor  # (2Z, H) prior head, rows [mean | raw variance]
    prior_b: Tensor  # (2Z,)
    post_w: Tensor  # (2Z, H) posterior head, rows [mean or residual | raw variance]
    post_b: Tensor  # (2Z,)


class ChainOutput(NamedTuple):
    """All steps, time-major: raw head outputs (mean | raw variance) and the samples."""

    prior: Tensor  # (T, B, 2Z)
    posterior: Tensor  # (T, B, 2Z), mean already includes the prior mean under Resq
    z: Tensor  # (T, B, Z)


@full_precision
def run_chain(
    pre_seq: Tensor,
    eps: Tensor,
    weights: ChainWeights,
    resq: bool,
    var_floor: float,
    link: str = "softplus",
) -> ChainOutput:
    """Sample the whole chain; differentiable in ``pre_seq`` and every weight.

    ``pre_seq (T, B, 2H)``: the sequence parts of both first layers (d_t for the prior,
    a_t for the posterior, biases included); ``eps (T, B, Z)``: standard normal noise.
    """
    return ChainOutput(*_ZChain.apply(pre_seq, eps, *weights, resq, var_floor, link))


class _ZChain(torch.autograd.Function):
    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any, pre_seq: Tensor, eps: Tensor, w_z: Tensor, prior_w: Tensor,
        prior_b: Tensor, post_w: Tensor, post_b: Tensor, resq: bool, var_floor: float, link: str,
    ) -> tuple[Tensor, Tensor, Tensor]:
        steps, z_dim, width = pre_seq.shape[0], eps.shape[2], pre_seq.shape[2] // 2
        h_all, z_all = torch.empty_like(pre_seq), torch.empty_like(eps)
        prior_all = pre_seq.new_empty(eps.shape[:2] + (2 * z_dim,))  # (T, B, 2Z)
        post_all = torch.empty_like(prior_all)
        w_z_t, prior_w_t, post_w_t = w_z.t(), prior_w.t(), post_w.t()
        z = eps.new_zeros(eps.shape[1:])  # z_0
        for t in range(steps):
            pre = F.leaky_relu(torch.addmm(pre_seq[t], z, w_z_t), LEAKY_SLOPE, inplace=True)
            h = torch.clamp(pre, -ACTIVATION_CLIP, ACTIVATION_CLIP, out=h_all[t])  # (B, 2H)
            prior = torch.addmm(prior_b, h[:, :width], prior_w_t, out=prior_all[t])
            post = torch.addmm(post_b, h[:, width:], post_w_t, out=post_all[t])
            if resq:
                post[:, :z_dim] += prior[:, :z_dim]
            std = std_from_raw(post[:, z_dim:], var_floor, link)
            z = torch.addcmul(post[:, :z_dim], std, eps[t], out=z_all[t])
        ctx.save_for_backward(h_all, post_all, z_all, eps, w_z, prior_w, post_w)
        ctx.resq, ctx.var_floor, ctx.link = resq, var_floor, link
        return prior_all, post_all, z_all

    @staticmethod
    def backward(  # type: ignore[override]
        ctx: Any, grad_prior: Tensor, grad_post: Tensor, grad_z: Tensor
    ) -> tuple[Tensor | None, ...]:
        h_all, post_all, z_all, eps, w_z, prior_w, post_w = ctx.saved_tensors
        z_dim = eps.shape[2]
        raw_var = post_all[..., z_dim:]
        std = std_from_raw(raw_var, ctx.var_floor, ctx.link)
        dz_draw = eps * variance_slope(raw_var, ctx.link) / (2.0 * std)
        # Gradients of the heads' outputs, (T, B, 4Z) = [prior (2Z) | posterior (2Z)]:
        # the outside's now, the recurrence's added step by step below.
        grad_out = torch.cat([grad_prior, grad_post], dim=2)
        mean_p, mean_q, var_q = (grad_out[..., i * z_dim : (i + 1) * z_dim] for i in (0, 2, 3))
        adjoint = torch.empty_like(h_all)  # dL/d pre-activation, all paths
        for t in range(h_all.shape[0] - 1, -1, -1):
            last = t == h_all.shape[0] - 1
            g = grad_z[t] if last else torch.addmm(grad_z[t], adjoint[t + 1], w_z)  # (B, Z)
            mean_q[t] += g  # dz/dmu_q = 1
            var_q[t].addcmul_(g, dz_draw[t])
            if ctx.resq:
                mean_p[t] += mean_q[t]  # mu_q = mu_p + residual
            g_h = torch.cat([grad_out[t, :, : 2 * z_dim].mm(prior_w),
                             grad_out[t, :, 2 * z_dim :].mm(post_w)], dim=1)  # (B, 2H)
            activation_backward(g_h, h_all[t], out=adjoint[t])
        return (adjoint, None, *_weight_grads(adjoint, grad_out, z_all, h_all), None, None, None)


def _weight_grads(
    adjoint: Tensor, grad_out: Tensor, z_all: Tensor, h_all: Tensor
) -> tuple[Tensor, ...]:
    """Gradients of (w_z, prior_w, prior_b, post_w, post_b): one matmul each, all steps."""
    width, z_dim = h_all.shape[2] // 2, z_all.shape[2]
    rows = grad_out.flatten(0, 1)  # (T B, 4Z)
    h = h_all.flatten(0, 1)  # (T B, 2H)
    grad_w_z = adjoint[1:].flatten(0, 1).t().mm(z_all[:-1].flatten(0, 1))  # (2H, Z)
    grad_prior_w = rows[:, : 2 * z_dim].t().mm(h[:, :width])
    grad_post_w = rows[:, 2 * z_dim :].t().mm(h[:, width:])
    grad_b = rows.sum(0)
    return grad_w_z, grad_prior_w, grad_b[: 2 * z_dim], grad_post_w, grad_b[2 * z_dim :]
