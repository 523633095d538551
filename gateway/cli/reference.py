"""Print the command-line reference (docs/cli.md)."""

from gateway.cli.main import cli_reference

if __name__ == "__main__":
    print(cli_reference())
