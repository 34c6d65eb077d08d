"""The window and what every part of it shares: the app entry, the main window, settings, dialogs, notifications, focus rules and the platform check."""
