#!/usr/bin/env python
"""Django's command-line utility; `kechuang` (the console script) is the same thing."""

from kechuang.__main__ import main

if __name__ == "__main__":
    main()
