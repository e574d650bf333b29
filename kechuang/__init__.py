"""Kechuang (科创): an open-source platform for a city or district Science & Technology Bureau (科技局)."""

__version__ = "0.1.0"
