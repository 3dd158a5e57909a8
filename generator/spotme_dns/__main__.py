"""`python -m spotme_dns`: the same as the `spotme-dns` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
