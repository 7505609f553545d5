"""Driving adapters: each translates one platform to and from the core's events and views."""
