"""Instrument bookings: the slot life-cycle, pricing and the owner's decisions."""
