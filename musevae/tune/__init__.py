"""Reinforcement-learning fine-tuning of a trained model toward music-theory rules, with
the trained model kept as a KL leash (RL Tuner, Jaques et al. 2017, for latent models)."""
