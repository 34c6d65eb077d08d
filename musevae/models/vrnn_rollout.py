"""VRNN's sampled recurrence as one autograd Function with a hand-written backward pass.

h_t depends on z_t, which depends on h_{t-1}, so the VRNN cannot avoid a per-step loop.
Under plain autograd each step records some twenty small ops, and each step's backward
computes its own weight gradients: 16-row matmuls that run far below the machine's
peak, plus an add of every full weight gradient per step. As for SRNN's z-chain
(``zchain.py``), the forward loop here records nothing; the backward loop carries only
the adjoint of the recurrence (four small matmuls and pointwise ops per step), and each
weight gradient is then one large matmul over all steps, as cuDNN does for RNNs.

Per step, from h (the state before it) and the x-only parts computed before the loop:
    [e | g_h] = h [W_eh | W_hh]^T + [0 | b_hh]                 encoder part, hidden gates
    enc       = act(enc_x_t + e)                                (B, Hd)
    [mu | v]  = enc W_q^T + b_q;   z = mu + sqrt(softplus(v) + floor) * eps_t
    phi_z     = act(z W_z^T + b_z)                              (B, Hd)
    g_in      = gate_x_t + phi_z W_gz^T;   state = cell(g_in, g_h, state)
The cell is a GRU (state (h,)) or an LSTM (state (h, c)); its forward is the generation
steppers' own (``step_kernels.gru_pass`` / ``lstm_pass``), its backward is written here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
from torch import Tensor

from musevae.models.full_precision import full_precision
from musevae.models.layers import activation, activation_backward, std_from_raw, variance_slope
from musevae.models.step_kernels import gru_pass, lstm_pass


class RolloutWeights(NamedTuple):
    """The weights the loop uses; gradients flow back to each."""

    w_eh: Tensor  # (Hd, H) encoder's first layer, the h_{t-1} part
    w_hh: Tensor  # (G H, H) the cell's hidden-to-gates weight, G gates
    b_hh: Tensor  # (G H,)
    w_q: Tensor  # (2Z, Hd) encoder head, rows [mean | raw variance]
    b_q: Tensor  # (2Z,)
    w_z: Tensor  # (Hd, Z) phi_z's layer
    b_z: Tensor  # (Hd,)
    w_gz: Tensor  # (G H, Hd) the cell's input-to-gates weight, the phi_z part


class RolloutOutput(NamedTuple):
    """All steps, time-major: the state h before each step, the encoder head's raw output
    [mean | raw variance], the samples z_t and phi_z(z_t); and the whole state before the
    last step (carries no gradient: generation continues from it)."""

    h_prev: Tensor  # (T, B, H)
    raw_q: Tensor  # (T, B, 2Z)
    z: Tensor  # (T, B, Z)
    phi_z: Tensor  # (T, B, Hd)
    last_before: tuple[Tensor, ...]  # (h,) or (h, c), each (B, H)


@full_precision
def run_rollout(
    start: tuple[Tensor, ...], enc_x: Tensor, gate_x: Tensor, eps: Tensor,
    weights: RolloutWeights, var_floor: float,
) -> RolloutOutput:  # fmt: skip
    """Sample the recurrence from the state ``start`` ((h,) or (h, c), each (B, H));
    differentiable in ``start``, ``enc_x (T, B, Hd)``, ``gate_x (T, B, G H)`` and every
    weight. ``eps (T, B, Z)``: standard normal noise."""
    h_prev, raw_q, z, phi_z, *last = _Rollout.apply(enc_x, gate_x, eps, var_floor, *weights, *start)
    return RolloutOutput(h_prev, raw_q, z, phi_z, tuple(last))


def _gru_forward(g_in: Tensor, g_h: Tensor, state: tuple[Tensor, ...]) -> tuple[tuple[Tensor, ...], tuple[Tensor, ...]]:
    """(new state, what the backward needs): r, u, n and the hidden candidate term."""
    h, kept = gru_pass(g_in, g_h, state[0])
    return (h,), kept


def _gru_backward(
    d_new: tuple[Tensor, ...], saved: tuple[Tensor, ...], state: tuple[Tensor, ...]
) -> tuple[Tensor, Tensor, tuple[Tensor, ...]]:
    """(d g_in, d g_h, d state along the cell's direct path)."""
    (dh_new,), (h,), (r, u, n, g_hn) = d_new, state, saved
    da_n = (dh_new - dh_new * u) * (1 - n * n)  # through n = tanh(a_n)
    da_r = da_n * g_hn * r * (1 - r)
    da_u = dh_new * (h - n) * u * (1 - u)
    return torch.cat([da_r, da_u, da_n], 1), torch.cat([da_r, da_u, da_n * r], 1), (dh_new * u,)


def _lstm_forward(g_in: Tensor, g_h: Tensor, state: tuple[Tensor, ...]) -> tuple[tuple[Tensor, ...], tuple[Tensor, ...]]:
    """(new state, what the backward needs): i, f, g, o and tanh(c_new)."""
    return lstm_pass(g_in, g_h, state[1])


def _lstm_backward(
    d_new: tuple[Tensor, ...], saved: tuple[Tensor, ...], state: tuple[Tensor, ...]
) -> tuple[Tensor, Tensor, tuple[Tensor, ...]]:
    (dh_new, dc_new), (_, c), (i, f, g, o, tanh_c) = d_new, state, saved
    dc = dc_new + dh_new * o * (1 - tanh_c * tanh_c)
    d_gates = torch.cat([
        dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g * g),
        dh_new * tanh_c * o * (1 - o),
    ], 1)  # fmt: skip
    return d_gates, d_gates, (torch.zeros_like(dh_new), dc * f)


CELL_PASSES = {"gru": (_gru_forward, _gru_backward), "lstm": (_lstm_forward, _lstm_backward)}


class _Rollout(torch.autograd.Function):
    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any, enc_x: Tensor, gate_x: Tensor, eps: Tensor, var_floor: float, *args: Tensor
    ) -> tuple[Tensor, ...]:
        w = RolloutWeights(*args[:8])
        state = tuple(args[8:])
        forward_cell, _ = CELL_PASSES["gru" if len(state) == 1 else "lstm"]
        steps, hd, z_dim = enc_x.shape[0], enc_x.shape[2], eps.shape[2]
        w_h = torch.cat([w.w_eh, w.w_hh]).t()  # (H, Hd + G H)
        b_h = torch.cat([w.b_hh.new_zeros(hd), w.b_hh])
        w_q_t, w_z_t, w_gz_t = w.w_q.t(), w.w_z.t(), w.w_gz.t()
        h_prev = enc_x.new_empty(steps, *state[0].shape)
        enc_all, phi_all = torch.empty_like(enc_x), torch.empty_like(enc_x)
        raw_all = eps.new_empty(steps, eps.shape[1], 2 * z_dim)
        z_all = torch.empty_like(eps)
        states, saved = [], []
        for t in range(steps):
            h_prev[t] = state[0]
            states.append(state)
            from_h = torch.addmm(b_h, state[0], w_h)  # (B, Hd + G H)
            enc = activation(torch.add(enc_x[t], from_h[:, :hd], out=enc_all[t]), inplace=True)
            raw = torch.addmm(w.b_q, enc, w_q_t, out=raw_all[t])
            std = std_from_raw(raw[:, z_dim:], var_floor)
            z = torch.addcmul(raw[:, :z_dim], std, eps[t], out=z_all[t])
            phi = activation(torch.addmm(w.b_z, z, w_z_t, out=phi_all[t]), inplace=True)
            state, kept = forward_cell(torch.addmm(gate_x[t], phi, w_gz_t), from_h[:, hd:], state)
            saved.append(kept)
        ctx.save_for_backward(eps, h_prev, enc_all, raw_all, z_all, phi_all, *w)
        ctx.states, ctx.saved, ctx.var_floor = states, saved, var_floor
        last = tuple(s.clone() for s in states[-1])
        ctx.mark_non_differentiable(*last)
        return h_prev, raw_all, z_all, phi_all, *last

    @staticmethod
    def backward(  # type: ignore[override]
        ctx: Any, d_h_prev: Tensor, d_raw_out: Tensor, d_z_out: Tensor, d_phi_out: Tensor,
        *_: Tensor,
    ) -> tuple[Tensor | None, ...]:
        eps, h_prev, enc_all, raw_all, z_all, phi_all, *weights = ctx.saved_tensors
        w = RolloutWeights(*weights)
        states, saved = ctx.states, ctx.saved
        _, backward_cell = CELL_PASSES["gru" if len(states[0]) == 1 else "lstm"]
        hd, z_dim = enc_all.shape[2], eps.shape[2]
        w_h = torch.cat([w.w_eh, w.w_hh])  # (Hd + G H, H)
        raw_var = raw_all[..., z_dim:]
        dz_dv = eps * variance_slope(raw_var, "softplus") / (2.0 * std_from_raw(raw_var, ctx.var_floor))
        d_gate_in = h_prev.new_empty(*h_prev.shape[:2], w.w_gz.shape[0])  # (T, B, G H)
        d_from_h = h_prev.new_empty(*h_prev.shape[:2], hd + w.w_gz.shape[0])  # [e | g_h]
        d_raw, d_pre_z = d_raw_out.clone(), torch.empty_like(phi_all)
        d_state = tuple(torch.zeros_like(s) for s in states[0])  # nothing reads the last state
        for t in range(len(states) - 1, -1, -1):
            d_in, d_gh, d_direct = backward_cell(d_state, saved[t], states[t])
            d_gate_in[t] = d_in
            d_phi = torch.addmm(d_phi_out[t], d_in, w.w_gz)  # (B, Hd)
            activation_backward(d_phi, phi_all[t], out=d_pre_z[t])
            d_z = torch.addmm(d_z_out[t], d_pre_z[t], w.w_z)  # (B, Z)
            d_raw[t, :, :z_dim] += d_z
            d_raw[t, :, z_dim:].addcmul_(d_z, dz_dv[t])
            activation_backward(d_raw[t].mm(w.w_q), enc_all[t], out=d_from_h[t, :, :hd])
            d_from_h[t, :, hd:] = d_gh
            d_h = torch.addmm(d_h_prev[t] + d_direct[0], d_from_h[t], w_h)
            d_state = (d_h, *d_direct[1:])
        return (d_from_h[..., :hd], d_gate_in, None, None,
                *_weight_grads(h_prev, enc_all, z_all, phi_all, d_from_h, d_raw, d_pre_z, d_gate_in),
                *d_state)  # fmt: skip


def _weight_grads(
    h_prev: Tensor, enc: Tensor, z: Tensor, phi: Tensor,
    d_from_h: Tensor, d_raw: Tensor, d_pre_z: Tensor, d_gate_in: Tensor,
) -> tuple[Tensor, ...]:  # fmt: skip
    """Gradients of the :class:`RolloutWeights`, in order: one matmul each, all steps."""
    rows = lambda t: t.flatten(0, 1)  # noqa: E731  (T, B, .) -> (T B, .)
    hd = enc.shape[2]
    d_w_h = rows(d_from_h).t().mm(rows(h_prev))  # (Hd + G H, H)
    return (d_w_h[:hd], d_w_h[hd:], rows(d_from_h[..., hd:]).sum(0),
            rows(d_raw).t().mm(rows(enc)), rows(d_raw).sum(0),
            rows(d_pre_z).t().mm(rows(z)), rows(d_pre_z).sum(0),
            rows(d_gate_in).t().mm(rows(phi)))  # fmt: skip
