"""地方培育项目 (local programmes defined as data): register the shipped ``local/*.yaml`` files by code and the
resolver that finds the versions a bureau saved on the admin page (``engine/local.py``); importing
``engine.local`` also registers its system check."""

from kechuang.eligibility.engine.local import install

install()
