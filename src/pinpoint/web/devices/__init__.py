"""Devices and consumable lots used in sessions; use counts of reusable home rollers."""
