"""``musevae tune MODEL``: fine-tune a copy of a model toward music-theory rules (RL)."""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import Any

from musevae.cli import arg_types, model_ref
from musevae.cli.progress import BarPrinter
from musevae.tune.config import DEFAULT_WEIGHTS, TuneConfig
from musevae.tune.rewards import RULES, RuleSettings

WEIGHT = arg_types.Number(0, 1000, whole=False)
RATE = arg_types.Number(0, 1, whole=False, above=True)
DISCOUNT = arg_types.Number(0, 1, whole=False)
UPDATES = arg_types.Number(1, 1_000_000)
PATH_STEPS = arg_types.Number(2, 4096)
BEATS = arg_types.Number(0, 1024, whole=False, above=True)
SEMITONES = arg_types.Number(1, 87)


def _flag(rule: str) -> str:
    return "--w-" + rule


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tune", help="fine-tune a copy of a model toward music-theory rules",
        description="Reinforcement learning on the model's own samples: each step is "
        "rewarded by the weighted rules and held near the base model by a KL penalty. "
        "The tuned copy is a normal model folder.",
    )  # fmt: skip
    defaults = TuneConfig()  # the app's Tune tab starts at the same settings
    parser.add_argument("model", nargs="?", help="the base model: " + model_ref.HELP)
    parser.add_argument("--resume", type=Path, metavar="DIR", help="continue a tuning run")
    parser.add_argument("--out", type=Path, help="the new model folder (default: in your models folder)")
    parser.add_argument("--steps", type=UPDATES, help=f"policy-gradient updates (default {defaults.updates})")
    parser.add_argument("--batch", type=arg_types.Number(2, 4096), default=defaults.batch,
                        help="paths per update")
    parser.add_argument("--length", type=PATH_STEPS, default=defaults.length, help="steps per sampled path")
    parser.add_argument("--lr", type=RATE, default=defaults.lr, help="Adam's learning rate")
    parser.add_argument("--kl-weight", type=WEIGHT, default=defaults.kl_weight,
                        help="nats of KL to the base worth one violation "
                        f"(default {defaults.kl_weight:g})")
    parser.add_argument("--discount", type=DISCOUNT, default=defaults.discount, help="of later rewards")
    parser.add_argument("--seed", type=arg_types.SEED, default=defaults.seed)
    parser.add_argument("--checkpoint-every", type=UPDATES, default=defaults.checkpoint_every,
                        help="updates")
    for rule, (_, summary) in RULES.items():
        parser.add_argument(_flag(rule), type=WEIGHT, default=DEFAULT_WEIGHTS[rule],
                            metavar="W", help=f"weight of {summary} (default {DEFAULT_WEIGHTS[rule]:g})")
    parser.add_argument("--key", default="auto", help="auto (each piece's estimated key), or C, F#, Am ...")
    parser.add_argument("--voices", type=arg_types.POLYPHONY, default=4, help="target voice count")
    parser.add_argument("--leap", type=SEMITONES, default=7, help="semitones that make a leap")
    parser.add_argument("--max-repeat-beats", type=BEATS, default=4.0, help="longest held note")
    parser.add_argument("--motif-beats", type=BEATS, default=4.0, help="motif length")
    parser.add_argument("--reward-file", type=Path, help="a Python file defining reward(roll)")
    parser.add_argument("--w-file", type=WEIGHT, default=1.0, help="weight of --reward-file's reward")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, mps or auto")
    parser.set_defaults(func=run)


def config_from(args: argparse.Namespace) -> TuneConfig:
    settings = RuleSettings(
        key=args.key, voices=args.voices, leap=args.leap,
        max_repeat_beats=args.max_repeat_beats, motif_beats=args.motif_beats,
    )  # fmt: skip
    return TuneConfig(
        updates=args.steps or TuneConfig().updates, batch=args.batch, length=args.length, lr=args.lr,
        kl_weight=args.kl_weight, discount=args.discount, seed=args.seed,
        checkpoint_every=args.checkpoint_every, rules=settings,
        weights={rule: getattr(args, "w_" + rule.replace("-", "_")) for rule in RULES},
        file_weight=args.w_file if args.reward_file else 0.0,
    )  # fmt: skip


def default_out(card: Path, folder: Path | None = None) -> Path:
    """A new folder for the tuned copy in ``folder`` (default: the user's models folder),
    named after the base model and the time."""
    from musevae.paths import user_models_dir
    from musevae.train.library import model_name

    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_name(card)).strip("_") or "model"
    return (folder or user_models_dir()) / f"{slug}-tuned-{time.strftime('%Y%m%d-%H%M%S')}"


def run(args: argparse.Namespace) -> int:
    from musevae.cli.progress import follow
    from musevae.errors import MusevaeError
    from musevae.train.device import resolve_device
    from musevae.tune import tuner

    device = resolve_device(args.device)
    if args.resume is not None:
        events = tuner.resume(args.resume, args.steps, device)
    elif args.model is None:
        raise MusevaeError("name the model to tune (or --resume a tuning run)")
    else:
        card = model_ref.card_path(args.model)
        out = args.out or default_out(card)
        events = tuner.tune(card, out, config_from(args), args.reward_file, device)
    finished = follow(events, TunePrinter())
    return 0 if finished else 130


class TunePrinter(BarPrinter):
    """A progress bar with the reward, the KL and each rule's violation rate."""

    def handle(self, event: Any) -> None:
        name = type(event).__name__
        if name == "Started":
            self.write(f"tuning {event.base} into {event.out_dir}")
            self.write("violation rate per step, base: " + _rates(event.before))
            self.start_bar(event.total_updates, event.done_updates)
        elif name == "Step":
            self.bar.update(1)
            terms = " ".join(f"{k} {v:.3f}" for k, v in event.terms.items())
            self.bar.set_postfix_str(f"reward {event.reward:.3f} KL {event.kl:.3f} | {terms}",
                                     refresh=False)  # fmt: skip
        elif name == "Done":
            self.close()
            self.write("violation rate per step, tuned: " + _rates(event.after))
            self.write(f"KL to the base {event.kl:.3f} nats/step; {event.updates} updates, "
                       f"{event.wall_s:.0f} s; model: {event.card}")  # fmt: skip


def _rates(rates: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.3f}" for k, v in rates.items())
