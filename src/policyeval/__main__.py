"""``python -m policyeval``: the command line."""

from policyeval.cli import entry

if __name__ == "__main__":
    entry()
