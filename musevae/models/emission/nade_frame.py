"""NADE's work on whole frames: the teacher-forced conditionals, and exact fast sampling.

Sampling a NADE key by key takes 88 sequential steps per frame. But its hidden state
moves only at keys that are on, and most keys are off: from the hidden state after the
last key on, one multiply gives the conditional logit of every key above it, valid up to
the next key on. With one logistic noise per key, the first key whose logit beats its
noise is that next key on, and the keys before it are off: exactly what 88 sequential
draws decide, in (keys on + 1) steps. The noise of the keys after it played no part in
the decision, so it is discarded and drawn afresh from there.

Those steps work on (B, 89) arrays, so their cost is the calls, not the arithmetic: the
sampler runs them on the host in NumPy, whose calls cost about a third of torch's (a
frame at batch 1 takes well under half the time it took as torch calls). The noise comes
from the run's torch generator, so a seed gives the same music.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import Tensor

from musevae.data.pianoroll import KEY_COUNT
from musevae.models.emission.base import FrameDraw, FrameRules, bernoulli_entropy

if TYPE_CHECKING:
    from musevae.models.emission.nade import NADE

END = KEY_COUNT  # a column after the last key that always sounds: a row that reaches it is done
NOISE_BLOCK = 8  # rows of noise drawn at once: the steps of a frame of up to 7 keys


def conditional_logits(x: Tensor, b: Tensor, c: Tensor, w: Tensor, v: Tensor) -> Tensor:
    """The logit of p(x_ok = 1 | x_o<k) for every key of every frame, given the frames.

    ``x (..., 88)`` 0/1 and ``b (..., 88)`` in drawing order, ``c (..., H)``, ``w`` and
    ``v (88, H)`` (see :class:`~musevae.models.emission.nade.NADE`); returns ``(..., 88)``.
    Exact for any x. The work grows with the most keys on in a frame, so frames are
    taken in groups of like polyphony (``POLYPHONY_GROUPS``), each group with its own.
    """
    lead = x.shape[:-1]
    x, c = x.reshape(-1, KEY_COUNT), c.reshape(-1, c.shape[-1])  # (N, 88), (N, H)
    if x.is_cuda and torch.cuda.is_current_stream_capturing():
        # a CUDA graph replays fixed shapes on whatever frames come: room for all 88
        return b + _read_segments(x, c, w, v, KEY_COUNT + 1).view(*lead, KEY_COUNT)
    group = torch.bucketize(x.sum(-1), x.new_tensor(POLYPHONY_GROUPS), right=True)  # (N,)
    if len(x) == 0 or bool((group == group[0]).all()):
        read = _read_segments(x, c, w, v)
    else:
        frames = [torch.nonzero(group == g)[:, 0] for g in range(len(POLYPHONY_GROUPS) + 1)]
        frames = [f for f in frames if len(f)]
        order = torch.cat(frames)  # (N,) frames grouped
        parts = [_read_segments(x[f], c[f], w, v) for f in frames]
        read = torch.cat(parts)[torch.argsort(order)]  # back in the frames' order
    return b + read.view(*lead, KEY_COUNT)


POLYPHONY_GROUPS = (4, 8, 16)  # frames with fewer keys on than 4, than 8, than 16, the rest


def _read_segments(
    x: Tensor, c: Tensor, w: Tensor, v: Tensor, segments: int | None = None
) -> Tensor:
    """V_k . sigmoid(a_k) for every key of frames ``x (N, 88)``, ``c (N, H)``; ``segments``:
    at least the most keys on in a frame + 1 (by default exactly that).  (N, 88)"""
    before = x.cumsum(-1)  # (N, 88) keys on up to and including k
    if segments is None:
        segments = 1 + (int(before[:, -1].max()) if len(x) else 0)  # S
    levels = torch.arange(segments, dtype=x.dtype, device=x.device)  # (S,)
    in_sum = x[:, None, :] * (before[:, None, :] <= levels[:, None])  # (N, S, 88)
    a = c[:, None, :] + in_sum @ w  # (N, S, H): a^(s), s keys on before
    per_segment = torch.sigmoid(a) @ v.t()  # (N, S, 88): V_k . sigmoid(a^(s))
    segment = (before - x).long()  # (N, 88) keys on before k
    return per_segment.gather(1, segment[:, None, :])[:, 0]


class NADESampler:
    """Frames from a NADE's params under :class:`FrameRules`, each control inside the
    autoregression: temperature divides every conditional's logit, keys outside the
    allowed range and keys beyond the polyphony cap are off (so the keys after them are
    conditioned on their being off), held keys are on.

    Each draw reports every key's conditional probability of sounding as it was drawn,
    and the sum of the conditionals' entropies along the drawn frame: by the chain rule
    an unbiased estimate of the frame's joint entropy. Rows of a batch end their frames
    at different steps; an ended row has every key decided and changes no more.
    """

    def __init__(self, nade: NADE, rules: FrameRules) -> None:
        weight = nade.W.detach()
        self._dtype = torch.float64 if weight.dtype == torch.float64 else torch.float32
        self._reverse = nade.reverse
        self._scale = 1.0 / rules.temperature
        # The steps compute sigmoid(a) as (1 + tanh(a / 2)) / 2 and keep a / 2, so W and V
        # are held halved, and V's share of the 1/2 goes into each key's bias.
        w = _host(weight, self._dtype) * 0.5
        v = _host(nade.V.detach(), self._dtype) * (0.5 * self._scale)
        zero = np.zeros((1, nade.hidden), w.dtype)
        self._w_end = np.concatenate([w, zero])  # (89, H): reaching the end adds nothing
        self._v_end_t = np.ascontiguousarray(np.concatenate([v, zero]).T)  # (H, 89)
        self._v_sum = v.sum(1)  # (88,)
        # keys after the last one drawn are undecided; the end column always is
        self._position = np.arange(END + 1)
        self._position[END] = END + 1
        allowed = None if rules.allowed is None else rules.allowed.cpu().numpy()
        self._allowed = None if allowed is None else self._in_order(allowed)
        self._max_on = rules.max_on

    def _in_order(self, keys: np.ndarray) -> np.ndarray:
        """Keyboard order to drawing order, or back, on the key axis (last)."""
        return np.ascontiguousarray(keys[..., ::-1]) if self._reverse else keys

    def __call__(
        self, params: Tensor, held: Tensor | None, generator: torch.Generator | None
    ) -> FrameDraw:
        held_o = None if held is None else self._in_order(held.cpu().numpy())
        bias, c = self._bias(params, held_o), _host(params[:, KEY_COUNT:], self._dtype)
        reserve = None if self._max_on is None or held_o is None else _reserve(held_o, bias.dtype)
        steps = self._steps(reserve is not None)
        noise = _logistic_noise(params, generator, min(NOISE_BLOCK, steps), self._dtype)
        on, logits = self._autoregress(bias, c, noise, reserve, steps)
        if self._max_on is not None and on.sum(1).max() >= self._max_on:  # else none was
            logits[self._capped(on, held_o)] = -np.inf
        notes = torch.from_numpy(self._in_order(on)).to(params.device)
        logits_t = torch.from_numpy(self._in_order(logits)).to(params.device)
        probs = logits_t.sigmoid()
        return FrameDraw(notes, probs, bernoulli_entropy(logits_t, probs))

    def greedy(self, params: Tensor) -> Tensor:
        """Each key on iff its conditional, given the keys on before it, exceeds 1/2.  (B, 88)"""
        bias, c = self._bias(params, None), _host(params[:, KEY_COUNT:], self._dtype)
        zeros = np.zeros((len(bias), END + 1), bias.dtype)  # logit > 0
        on, _ = self._autoregress(bias, c, _repeat(zeros), None, self._steps(False))
        return torch.from_numpy(self._in_order(on)).to(params.device)

    def _steps(self, reserving: bool) -> int:
        """Steps a frame may take: one per key on. With a cap and nothing held, a row
        that reached the cap is done, so the cap is the most."""
        if self._max_on is None or reserving:
            return KEY_COUNT
        return min(self._max_on, KEY_COUNT)

    def _bias(self, params: Tensor, held: np.ndarray | None) -> np.ndarray:
        """b with the rules in: scaled, -inf where a key may not sound, +inf where held;
        plus V's share of the halves (see ``__init__``), and the end column, which always
        sounds.  (B, 89)"""
        b = _host(params[:, :KEY_COUNT], self._dtype)
        bias = np.empty((len(b), END + 1), b.dtype)
        np.multiply(b, self._scale, out=bias[:, :KEY_COUNT])
        bias[:, :KEY_COUNT] += self._v_sum
        bias[:, END] = np.inf
        if self._allowed is not None:
            bias[:, :KEY_COUNT][:, ~self._allowed] = -np.inf
        if held is not None:
            bias[:, :KEY_COUNT][held] = np.inf
        return bias

    def _autoregress(
        self, bias: np.ndarray, c: np.ndarray, noise: Iterator[np.ndarray],
        reserve: np.ndarray | None, steps: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(on (B, 88) bool, logits (B, 88))``: the keys on, and each key's logit at
        the step that decided it. ``bias (B, 89)``: see :meth:`_bias`."""
        rows = np.arange(len(bias))
        a = c * 0.5  # (B, H) half the hidden pre-activation at the next key
        h = np.empty_like(a)
        on = np.zeros(bias.shape, bool)
        drawn = np.full(bias.shape, -np.inf, bias.dtype)
        last = np.full((len(bias), 1), -1)  # the last key drawn
        room = None if reserve is None else np.full((len(bias), 1), self._max_on, bias.dtype)
        for _ in range(steps):
            logits = np.tanh(a, out=h) @ self._v_end_t  # (B, 89) every key's logit from here
            logits += bias
            undecided = self._position > last  # (B, 89)
            np.copyto(drawn, logits, where=undecided)
            if reserve is not None:  # a free key sounds only with room for the held after it
                undecided &= reserve <= room
            first = ((logits > next(noise)) & undecided).argmax(1)  # next key on; END: none
            if first.min() == END:
                break
            on[rows, first] = True
            a += self._w_end[first]
            last = first[:, None]
            if room is not None:
                room -= first[:, None] < END
        return on[:, :KEY_COUNT], drawn[:, :KEY_COUNT]

    def _capped(self, on: np.ndarray, held: np.ndarray | None) -> np.ndarray:
        """The free keys the polyphony cap kept off: those with no room left.  (B, 88)"""
        need = on.cumsum(-1) - on + 1  # keys on before k, and k itself
        if held is None:
            return need > self._max_on
        need += held.sum(-1, keepdims=True) - held.cumsum(-1)  # and the held keys after k
        return (need > self._max_on) & ~held


def _host(tensor: Tensor, dtype: torch.dtype) -> np.ndarray:
    """A NumPy copy of ``tensor`` in ``dtype`` on the host (a view when it already is)."""
    return tensor.detach().to("cpu", dtype).numpy()


def _reserve(held: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Per key, the room a free key needs to sound: itself and the held keys after it;
    held keys (and the end column) need none.  (B, 89)"""
    need = np.full((len(held), END + 1), -np.inf, dtype)
    need[:, :KEY_COUNT] = 1 + held.sum(-1, keepdims=True) - held.cumsum(-1)
    need[:, :KEY_COUNT][held] = -np.inf
    return need


def _logistic_noise(
    like: Tensor, generator: torch.Generator | None, block: int, dtype: torch.dtype
) -> Iterator[np.ndarray]:
    """Standard logistic noise ``(B, 89)`` per step, from uniforms of the run's generator
    (on ``like``'s device): logit > noise happens with probability sigmoid(logit).
    Drawn ``block`` steps at a time, to save calls."""
    shape = (block, like.shape[0], END + 1)
    while True:
        u = _host(torch.rand(shape, generator=generator, dtype=dtype, device=like.device), dtype)
        with np.errstate(divide="ignore"):  # u = 0: noise -inf, which every logit beats
            noise = np.log(u)
        noise -= np.log1p(-u)
        yield from noise


def _repeat(value: np.ndarray) -> Iterator[np.ndarray]:
    while True:
        yield value
