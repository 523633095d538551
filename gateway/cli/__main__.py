"""`python -m gateway.cli`: the `callwarden` command (serve uses it to start extra processes)."""

import sys

from gateway.cli.main import main

sys.exit(main())
