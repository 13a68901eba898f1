"""The volume_spike_refiner reference plugin (see docs/plugins.md)."""
