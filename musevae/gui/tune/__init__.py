"""The Tune tab: RL fine-tuning with music-theory rewards, its session and its reward / KL charts."""
