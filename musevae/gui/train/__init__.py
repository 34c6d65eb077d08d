"""The Train tab: choosing data, settings, the training session and its live charts."""
