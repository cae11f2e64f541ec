"""Widgets of the plugin: the municipality dock, the engine settings, and the tasks they run."""
